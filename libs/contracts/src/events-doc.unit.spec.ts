import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CASE_EVENT_TYPES } from '@tongban/cases';
import { renderEventsDoc } from './events-doc';
import { DIRECTORY_CHANGE_KEYS } from './event-message';
import { ENVELOPE_ERROR_CODES } from './parse-envelope';

describe('the events document (docs/events.md)', () => {
  const rendered = renderEventsDoc();

  it('is current', () => {
    const written = readFileSync(join(__dirname, '../../../docs/events.md'), 'utf8');
    const stale = 'docs/events.md is out of date: run `npm run events:doc` and commit it';
    expect(written === rendered ? 'current' : stale).toBe('current');
  });

  it('lists every event type, directory key and reason code', () => {
    const types = [...CASE_EVENT_TYPES, ...Object.keys(DIRECTORY_CHANGE_KEYS)];
    expect(types.filter((type) => !rendered.includes(`| \`${type}\``))).toEqual([]);
    const codes = Object.keys(ENVELOPE_ERROR_CODES);
    expect(codes.filter((code) => !rendered.includes(`| \`${code}\``))).toEqual([]);
  });
});
