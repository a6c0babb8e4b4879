// @tongban/cases: the case context's public surface (see README.md).
export * from './case.types';
export * from './case.commands';
export * from './case.events';
export * from './case.errors';
export * from './case.state';
export { decide, evolve, replay } from './case.decider';
export { upcastCaseEvent } from './case.upcasting';
