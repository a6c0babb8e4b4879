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
  type QueueRule,
  type RoutingDecision,
  type RoutingLocation,
  type RoutingRequest,
  type RoutingRule,
} from './routing/route-case';
export { DEMO_ROTA_FROM, DEMO_ROTA_WEEKS, pingchengDemoDistrict, type PingchengDemoOptions } from './demo';
export * from './locating';
