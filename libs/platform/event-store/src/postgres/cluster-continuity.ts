import type { Pool } from 'pg';

/** 2^32: an xid8 is the 32-bit transaction id under a 32-bit epoch. */
const EPOCH = 4_294_967_296n;

/** Where docs/operations.md says what to do (its heading's anchor). */
export const RESTORE_RUNBOOK = 'docs/operations.md#restore-into-a-new-cluster';

/**
 * The database holds events written by transaction ids this PostgreSQL cluster has not reached:
 * it was restored into (or failed over to) another cluster, whose counter starts lower. Serving
 * now would order new events before restored ones and hide restored ones from readers, so the
 * store refuses to start and names the runbook step that moves the counter past them.
 */
export class EventStoreClusterChangedError extends Error {
  constructor(
    readonly newestTx: bigint,
    readonly nextTx: bigint,
    /** What `pg_resetwal -e` must be given: an epoch above every stored transaction id. */
    readonly requiredEpoch: bigint,
  ) {
    super(
      `The event store's newest events were written by transaction ${newestTx}, but this PostgreSQL cluster ` +
        `hands out ${nextTx} next: the database was restored into, or failed over to, another cluster. ` +
        `Nothing was served. Follow ${RESTORE_RUNBOOK}, step 4: stop the server and run ` +
        `\`pg_resetwal -e ${requiredEpoch} -D <data directory>\` as its OS user, start it, then start this ` +
        `process again.`,
    );
    this.name = 'EventStoreClusterChangedError';
  }
}

/**
 * Positions are (transaction id, sequence) and readers read below the oldest running
 * transaction (ADR 0002), which holds only while every stored transaction id is below what the
 * cluster hands out next. True on the cluster that wrote them; not after pg_dump/pg_restore into
 * a fresh cluster (ids are copied as they were) or after promoting a standby that lags. Checked
 * at start-up by every process that opens the store, before it serves anything.
 */
export async function checkClusterContinuity(pool: Pool, schema = 'tongban_es'): Promise<void> {
  const { rows } = await pool.query<{ newest: string | null; next: string }>(
    `SELECT (SELECT max(tx)::text FROM ${schema}.events) AS newest,
            pg_snapshot_xmax(pg_current_snapshot())::text AS next`,
  );
  const row = rows[0]!;
  if (row.newest === null) return;
  const newest = BigInt(row.newest);
  const next = BigInt(row.next);
  if (newest < next) return;
  throw new EventStoreClusterChangedError(newest, next, newest / EPOCH + 1n);
}
