import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { getMetadataStorage } from 'class-validator';
import { ValidationFailedError, type FieldProblem } from '@tongban/errors';
import { createValidationPipe } from '@tongban/http';
import { SubmitCaseRequest } from '../submit-case/submit-case.request.dto';

/**
 * Every request DTO of every use case: the exports of each `<use-case>/*.request.dto.ts`, found on
 * disk, so a new use case's DTO is checked without being listed here.
 */
const SOURCE = join(__dirname, '..');
const requests: Record<string, unknown> = Object.assign(
  {},
  ...readdirSync(SOURCE, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((folder) =>
      readdirSync(join(SOURCE, folder.name))
        .filter((file) => file.endsWith('.request.dto.ts'))
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- found at run time, on purpose
        .map((file) => require(join(SOURCE, folder.name, file)) as Record<string, unknown>),
    ),
);

/**
 * The intake DTO through the very pipe every app installs. A nested DTO guarded only by
 * `@ValidateNested()` lets `undefined` through (class-validator skips nested validation of a
 * missing value) and validates an array element by element, so `resident` and `location` need a
 * presence and an object rule of their own.
 */
const pipe = createValidationPipe();

const intake = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  channel: 'hotline',
  resident: { name: '王秀兰', phone: '13812341234' },
  location: { communityCode: 'pc.nanguan.yongtai' },
  title: '楼道灯不亮',
  description: '3号楼2单元楼道灯坏了一周。',
  ...overrides,
});

const without = (field: string): Record<string, unknown> => {
  const { [field]: _dropped, ...rest } = intake();
  return rest;
};

async function problems(
  body: unknown,
  metatype: new () => object = SubmitCaseRequest,
): Promise<FieldProblem[]> {
  try {
    await pipe.transform(body, { type: 'body', metatype });
  } catch (error) {
    if (error instanceof ValidationFailedError) return [...error.errors];
    throw error;
  }
  return [];
}

const fields = async (body: unknown): Promise<string[]> => [
  ...new Set((await problems(body)).map((p) => p.field)),
];

describe('SubmitCaseRequest', () => {
  it('accepts a complete intake', async () => {
    expect(await problems(intake())).toEqual([]);
  });

  it.each(['channel', 'resident', 'location', 'title', 'description'])(
    'refuses an intake without %s, naming the field',
    async (field) => {
      expect(await fields(without(field))).toEqual([field]);
    },
  );

  it.each([
    ['null', null],
    ['an array', []],
    ['an array of residents', [{ name: '王秀兰', phone: '13812341234' }]],
    ['a string', '王秀兰'],
  ])('refuses a resident that is %s', async (_what, resident) => {
    expect(await fields(intake({ resident }))).toEqual(['resident']);
  });

  it.each([
    ['null', null],
    ['an array', []],
  ])('refuses a location that is %s', async (_what, location) => {
    expect(await fields(intake({ location }))).toEqual(['location']);
  });

  it('still names the nested field of a resident that is there but incomplete', async () => {
    expect(await fields(intake({ resident: { name: '王秀兰' } }))).toEqual(['resident.phone']);
  });

  it('leaves attachments, matter code and category optional', async () => {
    expect(await problems(intake({ attachments: [{ ref: 'att-1' }], matterCode: 'PC-GGFW-0107' }))).toEqual(
      [],
    );
  });
});

/**
 * Every request DTO class, with its required free text: string properties that are not optional
 * and whose content no format (`@Matches`, `@IsIn`) already pins down.
 */
const REQUIRED_TEXT = Object.values(requests)
  .filter((value): value is new () => object => typeof value === 'function')
  .map((dto) => {
    const rules = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
    const byProperty = new Map<string, string[]>();
    for (const rule of rules) {
      byProperty.set(rule.propertyName, [
        ...(byProperty.get(rule.propertyName) ?? []),
        rule.name ?? rule.type,
      ]);
    }
    const required = [...byProperty]
      .filter(
        ([, names]) =>
          names.includes('isString') &&
          !['isOptional', 'matches', 'isIn'].some((rule) => names.includes(rule)),
      )
      .map(([property, names]) => ({ property, names }));
    return { dto, required };
  })
  .filter(({ required }) => required.length > 0);

describe('required text is never blank (checked before anything is claimed or appended)', () => {
  const BLANKS = [' ', '   ', '\t\n', '\u3000\u3000', '\u00a0', '\ufeff'];

  it('finds the request DTOs and their required text', () => {
    const names = REQUIRED_TEXT.map(
      ({ dto, required }) => `${dto.name}.${required.map((r) => r.property).join('|')}`,
    );
    expect(names).toEqual(
      expect.arrayContaining([
        'ResidentContactDto.name',
        'SubmitCaseRequest.title|description',
        'ReturnCaseRequest.reason',
        'SupplementResidentInfoRequest.note',
        'SuperviseCaseRequest.instruction',
        'ResolveCaseRequest.summary',
        'RevealContactRequest.reason',
      ]),
    );
  });

  it('puts @IsNotBlank() on every required string property of every request DTO', () => {
    const missing = REQUIRED_TEXT.flatMap(({ dto, required }) =>
      required.filter((r) => !r.names.includes('isNotBlank')).map((r) => `${dto.name}.${r.property}`),
    );
    expect(missing).toEqual([]);
  });

  it.each(
    REQUIRED_TEXT.flatMap(({ dto, required }) => required.map((r) => [dto.name, r.property, dto] as const)),
  )('%s refuses a blank %s, naming the field', async (_dto, property, dto) => {
    for (const blank of BLANKS) {
      const found = (await problems({ [property]: blank }, dto)).filter((p) => p.field === property);
      expect({ blank, found }).toEqual({
        blank,
        found: [{ field: property, reason: 'isNotBlank', message: `${property} must not be blank` }],
      });
    }
  });

  it.each(['title', 'description'])('refuses an intake whose %s is only white space', async (field) => {
    expect(await problems(intake({ [field]: ' \u3000 ' }))).toEqual([
      { field, reason: 'isNotBlank', message: `${field} must not be blank` },
    ]);
  });

  it('refuses a blank resident name, naming resident.name', async () => {
    expect(await fields(intake({ resident: { name: '  ', phone: '13812341234' } }))).toEqual([
      'resident.name',
    ]);
  });

  it('keeps text with something in it as sent: leading and trailing spaces are not trimmed', async () => {
    const pipe2 = createValidationPipe();
    const body = (await pipe2.transform(intake({ title: '  楼道灯不亮 ' }), {
      type: 'body',
      metatype: SubmitCaseRequest,
    })) as SubmitCaseRequest;
    expect(body.title).toBe('  楼道灯不亮 ');
  });
});
