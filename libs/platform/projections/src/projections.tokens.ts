/** The projections this deployable knows (to run, to rebuild, or to wait for). */
export const PROJECTIONS = Symbol('PROJECTIONS');
/**
 * How rebuilds exclude each other here (`RebuildOptions.exclusion`): `database` where the pool has
 * connections to spare, `process` on a single-connection database (standalone's PGlite).
 */
export const REBUILD_EXCLUSION = Symbol('REBUILD_EXCLUSION');
/** The deployable's `ProjectionDriver`: the store's runner or the Kafka projector (ADR 0030). */
export const PROJECTION_DRIVER = Symbol('PROJECTION_DRIVER');
