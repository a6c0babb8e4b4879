import { formatPosition, InMemoryEventStore, type RecordedEvent } from '@tongban/event-store';
import fc from 'fast-check';
import { recordedEventOf, toEnvelope, type EventEnvelope } from './envelope';
import { EVENT_ENVELOPE_SCHEMA, MAX_ENVELOPE_BYTES, MAX_ENVELOPE_DEPTH } from './envelope.schema';
import { ENVELOPE_ERROR_CODES, parseEnvelope, type EnvelopeErrorCode } from './parse-envelope';

const EVENT: RecordedEvent = {
  id: '0b9d6a52-5f43-4d1e-9c1e-2f7a8c3d4e51',
  type: 'case.submitted',
  streamId: 'case-4f1c2b9e',
  version: 3,
  position: { tx: 81_234n, seq: 7n },
  schemaVersion: 2,
  recordedAt: new Date('2026-11-27T01:30:00.125Z'),
  data: { caseId: '4f1c2b9e', resident: { name: '王芳', phone: '13800001234' }, attachments: [] },
  metadata: { correlationId: 'c-1', actor: { id: 'resident-1', role: 'resident' }, channel: 'app' },
};

const good = (): Record<string, unknown> => JSON.parse(JSON.stringify(toEnvelope(EVENT)));
const text = (value: unknown): string => JSON.stringify(value);
const codeOf = (value: Buffer | string | null | undefined): string => {
  const parsed = parseEnvelope(value);
  return parsed.ok ? 'ok' : parsed.code;
};
const refusal = (value: Buffer | string | null | undefined) => {
  const parsed = parseEnvelope(value);
  if (parsed.ok) throw new Error('expected a refusal');
  return parsed;
};
const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

describe('parseEnvelope', () => {
  it('reads back what toEnvelope wrote, and recordedEventOf gives the stored event', () => {
    const parsed = parseEnvelope(Buffer.from(text(toEnvelope(EVENT))));
    expect(parsed).toEqual({ ok: true, envelope: toEnvelope(EVENT) });
    if (parsed.ok) expect(recordedEventOf(parsed.envelope)).toEqual(EVENT);
  });

  it('round-trips whatever the store records (property)', async () => {
    const store = new InMemoryEventStore({ now: () => new Date('2026-11-27T01:30:00.125Z') });
    // Strings as the store takes them: no U+0000, no lone surrogate (it refuses both).
    const storable = fc
      .string({ unit: 'grapheme' })
      .filter((s) => !s.includes('\u0000') && !/\p{Cs}/u.test(s));
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        storable,
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(storable, tie('value'), { maxKeys: 4 }),
      ),
    }));
    const data = fc.dictionary(storable, json.value, { maxKeys: 6 });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(data, storable, async (payload, correlationId) => {
        n += 1;
        const streamId = `case-${n}`;
        await store.append(
          streamId,
          [
            {
              id: crypto.randomUUID(),
              type: 'case.submitted',
              data: payload as never,
              metadata: { correlationId, actor: { id: 'a', role: 'cadre' } },
              schemaVersion: 2,
            },
          ],
          'no_stream',
        );
        const [stored] = await store.readStream(streamId);
        const parsed = parseEnvelope(Buffer.from(JSON.stringify(toEnvelope(stored!)), 'utf8'));
        expect(parsed.ok).toBe(true);
        if (parsed.ok) expect(recordedEventOf(parsed.envelope)).toEqual(stored);
      }),
      { numRuns: 200 },
    );
  });

  it('accepts the deepest data the store accepts, and refuses one level more', async () => {
    const store = new InMemoryEventStore();
    const deepest = (levels: number) => ({ list: JSON.parse(nested(levels)) as never });
    // The store refuses data nested past 64 levels below its root; find its deepest and compare.
    let levels = 1;
    for (; ; levels++) {
      const appended = await store
        .append(`s-${levels}`, [{ id: crypto.randomUUID(), type: 'x.y', data: deepest(levels) }], 'any')
        .then(
          () => true,
          () => false,
        );
      if (!appended) break;
    }
    const [stored] = await store.readStream(`s-${levels - 1}`);
    const envelope = text(toEnvelope(stored!));
    expect(codeOf(envelope)).toBe('ok');
    expect(codeOf(envelope.replace('"list":', `"list":[`).replace(/}$/, ']}'))).toBe('envelope.too_deep');
    expect(levels - 1 + 2).toBe(MAX_ENVELOPE_DEPTH);
  });

  describe('refuses, with a stable code', () => {
    it.each([
      ['null', null],
      ['undefined', undefined],
      ['an empty string', ''],
      ['no bytes', Buffer.alloc(0)],
    ])('%s: envelope.empty', (_name, value) => {
      expect(codeOf(value)).toBe('envelope.empty');
    });

    it('malformed UTF-8: envelope.not_utf8', () => {
      const valid = Buffer.from(text(good()));
      for (const bad of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf8, 0x88, 0x80, 0x80, 0x80]]) {
        const bytes = Buffer.concat([valid.subarray(0, 20), Buffer.from(bad), valid.subarray(20)]);
        expect(codeOf(bytes)).toBe('envelope.not_utf8');
      }
    });

    it('a byte order mark: not JSON (tongban never writes one)', () => {
      expect(codeOf(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text(good()))]))).toBe(
        'envelope.not_json',
      );
    });

    it('oversize bytes and text: envelope.too_large, before decoding', () => {
      const padded = { ...good(), padding: 'x'.repeat(MAX_ENVELOPE_BYTES) };
      expect(codeOf(text(padded))).toBe('envelope.too_large');
      expect(codeOf(Buffer.from(text(padded)))).toBe('envelope.too_large');
      expect(codeOf(Buffer.alloc(MAX_ENVELOPE_BYTES + 1, 0xff))).toBe('envelope.too_large');
      // Counted in UTF-8 bytes, not characters: 3 bytes each.
      const chinese = { ...good(), padding: '通'.repeat(Math.ceil(MAX_ENVELOPE_BYTES / 3)) };
      expect(text(chinese).length).toBeLessThan(MAX_ENVELOPE_BYTES);
      expect(codeOf(text(chinese))).toBe('envelope.too_large');
      const fits = { ...good(), padding: 'x'.repeat(MAX_ENVELOPE_BYTES - text(good()).length - 20) };
      expect(codeOf(text(fits))).toBe('ok');
    });

    it('100,000 nested arrays, in data or alone: envelope.too_deep, without overflowing the stack', () => {
      expect(codeOf(nested(100_000))).toBe('envelope.too_deep');
      const deep = text(good()).replace('"attachments":[]', `"attachments":${nested(100_000)}`);
      expect(codeOf(deep)).toBe('envelope.too_deep');
      expect(codeOf(Buffer.from('{"a":'.repeat(100_000)))).toBe('envelope.too_deep');
      // Brackets inside strings do not count.
      expect(codeOf(text({ ...good(), note: '['.repeat(100_000) }))).toBe('ok');
    });

    it.each(['{', '{"a":1,}', "{'a':1}", '  ', 'NaN', '{"a":1}{', '[1] x'])(
      '%j: envelope.not_json',
      (value) => {
        expect(codeOf(value)).toBe('envelope.not_json');
      },
    );

    it.each([['[]'], ['1'], ['"x"'], ['null'], ['true']])('%s: envelope.not_object', (value) => {
      expect(codeOf(value)).toBe('envelope.not_object');
    });

    it('U+0000 in a value, in a key, in unknown fields and deep in data: envelope.nul_character', () => {
      const inValue = { ...good(), data: { note: 'a\u0000b' } };
      const inKey = { ...good(), data: { 'a\u0000': 1 } };
      const unknown = { ...good(), extra: ['\u0000'] };
      const deep = { ...good(), data: { a: [{ b: [{ c: '\u0000' }] }] } };
      for (const envelope of [inValue, inKey, unknown, deep]) {
        expect(codeOf(text(envelope))).toBe('envelope.nul_character');
        expect(codeOf(Buffer.from(text(envelope)))).toBe('envelope.nul_character');
      }
      expect(refusal(text(deep)).reason).toBe('A string at "/data/a/0/b/0/c" holds U+0000.');
      expect(refusal(text(inKey)).reason).toBe('A key of the object at "/data" holds U+0000.');
    });

    it('a lone surrogate, escaped in the JSON: envelope.lone_surrogate', () => {
      const escaped = text(good()).replace('"caseId"', '"\\ud800caseId"');
      expect(codeOf(escaped)).toBe('envelope.lone_surrogate');
      expect(codeOf(text({ ...good(), data: { note: '\udc00' } }))).toBe('envelope.lone_surrogate');
      // A pair is a character like any other.
      expect(codeOf(text({ ...good(), data: { note: '😀' } }))).toBe('ok');
    });

    it('another envelope version: envelope.unsupported_version', () => {
      expect(codeOf(text({ ...good(), envelopeVersion: 2 }))).toBe('envelope.unsupported_version');
      expect(codeOf(text({ ...good(), envelopeVersion: '1' }))).toBe('envelope.invalid_field');
    });

    it('each required field missing: envelope.invalid_field naming it', () => {
      for (const name of EVENT_ENVELOPE_SCHEMA.required) {
        const { [name]: _gone, ...rest } = good();
        expect(refusal(text(rest))).toEqual({
          ok: false,
          code: 'envelope.invalid_field',
          reason: `/${name} is missing.`,
        });
      }
    });

    const wrong: Array<[string, Record<string, unknown>]> = [
      ['/eventId', { eventId: 42 }],
      ['/eventId', { eventId: 'not-a-uuid' }],
      ['/eventId', { eventId: '0B9D6A52-5F43-4D1E-9C1E-2F7A8C3D4E51' }],
      ['/eventId', { eventId: `${EVENT.id}\n` }],
      ['/type', { type: '' }],
      ['/type', { type: 'Case.Submitted' }],
      ['/type', { type: 'submitted' }],
      ['/type', { type: `case.${'a'.repeat(196)}` }],
      ['/type', { type: ['case.submitted'] }],
      ['/schemaVersion', { schemaVersion: 0 }],
      ['/schemaVersion', { schemaVersion: 1.5 }],
      ['/schemaVersion', { schemaVersion: '2' }],
      ['/schemaVersion', { schemaVersion: 32768 }],
      ['/streamId', { streamId: '' }],
      ['/streamId', { streamId: 'case 1' }],
      ['/streamId', { streamId: 'case-\u0007' }],
      ['/streamId', { streamId: 'c'.repeat(201) }],
      ['/streamId', { streamId: '通'.repeat(201) }],
      ['/streamId', { streamId: null }],
      ['/streamVersion', { streamVersion: 0 }],
      ['/streamVersion', { streamVersion: 2 ** 31 }],
      ['/streamVersion', { streamVersion: -1 }],
      ['/streamVersion', { streamVersion: 2 ** 53 }],
      ['/globalPosition', { globalPosition: '81234-7' }],
      ['/globalPosition', { globalPosition: formatPosition(EVENT.position).slice(0, -1) + 'B' }],
      ['/globalPosition', { globalPosition: 'p' }],
      ['/globalPosition', { globalPosition: 81234 }],
      ['/occurredAt', { occurredAt: '2026-11-27T09:30:00.125+08:00' }],
      ['/occurredAt', { occurredAt: '2026-11-27T01:30:00Z' }],
      ['/occurredAt', { occurredAt: '2026-02-30T01:30:00.000Z' }],
      ['/occurredAt', { occurredAt: '2026-11-27T25:30:00.000Z' }],
      ['/occurredAt', { occurredAt: 1764207000125 }],
      ['/data', { data: [] }],
      ['/data', { data: null }],
      ['/data', { data: 'x' }],
      ['/metadata', { metadata: [] }],
      ['/metadata/correlationId', { metadata: { correlationId: 1 } }],
      ['/metadata/causationId', { metadata: { causationId: null } }],
      ['/metadata/channel', { metadata: { channel: {} } }],
      ['/metadata/actor', { metadata: { actor: 'cadre-1' } }],
      ['/metadata/actor/role', { metadata: { actor: { id: 'a' } } }],
      ['/metadata/actor/id', { metadata: { actor: { id: 1, role: 'cadre' } } }],
      ['/metadata/actor/orgUnit', { metadata: { actor: { id: 'a', role: 'cadre', orgUnit: 7 } } }],
      ['/personalData', { personalData: '/resident/name' }],
      ['/personalData/0', { personalData: ['resident/name'] }],
      ['/personalData/0', { personalData: [''] }],
      ['/personalData/0', { personalData: ['/a~2b'] }],
      ['/personalData/1', { personalData: ['/a', '/a'] }],
      ['/personalData/0', { personalData: [1] }],
    ];
    it.each(wrong)('%s: %j is envelope.invalid_field', (pointer, change) => {
      const parsed = refusal(text({ ...good(), ...change }));
      expect(parsed.code).toBe('envelope.invalid_field');
      expect(parsed.reason.startsWith(`${pointer} `)).toBe(true);
    });
  });

  it('keeps unknown fields, anywhere (additive changes within v1)', () => {
    const extended = {
      ...good(),
      tenant: 'pingcheng',
      metadata: { ...(good().metadata as object), traceId: 't', actor: { id: 'a', role: 'b', team: 'x' } },
    };
    const parsed = parseEnvelope(text(extended));
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect((parsed.envelope as EventEnvelope & { tenant: string }).tenant).toBe('pingcheng');
  });

  it('accepts the legitimate edges', () => {
    const edges: Array<Record<string, unknown>> = [
      { schemaVersion: 32767, streamVersion: 2 ** 31 - 1 },
      { streamId: '通'.repeat(200), type: `case.${'a'.repeat(195)}` },
      { streamId: '😀'.repeat(200) },
      { metadata: {}, personalData: [], data: {} },
      { personalData: ['/a~0b/~1c/0', '/'] },
      { occurredAt: '2028-02-29T23:59:59.999Z', schemaVersion: 1.0 },
      { globalPosition: formatPosition({ tx: 2n ** 64n - 1n, seq: 2n ** 64n - 1n }) },
      { globalPosition: formatPosition({ tx: 0n, seq: 0n }) },
    ];
    for (const edge of edges) expect(codeOf(text({ ...good(), ...edge }))).toBe('ok');
    expect(codeOf(` \n${text(good())}\t`)).toBe('ok');
  });

  it('reaches every code it declares, and never throws on hostile input (property)', () => {
    const reached = new Set<string>([
      codeOf(null),
      codeOf(Buffer.alloc(MAX_ENVELOPE_BYTES + 1)),
      codeOf(Buffer.from([0xff])),
      codeOf(nested(MAX_ENVELOPE_DEPTH + 1)),
      codeOf('{'),
      codeOf('{"a":"\\u0000"}'),
      codeOf('{"a":"\\ud800"}'),
      codeOf('[]'),
      codeOf(text({ ...good(), envelopeVersion: 9 })),
      codeOf('{}'),
    ]);
    expect([...reached].sort()).toEqual(Object.keys(ENVELOPE_ERROR_CODES).sort());
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.uint8Array().map((a) => Buffer.from(a)),
          fc.json(),
        ),
        (value) => {
          const code = codeOf(value);
          expect(code === 'ok' || Object.hasOwn(ENVELOPE_ERROR_CODES, code as EnvelopeErrorCode)).toBe(true);
        },
      ),
    );
  });
});
