import type { CALENDAR_YEAR_LOADED } from '@tongban/case-handling';
import type { CaseEventType } from '@tongban/cases';
import type { DirectoryChangeEvent } from '@tongban/directory';
import type { JsonObject, JsonValue } from '@tongban/event-store';

/** Every event type that leaves the process (case events, directory and calendar changes). */
export type PublishedEventType = CaseEventType | DirectoryChangeEvent['type'] | typeof CALENDAR_YEAR_LOADED;

/** In a pattern, stands for every index of an array (RFC 6901 itself has no wildcard). */
export const ANY_INDEX = '*';

const RESIDENT = ['/resident/name', '/resident/phone', '/resident/idNumber'];
/** Where the matter is: often the resident's home, so its coordinates are as personal as its address. */
const LOCATION = ['/location/address', '/location/latitude', '/location/longitude'];
/** File names people give attachments carry names as often as not (`王芳身份证.jpg`). */
const ATTACHMENTS = [`/attachments/${ANY_INDEX}/name`];

/**
 * Per event type, patterns of JSON pointers (RFC 6901) into `data` of the values that are
 * personal data: a resident's name, phone and ID number, where they live, the names and phones of
 * staff. `*` stands for every index of an array. Free text a resident or cadre wrote (a
 * description, a note) may mention anything: it is not listed, and consumers treat it as
 * confidential anyway (docs/events.md). A type's list holds for every schema version of it; a
 * pointer a version lacks is simply absent from that event's `personalData`.
 */
export const PERSONAL_DATA_POINTERS: Readonly<Record<PublishedEventType, readonly string[]>> = {
  'case.submitted': [...RESIDENT, ...LOCATION, ...ATTACHMENTS],
  'case.dispatched': [],
  'case.routed': [],
  'case.accepted': [],
  'case.returned': [],
  'case.resident_contacted': [],
  'case.handling_step_recorded': ATTACHMENTS,
  'case.step_referred': [],
  'case.referral_completed': [],
  'case.suspended': [],
  'case.resumed': [],
  'case.handed_over': [],
  'case.hand_over_withdrawn': [],
  'case.hand_over_expired': [],
  'case.resolved': [],
  'case.feedback_recorded': [],
  'case.closed': [],
  'case.reopened': [],
  'case.withdrawn': [],
  'case.merged_into': [],
  'case.supervised': [],
  'case.extension_granted': [],
  'case.ruled_unreasonable': [],
  'case.sla_warning_raised': [],
  'case.sla_breached': [],
  'case.due_times_set': [],
  'case.feedback_window_expired': [],
  'case.resident_info_supplemented': ATTACHMENTS,
  'case.contact_revealed': [],
  // An import's part is in its data, not its type: every part's names are listed (a street's name
  // too), so a cadre's or a staff member's never goes unmarked.
  'directory.records_imported': [`/records/${ANY_INDEX}/name`, `/records/${ANY_INDEX}/phone`],
  'directory.district_named': [],
  'directory.street_added': [],
  'directory.community_added': [],
  'directory.grid_drawn': [],
  'directory.grid_cadre_assigned': [],
  'directory.cadre_appointed': ['/cadre/name', '/cadre/phone'],
  'directory.cadre_left_post': [],
  'directory.leave_recorded': [],
  'directory.duty_rota_set': [],
  'directory.unit_added': [],
  'directory.addresses_registered': [],
  'catalogue.records_imported': [],
  'catalogue.matter_set': [],
  'calendar.year_loaded': [],
};

const isObject = (value: JsonValue | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const unescapeToken = (token: string): string => token.replace(/~1/g, '/').replace(/~0/g, '~');
const escapeToken = (token: string): string => token.replace(/~/g, '~0').replace(/\//g, '~1');

/** The pointers a pattern names that exist in `data`, `*` expanded to each index there is. */
function pointersOf(pattern: string, data: JsonObject): string[] {
  let found: Array<readonly [string, JsonValue]> = [['', data]];
  for (const token of pattern.split('/').slice(1).map(unescapeToken)) {
    const next: Array<readonly [string, JsonValue]> = [];
    for (const [pointer, value] of found) {
      if (token === ANY_INDEX && Array.isArray(value)) {
        value.forEach((item, i) => next.push([`${pointer}/${i}`, item]));
      } else if (isObject(value) && Object.hasOwn(value, token)) {
        next.push([`${pointer}/${escapeToken(token)}`, value[token]!]);
      }
    }
    found = next;
  }
  return found.map(([pointer]) => pointer);
}

/**
 * The JSON pointers into `data` of an event of `type` that hold personal data: the envelope's
 * `personalData`. Only pointers to values that exist; none for a type not in the table.
 */
export function personalDataOf(type: string, data: JsonObject): string[] {
  const patterns = Object.hasOwn(PERSONAL_DATA_POINTERS, type)
    ? PERSONAL_DATA_POINTERS[type as PublishedEventType]
    : [];
  return patterns.flatMap((pattern) => pointersOf(pattern, data));
}
