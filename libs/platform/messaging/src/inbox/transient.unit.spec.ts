import { isTransientFailure } from './transient';

describe('isTransientFailure: what a consumer waits out instead of counting against the message', () => {
  it.each([
    ['a lost connection (08006)', Object.assign(new Error('connection failure'), { code: '08006' })],
    ['too many connections (53300)', Object.assign(new Error('too many clients'), { code: '53300' })],
    ['an admin shutdown (57P01)', Object.assign(new Error('terminating connection'), { code: '57P01' })],
    ['a deadlock (40P01)', Object.assign(new Error('deadlock detected'), { code: '40P01' })],
    ['a serialization failure (40001)', Object.assign(new Error('could not serialize'), { code: '40001' })],
    [
      'a refused socket',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ],
    ['node-postgres losing its connection', new Error('Connection terminated unexpectedly')],
    ['a pool that cannot connect in time', new Error('timeout exceeded when trying to connect')],
    [
      'a table not migrated yet (42P01)',
      Object.assign(new Error('relation does not exist'), { code: '42P01' }),
    ],
    [
      'a transient cause under a wrapper',
      new Error('batch failed', { cause: Object.assign(new Error('gone'), { code: '57P03' }) }),
    ],
  ])('%s is transient', (_what, error) => {
    expect(isTransientFailure(error)).toBe(true);
  });

  it.each([
    ['a handler bug', new TypeError("Cannot read properties of undefined (reading 'caseId')")],
    ['a constraint the data breaks (23505)', Object.assign(new Error('duplicate key'), { code: '23505' })],
    ['bad input to a statement (22P02)', Object.assign(new Error('invalid input syntax'), { code: '22P02' })],
    ['a value out of range (22003)', Object.assign(new Error('out of range'), { code: '22003' })],
    ['not an error at all', 'a string'],
    ['nothing', undefined],
  ])('%s is not', (_what, error) => {
    expect(isTransientFailure(error)).toBe(false);
  });
});
