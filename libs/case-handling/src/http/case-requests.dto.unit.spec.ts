import { ValidationFailedError, type FieldProblem } from '@tongban/errors';
import { createValidationPipe } from '@tongban/http';
import { SubmitCaseRequest } from './case-requests.dto';

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

async function problems(body: unknown): Promise<FieldProblem[]> {
  try {
    await pipe.transform(body, { type: 'body', metatype: SubmitCaseRequest });
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
