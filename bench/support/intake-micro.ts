import { jwtVerify } from 'jose';
import { createTokenSigner } from '@tongban/security';
import { round } from './stats';

/**
 * Two per-request costs the profile of the api points at, each measured alone in this process
 * next to the cheaper way of doing the same thing, so the report can say what a change would
 * save. Both "today" variants copy what the product does (the product's own functions are not
 * exported from their libraries' barrels).
 */

export interface MicroResult {
  readonly name: string;
  readonly today: string;
  readonly proposed: string;
  /** CPU microseconds per call. */
  readonly todayMicros: number;
  readonly proposedMicros: number;
}

async function cpuMicrosPerCall(calls: number, op: () => unknown): Promise<number> {
  for (let i = 0; i < Math.min(500, calls); i++) await op(); // warm-up
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < calls; i++) await op();
  const cpu = process.cpuUsage(cpu0);
  return round((cpu.user + cpu.system) / calls, 1);
}

export async function runIntakeMicro(calls = 3_000): Promise<MicroResult[]> {
  const secret = 'bench-micro-secret-long-enough-for-hs256!';
  const bytes = new TextEncoder().encode(secret);
  const token = await createTokenSigner({ secret, issuer: 'tongban', audience: 'tongban-api' }).sign(
    { id: 'demo-channel-hotline', role: 'channel', orgUnit: 'pc', channel: 'hotline' },
    3_600,
  );
  // TokenVerifier.verify's options (libs/platform/security/src/token-verifier.ts).
  const options = {
    algorithms: ['HS256'],
    issuer: 'tongban',
    audience: 'tongban-api',
    clockTolerance: 30,
    requiredClaims: ['exp', 'sub'],
  };
  const imported = await crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'verify',
  ]);
  const jwtToday = await cpuMicrosPerCall(calls, () => jwtVerify(token, bytes, options));
  const jwtProposed = await cpuMicrosPerCall(calls, () => jwtVerify(token, imported, options));

  // localDay in libs/case-handling/src/submit-case/submit-case.command.ts, Asia/Shanghai.
  const at = new Date().toISOString();
  const formatOptions = {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  } as const;
  const cached = new Intl.DateTimeFormat('en-CA', formatOptions);
  const dayToday = await cpuMicrosPerCall(calls, () =>
    new Intl.DateTimeFormat('en-CA', formatOptions).format(new Date(at)),
  );
  const dayProposed = await cpuMicrosPerCall(calls, () => cached.format(new Date(at)));

  return [
    {
      name: 'JWT verification (HS256)',
      today:
        '`jwtVerify(token, secretBytes, …)`: jose imports the raw secret as a WebCrypto key on every call',
      proposed:
        'the secret imported ONCE (`crypto.subtle.importKey`) when the verifier is made, the CryptoKey passed to `jwtVerify`',
      todayMicros: jwtToday,
      proposedMicros: jwtProposed,
    },
    {
      name: "The intake's day (`localDay`)",
      today: 'a new `Intl.DateTimeFormat` for the time zone on every intake',
      proposed: 'one formatter per time zone, made once',
      todayMicros: dayToday,
      proposedMicros: dayProposed,
    },
  ];
}
