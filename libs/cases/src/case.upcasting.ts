import type { CaseSubmitted } from './case.events';
import type { AttachmentRef, CaseLocation, ResidentContact } from './case.types';

/**
 * The upcaster of `case.submitted` from v1 to v2 (ADR 0008, the codec in case.codec.ts): v1
 * events recorded before the edge and the decider required every field (an intake without
 * `resident` was accepted and stored as `resident: {}`) are brought up to what v2 promises.
 * A field with a neutral empty value is filled in — text `''`, no attachments, an empty
 * location — and the rest is passed through untouched, so a well-formed event comes out as it
 * went in. Only the envelope (`caseId`, `at`, `by`) and `channel` have no honest default; an
 * event without them stays unreadable and stops the projector at its position.
 */
export function repairSubmitted(data: Readonly<Record<string, unknown>>): CaseSubmitted {
  const { matterCode, category, ...rest } = data;
  return {
    ...(rest as unknown as Omit<CaseSubmitted, 'type'>),
    type: 'case.submitted',
    caseNumber: textOrEmpty(data['caseNumber']),
    resident: residentOf(data['resident']),
    location: locationOf(data['location']),
    ...(typeof matterCode === 'string' ? { matterCode } : {}),
    ...(typeof category === 'string' ? { category } : {}),
    title: textOrEmpty(data['title']),
    description: textOrEmpty(data['description']),
    attachments: attachmentsOf(data['attachments']),
  };
}

function residentOf(value: unknown): ResidentContact {
  const resident = recordOrEmpty(value);
  const { name, phone, idNumber } = resident;
  if (typeof name === 'string' && typeof phone === 'string' && isOptionalString(idNumber)) {
    return resident as unknown as ResidentContact;
  }
  return {
    name: textOrEmpty(name),
    phone: textOrEmpty(phone),
    ...(typeof idNumber === 'string' ? { idNumber } : {}),
  };
}

function locationOf(value: unknown): CaseLocation {
  const location = recordOrEmpty(value);
  const { address, communityCode, gridCode, latitude, longitude } = location;
  const texts = { address, communityCode, gridCode };
  const numbers = { latitude, longitude };
  if (Object.values(texts).every(isOptionalString) && Object.values(numbers).every(isOptionalNumber)) {
    return location;
  }
  return Object.fromEntries([
    ...Object.entries(texts).filter(([, v]) => typeof v === 'string'),
    ...Object.entries(numbers).filter(([, v]) => Number.isFinite(v)),
  ]);
}

function attachmentsOf(value: unknown): readonly AttachmentRef[] {
  if (!Array.isArray(value)) return [];
  const items = value as unknown[];
  const readable = (a: unknown): a is AttachmentRef => {
    if (typeof a !== 'object' || a === null) return false;
    const { ref, name, contentType } = a as Record<string, unknown>;
    return typeof ref === 'string' && isOptionalString(name) && isOptionalString(contentType);
  };
  // Dropping an unreadable reference loses nothing a reader could have used.
  return items.every(readable) ? items : items.filter(readable);
}

function recordOrEmpty(value: unknown): Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

const textOrEmpty = (value: unknown): string => (typeof value === 'string' ? value : '');
const isOptionalString = (value: unknown): boolean => value === undefined || typeof value === 'string';
const isOptionalNumber = (value: unknown): boolean => value === undefined || Number.isFinite(value);
