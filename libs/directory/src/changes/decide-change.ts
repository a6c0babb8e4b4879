import type { Directory } from '../directory';
import { isSimplePolygon, polygonsOverlap } from '../locating/geometry';
import type { AddressRecord, MatterRecord, Ring, StreetUnitRecord } from '../model';
import type { AppointedCadre, CatalogueEvent, ChangeStamp, DirectoryEvent } from './directory-events';
import { addDays, isDay } from '../days';
import { DirectoryError } from './directory.errors';

/**
 * What an admin asks of the directory (issue 13): one change each, with who and why
 * (`ChangeStamp`). `decideChange` checks it against the directory as it is and answers the events
 * that record it, or refuses with a `DirectoryError` — nothing is half applied: every check runs
 * before anything is decided. Pure: the directory at one version is all it reads.
 */
export type DirectoryChange =
  | { readonly type: 'NameDistrict'; readonly code: string; readonly name: string }
  | { readonly type: 'AddStreet'; readonly code: string; readonly name: string }
  | { readonly type: 'AddCommunity'; readonly code: string; readonly name: string }
  | { readonly type: 'DrawGrid'; readonly code: string; readonly name: string; readonly boundary: Ring }
  | { readonly type: 'AssignGridCadre'; readonly grid: string; readonly cadreId: string | null }
  | { readonly type: 'AppointCadre'; readonly cadre: AppointedCadre }
  | { readonly type: 'EndCadrePost'; readonly cadreId: string }
  | {
      readonly type: 'RecordLeave';
      readonly cadreId: string;
      readonly from: string;
      readonly to: string;
      readonly standInId: string | null;
    }
  | {
      readonly type: 'SetDutyRota';
      readonly community: string;
      readonly days: readonly { readonly day: string; readonly cadreId: string }[];
    }
  | { readonly type: 'AddUnit'; readonly unit: StreetUnitRecord }
  | {
      readonly type: 'RegisterAddresses';
      readonly addresses: readonly { readonly text: string; readonly grid: string }[];
    }
  | { readonly type: 'SetMatter'; readonly matter: MatterRecord };

export type DirectoryChangeType = DirectoryChange['type'];

/** The longest leave or rota one change records, in days. */
export const MAX_CHANGE_DAYS = 366;

export type DecidedChange =
  | { readonly stream: 'directory'; readonly events: readonly DirectoryEvent[] }
  | { readonly stream: 'catalogue'; readonly events: readonly CatalogueEvent[] };

/**
 * The events recording `change`, decided against `directory` (undefined: the directory has no
 * district yet, and naming one is the only change that makes sense).
 */
export function decideChange(
  directory: Directory | undefined,
  change: DirectoryChange,
  stamp: ChangeStamp,
): DecidedChange {
  if (change.type === 'NameDistrict') {
    if (directory) {
      throw new DirectoryError(
        'directory.already_exists',
        `The directory's district is ${directory.districtCode} already.`,
      );
    }
    return one({
      ...stamp,
      type: 'directory.district_named',
      district: { code: change.code, name: change.name },
    });
  }
  if (!directory) {
    throw new DirectoryError('directory.unknown_parent', 'The directory has no district yet: name it first.');
  }
  switch (change.type) {
    case 'AddStreet': {
      requireParent(directory, change.code, 'district', 'code');
      if (directory.street(change.code)) throw exists(`Street ${change.code}`);
      return one({
        ...stamp,
        type: 'directory.street_added',
        street: { code: change.code, name: change.name },
      });
    }
    case 'AddCommunity': {
      const street = requireParent(directory, change.code, 'street', 'code');
      if (directory.community(change.code)) throw exists(`Community ${change.code}`);
      return one({
        ...stamp,
        type: 'directory.community_added',
        community: { code: change.code, street, name: change.name },
      });
    }
    case 'DrawGrid': {
      const community = requireParent(directory, change.code, 'community', 'code');
      checkBoundary(directory, change.code, change.boundary);
      return one({
        ...stamp,
        type: 'directory.grid_drawn',
        code: change.code,
        community,
        name: change.name,
        boundary: change.boundary.map((p) => ({ lng: p.lng, lat: p.lat })),
      });
    }
    case 'AssignGridCadre': {
      const grid = directory.grid(change.grid);
      if (!grid) throw notFound(`Grid ${change.grid}`);
      if (change.cadreId !== null) requireCadreOf(directory, change.cadreId, grid.community, 'cadreId');
      return one({
        ...stamp,
        type: 'directory.grid_cadre_assigned',
        grid: grid.code,
        cadreId: change.cadreId,
      });
    }
    case 'AppointCadre':
      return one({
        ...stamp,
        type: 'directory.cadre_appointed',
        cadre: checkAppointment(directory, change.cadre),
      });
    case 'EndCadrePost': {
      const cadre = directory.cadre(change.cadreId);
      if (!cadre) throw notFound(`Cadre ${change.cadreId}`);
      if (cadre.status !== 'active') {
        throw new DirectoryError(
          'directory.cadre_not_in_post',
          `Cadre ${cadre.id} has left the post already.`,
        );
      }
      const releasedGrids = directory.snapshot.grids
        .filter((g) => g.responsibleCadreId === cadre.id)
        .map((g) => g.code);
      return one({ ...stamp, type: 'directory.cadre_left_post', cadreId: cadre.id, releasedGrids });
    }
    case 'RecordLeave':
      return one({ ...stamp, type: 'directory.leave_recorded', ...checkLeave(directory, change) });
    case 'SetDutyRota':
      checkRota(directory, change);
      return one({
        ...stamp,
        type: 'directory.duty_rota_set',
        community: change.community,
        days: change.days.map(({ day, cadreId }) => ({ day, cadreId })),
      });
    case 'AddUnit': {
      const street = requireParent(directory, change.unit.code, 'street', 'code');
      if (street !== change.unit.street) {
        throw new DirectoryError(
          'directory.unknown_parent',
          `Unit ${change.unit.code} is not under ${change.unit.street}.`,
        );
      }
      if (directory.snapshot.units.some((u) => u.code === change.unit.code))
        throw exists(`Unit ${change.unit.code}`);
      return one({ ...stamp, type: 'directory.unit_added', unit: { ...change.unit } });
    }
    case 'RegisterAddresses':
      return one({
        ...stamp,
        type: 'directory.addresses_registered',
        addresses: checkAddresses(directory, change.addresses),
      });
    case 'SetMatter':
      checkResponsibleUnit(directory, change.matter);
      return {
        stream: 'catalogue',
        events: [{ ...stamp, type: 'catalogue.matter_set', matter: { ...change.matter } }],
      };
  }
}

function one(event: DirectoryEvent): DecidedChange {
  return { stream: 'directory', events: [event] };
}

const exists = (what: string): DirectoryError =>
  new DirectoryError('directory.already_exists', `${what} is in the directory already.`);
const notFound = (what: string): DirectoryError =>
  new DirectoryError('directory.not_found', `${what} is not in the directory.`);

/**
 * The parent a code names by its format (ADR 0009: a unit's code is its parent's code and one
 * more segment), which must exist and be of `kind`; answers the parent's code. Codes name their
 * parents, so the org tree has no cycle to refuse: a unit cannot be moved under itself.
 */
function requireParent(
  directory: Directory,
  code: string,
  kind: 'district' | 'street' | 'community',
  field: string,
): string {
  const cut = code.lastIndexOf('.');
  const parent = cut > 0 ? code.slice(0, cut) : '';
  const found =
    kind === 'district'
      ? parent === directory.districtCode
      : kind === 'street'
        ? directory.street(parent) !== undefined
        : directory.community(parent) !== undefined;
  if (!found) {
    throw new DirectoryError(
      'directory.unknown_parent',
      `${code}: its ${kind} ${parent || '(none)'} is not in the directory.`,
      [{ field, reason: 'unknownParent', message: `no ${kind} ${parent || '(none)'}` }],
    );
  }
  return parent;
}

function checkBoundary(directory: Directory, code: string, boundary: Ring): void {
  const valid =
    boundary.length >= 3 &&
    boundary.every(
      (p) =>
        Number.isFinite(p.lat) && Number.isFinite(p.lng) && Math.abs(p.lat) <= 90 && Math.abs(p.lng) <= 180,
    ) &&
    isSimplePolygon(boundary);
  if (!valid) {
    throw new DirectoryError(
      'directory.invalid_boundary',
      `Grid ${code}: the boundary is not a simple polygon of at least three valid points.`,
      [{ field: 'boundary', reason: 'notSimplePolygon', message: 'a simple polygon of valid points' }],
    );
  }
  const overlapping = directory.snapshot.grids.find(
    (g) => g.code !== code && polygonsOverlap(g.boundary, boundary),
  );
  if (overlapping) {
    throw new DirectoryError(
      'directory.grids_overlap',
      `Grid ${code}: the boundary overlaps grid ${overlapping.code} (grids may share edges, not area).`,
      [{ field: 'boundary', reason: 'overlaps', message: `overlaps ${overlapping.code}` }],
    );
  }
}

/** The cadre, in post in `community`; refused otherwise, naming `field`. */
function requireCadreOf(directory: Directory, cadreId: string, community: string, field: string): void {
  const cadre = directory.cadre(cadreId);
  if (!cadre || cadre.status !== 'active') {
    throw new DirectoryError('directory.unknown_cadre', `${cadreId} is not a cadre in post.`, [
      { field, reason: 'unknownCadre', message: `${cadreId} is not a cadre in post` },
    ]);
  }
  if (cadre.community !== community) {
    throw new DirectoryError(
      'directory.not_in_community',
      `${cadreId} works in ${cadre.community}, not ${community}.`,
      [{ field, reason: 'notInCommunity', message: `works in ${cadre.community}` }],
    );
  }
}

function checkAppointment(directory: Directory, cadre: AppointedCadre): AppointedCadre {
  if (!directory.community(cadre.community)) {
    throw new DirectoryError(
      'directory.unknown_parent',
      `Community ${cadre.community} is not in the directory.`,
      [{ field: 'community', reason: 'unknownParent', message: `no community ${cadre.community}` }],
    );
  }
  const before = directory.cadre(cadre.id);
  if (before?.status === 'active') {
    if (before.community === cadre.community) throw exists(`Cadre ${cadre.id}`);
    throw new DirectoryError(
      'directory.cadre_in_two_communities',
      `${cadre.id} is in post in ${before.community}: a cadre works in one community; end that post first.`,
      [{ field: 'id', reason: 'inAnotherCommunity', message: `in post in ${before.community}` }],
    );
  }
  const badge = directory.snapshot.cadres.find(
    (c) => c.status === 'active' && c.badge === cadre.badge && c.id !== cadre.id,
  );
  if (badge) {
    throw new DirectoryError('directory.badge_taken', `Badge ${cadre.badge} is worn by ${badge.id}.`, [
      { field: 'badge', reason: 'badgeTaken', message: `worn by ${badge.id}` },
    ]);
  }
  return {
    id: cadre.id,
    badge: cadre.badge,
    name: cadre.name,
    community: cadre.community,
    post: cadre.post,
    duties: [...cadre.duties],
    phone: cadre.phone,
    demo: cadre.demo,
  };
}

function checkLeave(
  directory: Directory,
  change: Extract<DirectoryChange, { type: 'RecordLeave' }>,
): { cadreId: string; from: string; to: string; standInId: string | null } {
  const cadre = directory.cadre(change.cadreId);
  if (!cadre) throw notFound(`Cadre ${change.cadreId}`);
  if (cadre.status !== 'active') {
    throw new DirectoryError('directory.cadre_not_in_post', `Cadre ${cadre.id} has left the post.`);
  }
  const days = daysBetween(change.from, change.to);
  if (change.standInId !== null) {
    if (change.standInId === cadre.id) {
      throw new DirectoryError('directory.stand_in_cycle', `${cadre.id} cannot stand in for themselves.`, [
        { field: 'standInId', reason: 'standInCycle', message: 'the cadre on leave' },
      ]);
    }
    requireCadreOf(directory, change.standInId, cadre.community, 'standInId');
    // Follow who stands in for the stand-in, day by day: coming back to the cadre is a cycle.
    for (const day of days) {
      const chain = [cadre.id, change.standInId];
      let next = directory.standInFor(change.standInId, day);
      while (next !== undefined) {
        if (chain.includes(next)) {
          throw new DirectoryError(
            'directory.stand_in_cycle',
            `On ${day} the stand-ins go round in a circle: ${[...chain, next].join(' → ')}.`,
            [{ field: 'standInId', reason: 'standInCycle', message: [...chain, next].join(' → ') }],
          );
        }
        chain.push(next);
        next = directory.standInFor(next, day);
      }
    }
  }
  return { cadreId: cadre.id, from: change.from, to: change.to, standInId: change.standInId };
}

function checkRota(directory: Directory, change: Extract<DirectoryChange, { type: 'SetDutyRota' }>): void {
  if (!directory.community(change.community)) throw notFound(`Community ${change.community}`);
  if (change.days.length === 0) {
    throw new DirectoryError('directory.rota_gap', 'A rota names at least one day.', [
      { field: 'days', reason: 'rotaGap', message: 'no days' },
    ]);
  }
  const first = change.days[0]!.day;
  const last = change.days[change.days.length - 1]!.day;
  const span = daysBetween(first, last, 'days');
  const given = new Map<string, number>();
  change.days.forEach(({ day }, i) => {
    if (given.has(day)) {
      throw new DirectoryError('directory.rota_gap', `${day} is in the rota twice.`, [
        { field: `days.${i}.day`, reason: 'dayTwice', message: `${day} twice` },
      ]);
    }
    given.set(day, i);
  });
  const missing = span.filter((day) => !given.has(day));
  if (missing.length > 0 || given.size !== span.length) {
    throw new DirectoryError(
      'directory.rota_gap',
      `The rota from ${first} to ${last} has nobody on ${missing.slice(0, 5).join(', ') || 'days out of order'}` +
        (missing.length > 5 ? ` and ${missing.length - 5} more days.` : '.'),
      [
        {
          field: 'days',
          reason: 'rotaGap',
          message: missing.length > 0 ? `missing ${missing[0]}` : 'out of order',
        },
      ],
    );
  }
  // Against the rota as it is: a new stretch starting after the current one ends would leave the
  // days between with nobody on duty.
  const known = directory.snapshot.duty.filter((d) => d.community === change.community).map((d) => d.day);
  const end = known.reduce((max, day) => (day > max ? day : max), '');
  if (end !== '' && first > addDays(end, 1)) {
    throw new DirectoryError(
      'directory.rota_gap',
      `${change.community}'s rota ends on ${end}: from ${addDays(end, 1)} to ${addDays(first, -1)} nobody would be on duty.`,
      [{ field: 'days', reason: 'rotaGap', message: `starts after ${addDays(end, 1)}` }],
    );
  }
  change.days.forEach(({ cadreId }, i) =>
    requireCadreOf(directory, cadreId, change.community, `days.${i}.cadreId`),
  );
}

function checkAddresses(
  directory: Directory,
  addresses: readonly { readonly text: string; readonly grid: string }[],
): AddressRecord[] {
  return addresses.map(({ text, grid }, i) => {
    const record = directory.grid(grid);
    if (!record) {
      throw new DirectoryError('directory.unknown_grid', `Grid ${grid} is not in the directory.`, [
        { field: `addresses.${i}.grid`, reason: 'unknownGrid', message: `no grid ${grid}` },
      ]);
    }
    return { text, community: record.community, grid };
  });
}

function checkResponsibleUnit(directory: Directory, matter: MatterRecord): void {
  const { kind, name } = matter.responsible;
  const found = directory.snapshot.units.some((u) =>
    kind === 'stationedAgency'
      ? u.kind === kind && u.agencyType === name
      : u.kind === kind && u.code === `${u.street}.${name}`,
  );
  if (!found) {
    throw new DirectoryError(
      'catalogue.unknown_responsible_unit',
      `No street has a ${kind} ${name}: the matter's responsible unit must be one the directory has.`,
      [{ field: 'responsible', reason: 'unknownUnit', message: `no ${kind} ${name}` }],
    );
  }
}

/** Every day from `from` to `to`, both included; refused when out of order or too long. */
function daysBetween(from: string, to: string, field = 'from'): string[] {
  if (!isDay(from) || !isDay(to) || from > to) {
    throw new DirectoryError('directory.invalid_days', `${from} to ${to} is not a span of days.`, [
      { field, reason: 'invalidDays', message: 'from must be a day on or before to' },
    ]);
  }
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) {
    days.push(day);
    if (days.length > MAX_CHANGE_DAYS) {
      throw new DirectoryError('directory.invalid_days', `A change covers at most ${MAX_CHANGE_DAYS} days.`, [
        { field, reason: 'tooManyDays', message: `at most ${MAX_CHANGE_DAYS} days` },
      ]);
    }
  }
  return days;
}
