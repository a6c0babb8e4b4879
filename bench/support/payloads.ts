import { randomUUID } from 'node:crypto';

/**
 * One event as every system under test receives it. The same objects go to the floor, to Emmett
 * and to Tongban: only the call that stores them differs.
 */
export interface BenchEvent {
  readonly id: string;
  readonly type: string;
  readonly data: { [key: string]: JsonLike };
  readonly metadata: {
    readonly correlationId: string;
    readonly causationId: string;
    readonly actor: { readonly id: string; readonly role: string; readonly orgUnit: string };
    readonly channel: string;
  };
}

export type JsonLike = string | number | boolean | null | JsonLike[] | { [key: string]: JsonLike };

export interface BenchAppend {
  readonly streamId: string;
  readonly events: readonly BenchEvent[];
}

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '磊', '洋', '艳', '勇', '军'];
const SERVICES = [
  { code: '4403050010001', name: '企业设立登记' },
  { code: '4403050020003', name: '居民身份证换领' },
  { code: '4403050030007', name: '最低生活保障申请' },
  { code: '4403050040002', name: '城乡居民养老保险参保登记' },
];
const STREETS = ['粤海街道', '南头街道', '蛇口街道', '招商街道', '沙河街道'];
const CHANNELS = ['online', 'counter', 'mobile-app', 'hotline'];

let serial = 0;

/** A `case.submitted`-like event: about 600 bytes of JSON data (UTF-8), Chinese text included. */
export function caseSubmitted(caseId: string): BenchEvent {
  const n = serial++;
  const service = SERVICES[n % SERVICES.length]!;
  const street = STREETS[n % STREETS.length]!;
  const name = `${SURNAMES[n % SURNAMES.length]!}${GIVEN[(n >> 3) % GIVEN.length]!}`;
  const correlationId = randomUUID();
  return {
    id: randomUUID(),
    type: 'case.submitted',
    data: {
      caseId,
      caseNumber: `SZNS-2025-${String(n).padStart(8, '0')}`,
      service: { code: service.code, name: service.name },
      applicant: {
        kind: 'person',
        name,
        idNumber: '4403**********' + String(1000 + (n % 9000)),
        phone: '138****' + String(1000 + (n % 9000)),
      },
      address: `广东省深圳市南山区${street}科技园路${(n % 200) + 1}号`,
      summary: `申请人${name}提交${service.name}申请，材料齐全。`,
      materials: [
        { code: 'M001', name: '申请表', attachment: `att-${n}-1` },
        { code: 'M002', name: '身份证明', attachment: `att-${n}-2` },
      ],
      slaWorkingDays: 5 + (n % 3),
      submittedAt: new Date(1_735_689_600_000 + n * 1000).toISOString(),
    },
    metadata: {
      correlationId,
      causationId: correlationId,
      actor: { id: `resident-${n % 5000}`, role: 'resident', orgUnit: `community.${street}` },
      channel: CHANNELS[n % CHANNELS.length]!,
    },
  };
}

/** `count` appends of `eventsPerAppend` events each, every append to a new stream. */
export function newStreamAppends(count: number, eventsPerAppend: number, prefix: string): BenchAppend[] {
  const appends: BenchAppend[] = [];
  for (let i = 0; i < count; i++) {
    const streamId = `case-${prefix}${randomUUID()}`;
    const events: BenchEvent[] = [];
    for (let j = 0; j < eventsPerAppend; j++) events.push(caseSubmitted(streamId));
    appends.push({ streamId, events });
  }
  return appends;
}

export function utf8Bytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}
