/** The projections this deployable knows (to run, to rebuild, or to wait for). */
export const PROJECTIONS = Symbol('PROJECTIONS');
