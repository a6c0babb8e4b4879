// @tongban/cases: the case context's public surface (see README.md).
export * from './case.types';
export * from './case.commands';
export * from './case.events';
export * from './case.errors';
export * from './case.state';
export { decide, evolve, replay } from './case.decider';
export { lifecycleOf } from './case.decider';
export * from './case.lifecycle';
export {
  CASE_EVENT_CODEC,
  EventCodec,
  UnknownEventTypeError,
  UnknownSchemaVersionError,
  type EventCodecDefinition,
  type StoredShape,
  type Upcaster,
} from './case.codec';
