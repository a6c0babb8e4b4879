// @tongban/directory: public surface of this lib (see README.md). For now only the port routing
// asks; the directory itself arrives with the routing issue.
export {
  DIRECTORY_UNIT_KINDS,
  type DirectoryLookup,
  type DirectoryUnit,
  type DirectoryUnitKind,
  type PersonLookup,
  type UnitLookup,
} from './directory-lookup';
