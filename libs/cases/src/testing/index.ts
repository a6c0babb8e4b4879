/**
 * Test data for the case context, for specs and benchmarks only (never production code: the
 * dependency rules and the build both keep it out).
 */
export * from './case.fixtures';
export * from './legacy-events';
export * from './random-workload';
