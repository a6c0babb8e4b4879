import { TongbanError, type ErrorKind, type FieldProblem } from '@tongban/errors';

/** Stable codes of what a directory or catalogue change is refused with. Added, never renamed. */
export const DIRECTORY_ERROR_KINDS = {
  /** The grid, cadre or community the request's path names is not in the directory. */
  'directory.not_found': 'not_found',
  /** A street, community, unit, cadre or district that exists already. */
  'directory.already_exists': 'conflict',
  /** The code's parent (the district, a street, a community) is not in the directory. */
  'directory.unknown_parent': 'unprocessable',
  /** A grid boundary that is not a simple polygon of valid points. */
  'directory.invalid_boundary': 'unprocessable',
  /** A grid boundary that overlaps another grid (sharing an edge is fine). */
  'directory.grids_overlap': 'unprocessable',
  /** A cadre the request names who is not in the directory, or no longer in post. */
  'directory.unknown_cadre': 'unprocessable',
  /** A cadre the request names who works in another community. */
  'directory.not_in_community': 'unprocessable',
  /** Appointing a cadre who is in post in another community: they leave that post first. */
  'directory.cadre_in_two_communities': 'conflict',
  /** A badge number another cadre in post wears. */
  'directory.badge_taken': 'conflict',
  /** The cadre has left the post already. */
  'directory.cadre_not_in_post': 'conflict',
  /** A stand-in chain that comes back to the cadre on leave: nobody would take the grid. */
  'directory.stand_in_cycle': 'unprocessable',
  /** A duty rota with a day missing or twice, or leaving days with nobody on duty. */
  'directory.rota_gap': 'unprocessable',
  /** Days out of order, or a span longer than a change takes. */
  'directory.invalid_days': 'unprocessable',
  /** An address registered in a grid the directory does not have. */
  'directory.unknown_grid': 'unprocessable',
  /** A matter made the responsibility of an office or agency no street has. */
  'catalogue.unknown_responsible_unit': 'unprocessable',
  /** Other changes kept landing first: nothing was changed; try again. */
  'directory.changed_concurrently': 'conflict',
} as const satisfies Record<string, ErrorKind>;

export type DirectoryErrorCode = keyof typeof DIRECTORY_ERROR_KINDS;

export class DirectoryError extends TongbanError {
  readonly kind: ErrorKind;

  constructor(
    readonly code: DirectoryErrorCode,
    message: string,
    errors: readonly FieldProblem[] = [],
  ) {
    super(message, errors);
    this.kind = DIRECTORY_ERROR_KINDS[code];
  }
}
