import { SignJWT } from 'jose';
import type { AuthSettings } from './auth-settings';
import { UnauthenticatedError } from './auth.errors';
import type { Principal } from './principal';
import { createTokenSigner } from './token-signer';
import { TokenVerifier } from './token-verifier';
import { VerifiedTokenCache } from './verified-token-cache';

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const ISSUER = 'tongban';
const AUDIENCE = 'tongban-api';
const cadre: Principal = { id: 'cadre-1', role: 'cadre', orgUnit: 'pc.gucheng.taiyangcheng' };
const resident: Principal = { id: 'resident-1', role: 'resident' };

describe('VerifiedTokenCache', () => {
  let clock = 1_800_000_000_000;
  const now = () => clock;
  const expInSeconds = (seconds: number) => Math.floor(clock / 1000) + seconds;

  it('keeps a token no longer than its maximum age, even when its exp is far off', () => {
    const cache = new VerifiedTokenCache({ maxEntries: 10, maxAgeMs: 60_000, now });
    cache.set('t1', resident, expInSeconds(3_600));
    expect(cache.get('t1')).toEqual(resident);
    clock += 59_999;
    expect(cache.get('t1')).toEqual(resident);
    clock += 1;
    expect(cache.get('t1')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('never keeps a token past its exp, however young the entry', () => {
    const cache = new VerifiedTokenCache({ maxEntries: 10, maxAgeMs: 60_000, now });
    const exp = expInSeconds(5);
    cache.set('t2', resident, exp);
    clock = exp * 1000 - 1;
    expect(cache.get('t2')).toEqual(resident);
    clock = exp * 1000;
    expect(cache.get('t2')).toBeUndefined();
  });

  it('does not keep a token already past its exp (one inside the clock tolerance)', () => {
    const cache = new VerifiedTokenCache({ maxEntries: 10, maxAgeMs: 60_000, now });
    cache.set('late', resident, expInSeconds(-10));
    cache.set('now', resident, expInSeconds(0));
    expect(cache.get('late')).toBeUndefined();
    expect(cache.get('now')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('holds at most maxEntries tokens, dropping the oldest first', () => {
    const cache = new VerifiedTokenCache({ maxEntries: 3, maxAgeMs: 60_000, now });
    for (let i = 0; i < 10; i++) {
      cache.set(`t${i}`, { id: `r${i}`, role: 'resident' }, expInSeconds(3_600));
      expect(cache.size).toBeLessThanOrEqual(3);
    }
    expect(cache.get('t6')).toBeUndefined();
    expect(cache.get('t7')).toEqual({ id: 'r7', role: 'resident' });
    expect(cache.get('t9')).toEqual({ id: 'r9', role: 'resident' });
  });

  it('keeps nothing with a size of 0', () => {
    const cache = new VerifiedTokenCache({ maxEntries: 0, maxAgeMs: 60_000, now });
    cache.set('t', resident, expInSeconds(3_600));
    expect(cache.get('t')).toBeUndefined();
  });

  it('hands out a principal nobody can change for the next request', () => {
    const cache = new VerifiedTokenCache({ maxEntries: 10, maxAgeMs: 60_000, now });
    cache.set('t', { id: 'x', role: 'resident' }, expInSeconds(3_600));
    const principal = cache.get('t') as { id: string };
    expect(() => {
      principal.id = 'someone-else';
    }).toThrow(TypeError);
  });
});

describe('TokenVerifier with the verified-token cache', () => {
  const settings: AuthSettings = {
    mode: 'jwt',
    algorithm: 'HS256',
    issuer: ISSUER,
    audience: AUDIENCE,
    key: { kind: 'secret', secret: new TextEncoder().encode(SECRET), ephemeral: false },
    tokenCache: { maxEntries: 100, maxAgeMs: 60_000 },
  };
  const signer = createTokenSigner({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE });

  it('answers a repeated token with the same principal', async () => {
    const verifier = await TokenVerifier.create(settings);
    const token = await signer.sign(cadre, 300);
    const first = await verifier.verify(token);
    expect(first).toMatchObject({ id: cadre.id, role: 'cadre', orgUnit: cadre.orgUnit });
    expect(await verifier.verify(token)).toEqual(first);
  });

  it('refuses a tampered token, though the token it was made from is cached', async () => {
    const verifier = await TokenVerifier.create(settings);
    const token = await signer.sign(resident, 300);
    await verifier.verify(token);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    // Another claim with the original signature; and the original claims with a changed signature.
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const promoted = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    const flipped = signature.slice(0, -2) + (signature.endsWith('AA') ? 'BB' : 'AA');
    for (const tampered of [
      `${header}.${promoted}.${signature}`,
      `${header}.${payload}.${flipped}`,
      `${token}x`,
    ]) {
      await expect(verifier.verify(tampered)).rejects.toBeInstanceOf(UnauthenticatedError);
      await expect(verifier.verify(tampered)).rejects.toBeInstanceOf(UnauthenticatedError);
    }
    expect(await verifier.verify(token)).toMatchObject({ id: resident.id, role: 'resident' });
  });

  it('never caches a refused token: signed with another key, or a principal that does not hold', async () => {
    const verifier = await TokenVerifier.create(settings);
    const forger = createTokenSigner({ secret: `${SECRET}-other`, issuer: ISSUER, audience: AUDIENCE });
    const forged = await forger.sign(resident, 300);
    const badUnit = await new SignJWT({ role: 'cadre', org_unit: 'not a unit' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('cadre-2')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(SECRET));
    for (let i = 0; i < 2; i++) {
      await expect(verifier.verify(forged)).rejects.toBeInstanceOf(UnauthenticatedError);
      await expect(verifier.verify(badUnit)).rejects.toThrow(/org_unit/);
    }
  });

  it('refuses an expired token every time, even to a cache whose clock says it is still valid', async () => {
    // The cache's clock two minutes behind: were the token kept, its entry would look fresh.
    const verifier = await TokenVerifier.create(settings, () => Date.now() - 120_000);
    // Expired 60 s ago by the real clock: past the 30 s tolerance, so jose refuses it.
    const stale = createTokenSigner({
      secret: SECRET,
      issuer: ISSUER,
      audience: AUDIENCE,
      now: () => Date.now() - 120_000,
    });
    const expired = await stale.sign(resident, 60);
    for (let i = 0; i < 2; i++) await expect(verifier.verify(expired)).rejects.toThrow(/expired/);
  });
});
