// Locating without outside services (issue 13): address text and points → community and grid.
export {
  AddressIndex,
  DEFAULT_ENCLOSING_REGIONS,
  type AddressMatch,
  type AddressPlaces,
  type AddressResolution,
} from './address-index';
export {
  COLLINEAR_TOLERANCE,
  classifyPoint,
  isSimplePolygon,
  polygonsOverlap,
  type PointPlacement,
} from './geometry';
export { GridLocator, assertValidPoint } from './grid-locator';
export { InvalidPointError, LOCATING_ERROR_KINDS, type LocatingErrorCode } from './locating.errors';
export { normalizeAddress } from './normalize-address';
