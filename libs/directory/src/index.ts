// @tongban/directory: public surface of this lib (see README.md).
export {
  DIRECTORY_UNIT_KINDS,
  type DirectoryLookup,
  type DirectoryUnit,
  type DirectoryUnitKind,
  type PersonLookup,
  type UnitLookup,
} from './directory-lookup';
export type {
  AddressRecord,
  CadreRecord,
  CommunityRecord,
  DirectorySnapshot,
  DistrictRecord,
  DutyRecord,
  GridRecord,
  LeaveRecord,
  MatterRecord,
  Point,
  ResponsibleUnit,
  Ring,
  RotationRecord,
  StaffRecord,
  StreetRecord,
  StreetUnitRecord,
} from './model';
export { Directory, type Locators, type Place } from './directory';
export {
  ROUTING_RULES,
  locate,
  routeCase,
  type Located,
  type LocatedBy,
  type CadreRule,
  type QueueRule,
  type RoutingDecision,
  type RoutingLocation,
  type RoutingRequest,
  type RoutingRule,
} from './routing/route-case';
export { DEMO_ROTA_FROM, DEMO_ROTA_WEEKS, pingchengDemoDistrict, type PingchengDemoOptions } from './demo';
export * from './locating';
export {
  CATALOGUE_EVENT_TYPES,
  CATALOGUE_STREAM,
  DIRECTORY_EVENT_TYPES,
  DIRECTORY_STREAM,
  IMPORT_PARTS,
  streamOf,
  type AppointedCadre,
  type CatalogueEvent,
  type ChangeStamp,
  type DirectoryChangeEvent,
  type DirectoryEvent,
  type DirectoryStreamId,
  type ImportPart,
  type ImportedSections,
} from './changes/directory-events';
export { DirectoryState } from './changes/directory-state';
export {
  MAX_CHANGE_DAYS,
  decideChange,
  type DecidedChange,
  type DirectoryChange,
  type DirectoryChangeType,
} from './changes/decide-change';
export { DIRECTORY_ERROR_KINDS, DirectoryError, type DirectoryErrorCode } from './changes/directory.errors';
export { MAX_IMPORT_EVENT_BYTES, importEvents, type ImportEvents } from './changes/import-events';
