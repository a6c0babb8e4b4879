import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { jwtVerify } from 'jose';
import { redactPersonalData } from '@tongban/logging';
import { createTokenSigner, TokenVerifier } from '@tongban/security';
import { round } from './stats';

/**
 * Per-request costs the profile of the api points at, each measured alone in this process
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

  // ADR 0016: a token the verifier has seen before, from its cache, against checking it again.
  const verifier = await TokenVerifier.create({
    mode: 'jwt',
    algorithm: 'HS256',
    issuer: 'tongban',
    audience: 'tongban-api',
    key: { kind: 'secret', secret: bytes, ephemeral: false },
    tokenCache: { maxEntries: 10_000, maxAgeMs: 60_000 },
  });
  await verifier.verify(token);
  const jwtCached = await cpuMicrosPerCall(calls, () => verifier.verify(token));

  // ADR 0016: the masking walk over the object pino-http logs when a response finishes.
  const req = new IncomingMessage(new Socket());
  req.headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', host: '127.0.0.1' };
  const res = new ServerResponse(req);
  res.setHeader('content-type', 'application/problem+json; charset=utf-8');
  res.statusCode = 201;
  const lineToday = await cpuMicrosPerCall(calls, () => redactPersonalData({ res, responseTime: 7 }));
  const lineNow = await cpuMicrosPerCall(calls, () =>
    redactPersonalData({ res: { statusCode: res.statusCode }, responseTime: 7 }),
  );

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
    {
      name: 'A bearer token seen before (ADR 0016)',
      today: '`jwtVerify` with the imported key on every request',
      proposed: '`TokenVerifier.verify` answering from its cache of verified tokens',
      todayMicros: jwtProposed,
      proposedMicros: jwtCached,
    },
    {
      name: 'Masking the request log line (ADR 0016)',
      today:
        "`redactPersonalData({ res, responseTime })` over the raw `ServerResponse` (here one without a server: the api's also carries its socket's server, so costs more)",
      proposed:
        '`redactPersonalData({ res: { statusCode }, responseTime })`: pino-http hands over the status only',
      todayMicros: lineToday,
      proposedMicros: lineNow,
    },
  ];
}
