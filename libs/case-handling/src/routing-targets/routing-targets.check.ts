import type { ActorRef, CaseCommand, CaseState, ReferralTarget } from '@tongban/cases';
import type { DirectoryLookup, DirectoryUnit, DirectoryUnitKind } from '@tongban/directory';
import { TongbanError } from '@tongban/errors';
import { covers } from '../access/case-access.policy';
import { localDay } from '../submit-case/case-number-blocks';

/**
 * Where a case is sent must exist (issue 10, ADR 0012): dispatch and hand-over name a cadre and
 * the community they work in, a referral names a street's office or a stationed agency. The
 * decider sees one case and takes these as strings; this check asks the directory (through the
 * `DirectoryLookup` port) before anything is decided, after the access policy. A refusal is 422
 * and appends nothing.
 */

/** The cadre or unit named is not one the system knows (a resident's id, a typo, no such office). */
export class UnknownTargetError extends TongbanError {
  readonly code = 'case.unknown_target';
  readonly kind = 'unprocessable';
}

/** The cadre named does not work in the community named with them. */
export class TargetNotInUnitError extends TongbanError {
  readonly code = 'case.target_not_in_unit';
  readonly kind = 'unprocessable';
}

/** The unit exists but is not the kind the action sends to (a street for a dispatch, an agency as an `office`). */
export class TargetWrongKindError extends TongbanError {
  readonly code = 'case.target_wrong_kind';
  readonly kind = 'unprocessable';
}

/** The unit is outside where the action may send the case: another street, or the dispatcher's scope. */
export class TargetOutOfScopeError extends TongbanError {
  readonly code = 'case.target_out_of_scope';
  readonly kind = 'unprocessable';
}

/** The cadre named is away that day (on leave, or no longer in post): a case would wait on nobody. */
export class TargetAbsentError extends TongbanError {
  readonly code = 'case.target_absent';
  readonly kind = 'unprocessable';
}

/** The unit kinds a referral of each target kind goes to. */
const REFERRAL_KINDS: Readonly<Record<ReferralTarget, readonly DirectoryUnitKind[]>> = {
  office: ['office', 'serviceUnit'],
  agency: ['stationedAgency'],
};

/**
 * Checks the targets of a dispatch, hand-over or referral; every other command passes. A cadre
 * must be present on the command's day in the district's `timeZone`.
 */
export async function checkRoutingTargets(
  command: CaseCommand,
  state: CaseState,
  directory: DirectoryLookup,
  timeZone: string,
): Promise<void> {
  // A case that does not exist is the decider's 404, whatever it would be sent to.
  if (state.status === 'none') return;
  if (command.type === 'DispatchCase') {
    const unit = await community(directory, command.ownerOrgUnit);
    if (!dispatchesTo(command.actor, unit)) {
      throw new TargetOutOfScopeError(`${unit.code} is outside the unit you dispatch for.`);
    }
    await cadreOf(directory, command.ownerId, unit, localDay(command.at, timeZone));
  } else if (command.type === 'HandOverCase') {
    const unit = await community(directory, command.toOrgUnit);
    await requireOwnersStreet(directory, state, unit, 'A case is handed over within its owner’s street');
    await cadreOf(directory, command.toCadreId, unit, localDay(command.at, timeZone));
  } else if (command.type === 'ReferStep') {
    const unit = await existing(directory, command.toOrgUnit);
    if (!REFERRAL_KINDS[command.target].includes(unit.kind)) {
      throw new TargetWrongKindError(
        command.target === 'office'
          ? `${unit.code} is not one of a street's offices or service units.`
          : `${unit.code} is not a stationed agency.`,
      );
    }
    await requireOwnersStreet(directory, state, unit, 'A step is referred to a unit of its owner’s street');
  }
}

async function existing(directory: DirectoryLookup, code: string): Promise<DirectoryUnit> {
  const answer = await directory.unit(code);
  if (answer.found === 'unknown') throw new UnknownTargetError(`There is no org unit ${code}.`);
  return answer.unit;
}

async function community(directory: DirectoryLookup, code: string): Promise<DirectoryUnit> {
  const unit = await existing(directory, code);
  if (unit.kind !== 'community') {
    throw new TargetWrongKindError(`${code} is a ${unit.kind}: a case is owned in a community.`);
  }
  return unit;
}

/**
 * The cadre must be one, work in `unit` and be present on `day` (where the lookup knows); an id
 * the lookup cannot verify is taken on trust.
 */
async function cadreOf(
  directory: DirectoryLookup,
  id: string,
  unit: DirectoryUnit,
  day: string,
): Promise<void> {
  const person = await directory.person(id, day);
  switch (person.found) {
    case 'cadre':
      if (person.community !== unit.code) {
        throw new TargetNotInUnitError(`Cadre ${id} does not work in ${unit.code}.`);
      }
      if (person.present === false) {
        throw new TargetAbsentError(`Cadre ${id} is away that day (on leave or no longer in post).`);
      }
      return;
    case 'not_a_cadre':
    case 'unknown':
      // The same answer for both: which ids belong to residents is not the caller's to learn.
      throw new UnknownTargetError(`There is no cadre ${id}.`);
    case 'unverified':
      return;
    default: {
      const never: never = person;
      throw new Error(`unknown person lookup ${JSON.stringify(never)}`);
    }
  }
}

/** A person dispatches within their unit; the system (auto-dispatch, later) anywhere. */
function dispatchesTo(actor: ActorRef, unit: DirectoryUnit): boolean {
  if (actor.role === 'system') return true;
  return actor.orgUnit !== undefined && covers(actor.orgUnit, unit.code);
}

/**
 * Hand-overs and referrals stay in the street of the case's owner. A case whose owner's unit the
 * directory does not know (recorded before units were checked) is let go anywhere valid: refusing
 * would leave it no way out.
 */
async function requireOwnersStreet(
  directory: DirectoryLookup,
  state: CaseState,
  unit: DirectoryUnit,
  rule: string,
): Promise<void> {
  // Without an owner the decider refuses the command anyway.
  if (!('ownerOrgUnit' in state)) return;
  const owner = await directory.unit(state.ownerOrgUnit);
  if (owner.found === 'unknown' || owner.unit.street === null) return;
  if (unit.street !== owner.unit.street) {
    throw new TargetOutOfScopeError(`${rule}: ${unit.code} is not in ${owner.unit.street}.`);
  }
}
