/**
 * Masking of personal data (names, phone numbers, ID numbers, addresses). Used by the logger on
 * every line and by read models' default views. Masking is deliberately lossy and one-way.
 */

const MOBILE = /(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)/g;
// 18-digit resident ID (GB 11643) and the legacy 15-digit form, not inside a longer token.
const RESIDENT_ID = /(?<![0-9A-Za-z])(\d{17}[0-9Xx]|\d{15})(?![0-9A-Za-z])/g;

/** 13812341234 → 138****1234 (the convention residents see on receipts). */
export function maskPhone(phone: string): string {
  let digits = phone.replace(/\D/g, '');
  if (digits.length === 13 && digits.startsWith('86')) digits = digits.slice(2);
  if (digits.length < 7) return '*'.repeat(digits.length);
  return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
}

/** 110101199003071234 → 110101********1234 */
export function maskIdNumber(id: string): string {
  if (id.length <= 8) return '*'.repeat(id.length);
  return `${id.slice(0, 6)}${'*'.repeat(id.length - 10)}${id.slice(-4)}`;
}

/** 张三丰 → 张**; Zhang San → Z******* */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length === 0) return '';
  return chars[0] + '*'.repeat(Math.max(chars.length - 1, 1));
}

/** Keeps the first few characters (district/street) and hides the rest. */
export function maskAddress(address: string): string {
  const chars = Array.from(address.trim());
  const keep = Math.min(6, Math.floor(chars.length / 3));
  return chars.slice(0, keep).join('') + '***';
}

/**
 * Every phone number MOBILE matches has a run of four ASCII digits (its `\d{4}` groups), and
 * every ID number RESIDENT_ID matches a run of fifteen: a string without four ASCII digits in a
 * row cannot hold either, so it is answered as it is without running the two replacements. Most
 * log strings (messages, ids, paths) take this path. Not global: `test` keeps no state.
 */
const MAY_HOLD_NUMBER = /\d{4}/;

/** Masks phone and ID numbers wherever they appear inside free text. */
export function maskPersonalDataInText(text: string): string {
  if (!MAY_HOLD_NUMBER.test(text)) return text;
  return text
    .replace(RESIDENT_ID, (id: string) => maskIdNumber(id))
    .replace(MOBILE, (_m, a: string, b: string, c: string) => maskPhone(a + b + c));
}

type Masker = (value: string) => string;

/** Field names (lower-cased, without separators) that always carry personal data. */
const FIELD_MASKERS: ReadonlyMap<string, Masker> = new Map<string, Masker>([
  ['phone', maskPhone],
  ['mobile', maskPhone],
  ['telephone', maskPhone],
  ['tel', maskPhone],
  ['contactphone', maskPhone],
  ['residentphone', maskPhone],
  ['idnumber', maskIdNumber],
  ['idcard', maskIdNumber],
  ['identitynumber', maskIdNumber],
  ['residentid', maskIdNumber],
  ['name', maskName],
  ['fullname', maskName],
  ['residentname', maskName],
  ['contactname', maskName],
  ['address', maskAddress],
  ['residentaddress', maskAddress],
  ['homeaddress', maskAddress],
]);

/** Header and credential fields that are dropped entirely. */
const SECRET_FIELDS = new Set(['authorization', 'cookie', 'setcookie', 'password', 'token', 'secret']);

const normalise = (key: string): string => key.toLowerCase().replace(/[-_\s]/g, '');

/**
 * Field names seen before, normalised: a log line's keys are nearly always the same few, so the
 * lower-casing and the regex run once per name, not once per line. Bounded, so keys made from
 * data (ids as keys) cannot grow it: past the bound names are normalised every time.
 */
const normalisedNames = new Map<string, string>();
const MAX_NORMALISED_NAMES = 2_000;

function normalisedName(key: string): string {
  let name = normalisedNames.get(key);
  if (name === undefined) {
    name = normalise(key);
    if (normalisedNames.size < MAX_NORMALISED_NAMES) normalisedNames.set(key, name);
  }
  return name;
}

/**
 * Returns a deep copy of `value` with personal fields masked by name and phone/ID numbers masked
 * inside every string. Cycles and very deep structures are cut rather than followed.
 */
export function redactPersonalData(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return maskPersonalDataInText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[depth]';
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactPersonalData(item, depth + 1, seen));
  if (value instanceof Error) {
    return {
      type: value.name,
      message: maskPersonalDataInText(value.message),
      stack: value.stack ? maskPersonalDataInText(value.stack) : undefined,
    };
  }
  if (value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    const name = normalisedName(key);
    if (SECRET_FIELDS.has(name)) {
      out[key] = '[redacted]';
      continue;
    }
    const masker = FIELD_MASKERS.get(name);
    out[key] =
      masker && typeof field === 'string' ? masker(field) : redactPersonalData(field, depth + 1, seen);
  }
  return out;
}
