/**
 * Failures that say nothing about the message: the database or the network is away, a lock could
 * not be had, or the deployment does not match its schema (a migration not run yet). A consumer
 * waits these out instead of counting them against the message — dead-lettering every message
 * because a table is missing would be the worst answer. SQLSTATE classes: 08 connection
 * exception, 53 insufficient resources, 57 operator intervention (shutdown, crash recovery),
 * 58 system error, 40 transaction rollback (serialization failure, deadlock), 55 object not in
 * prerequisite state (lock not available), 42 syntax error or access rule violation (a missing
 * table or column), 28 invalid authorization, 3D invalid catalog, XX internal error. Data
 * exceptions (22) and integrity violations (23) stay with the message.
 */
export function isTransientFailure(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string') {
      if (/^(08|53|57|58|40|55|42|28|3D|XX)[0-9A-Z]{3}$/.test(code)) return true;
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
