/**
 * Failures that say nothing about the message: the database or the network is away, or a lock
 * could not be had. A consumer waits these out instead of counting them against the message.
 * SQLSTATE classes: 08 connection exception, 53 insufficient resources, 57P0x operator
 * intervention (shutdown, crash recovery), 40001 serialization failure, 40P01 deadlock,
 * 55P03 lock not available, 58 system error.
 */
export function isTransientFailure(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string') {
      if (/^(08|53|58)/.test(code) || /^57P0[1-4]$/.test(code)) return true;
      if (code === '40001' || code === '40P01' || code === '55P03') return true;
      if (/^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT|HOSTUNREACH|NETUNREACH|AI_AGAIN)$/.test(code)) return true;
    }
    if (typeof message === 'string' && TRANSIENT_MESSAGES.test(message)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** What node-postgres says when a connection goes or cannot be had (it sets no code then). */
const TRANSIENT_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Cannot use a pool after calling end/;
