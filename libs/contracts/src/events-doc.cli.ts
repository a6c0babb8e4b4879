import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderEventsDoc } from './events-doc';

/** `npm run events:doc`: writes docs/events.md from the contracts (commit the result). */
export const EVENTS_DOC_FILE = join(__dirname, '..', '..', '..', 'docs', 'events.md');

writeFileSync(EVENTS_DOC_FILE, renderEventsDoc());
process.stdout.write(`Wrote ${EVENTS_DOC_FILE}\n`);
