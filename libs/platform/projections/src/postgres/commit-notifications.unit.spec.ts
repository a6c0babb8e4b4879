import type { Pool } from 'pg';
import { formatPosition, type EventStore, type GlobalPosition } from '@tongban/event-store';
import { CommittedPositions, LocalCommitSignal } from './commit-notifications';
import { ReadModelConsistency } from './consistency';

/**
 * Issue 12's latency work: the runner reports the checkpoints each commit wrote, in-process and in
 * its NOTIFY, so a consistency wait those positions already answer reads nothing. Every position
 * held is at most what the database holds — never an answer given too early.
 */
const at = (tx: number, seq = 1): GlobalPosition => ({ tx: BigInt(tx), seq: BigInt(seq) });

/** A pool and store that fail the test if the wait reads anything. */
const untouchable = {
  pool: {
    query: () => Promise.reject(new Error('the wait read the database')),
  } as unknown as Pool,
  store: {
    headPosition: () => Promise.reject(new Error('the wait read the head')),
  } as unknown as Pick<EventStore, 'headPosition'>,
};

describe('CommittedPositions', () => {
  it('only moves forward, as checkpoints do', () => {
    const positions = new CommittedPositions();
    positions.record(new Map([['a', at(10)]]));
    positions.record(new Map([['a', at(5)]]));
    expect(positions.lowest(['a'])).toEqual(at(10));
    positions.record(new Map([['a', at(10, 3)]]));
    expect(positions.lowest(['a'])).toEqual(at(10, 3));
  });

  it('answers the lowest of the read models asked for, and nothing while one of them is unknown', () => {
    const positions = new CommittedPositions();
    positions.record(
      new Map([
        ['a', at(10)],
        ['b', at(7)],
      ]),
    );
    expect(positions.lowest(['a', 'b'])).toEqual(at(7));
    expect(positions.lowest(['a'])).toEqual(at(10));
    expect(positions.lowest(['a', 'c'])).toBeUndefined();
  });

  it('travels in a NOTIFY payload, and ignores a payload it does not understand', () => {
    const sent = new CommittedPositions();
    sent.record(
      new Map([
        ['a', at(10, 2)],
        ['b', at(9)],
      ]),
    );
    const received = new CommittedPositions();
    received.recordPayload(sent.toPayload());
    expect(received.lowest(['a'])).toEqual(at(10, 2));
    expect(received.lowest(['a', 'b'])).toEqual(at(9));
    for (const garbage of ['', 'null', '[1]', '{"a": 5}', '{"a": "not-a-token"}', 'not json']) {
      received.recordPayload(garbage);
    }
    expect(received.lowest(['a', 'b'])).toEqual(at(9));
    expect(JSON.parse(sent.toPayload())).toEqual({ a: formatPosition(at(10, 2)), b: formatPosition(at(9)) });
  });
});

describe('ReadModelConsistency on a signal that knows the committed checkpoints', () => {
  it('answers a wait the runner’s commits already reached without reading the database', async () => {
    const commits = new LocalCommitSignal();
    commits.committed(
      new Map([
        ['a', at(10)],
        ['b', at(12)],
      ]),
    );
    const consistency = new ReadModelConsistency({ ...untouchable, commits });
    await expect(consistency.waitFor(['a', 'b'], at(10), 1_000)).resolves.toEqual({
      reached: true,
      position: at(10),
    });
  });

  it('wakes a waiting query on the commit that reaches its position, and answers from it', async () => {
    const commits = new LocalCommitSignal();
    commits.committed(new Map([['a', at(5)]]));
    const reads: string[] = [];
    const pool = {
      query: (sql: string) => {
        reads.push(sql);
        // The rows say what the signal said (not there yet); the target is a fresh commit
        // (between xmin and xmax), worth waiting for.
        return Promise.resolve({
          rows: sql.includes('projection_checkpoints')
            ? [{ projection: 'a', position_tx: '5', position_seq: '1', events_applied: '1' }]
            : [{ xmin: '1', xmax: '1000' }],
        });
      },
    } as unknown as Pool;
    const consistency = new ReadModelConsistency({
      pool,
      store: untouchable.store,
      commits,
      pollIntervalMs: 60_000,
    });
    const waiting = consistency.waitFor(['a'], at(8), 10_000);
    while (reads.length < 2) await new Promise((resolve) => setImmediate(resolve));
    commits.committed(new Map([['a', at(8)]]));
    await expect(waiting).resolves.toEqual({ reached: true, position: at(8) });
    // One look at the rows and the horizon before sleeping; the commit answered the rest.
    expect(reads).toHaveLength(2);
  });
});
