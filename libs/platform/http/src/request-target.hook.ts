import { InvalidTextError, type FieldProblem } from '@tongban/errors';
import { decodeUtf8Strictly, isUnstorableText } from './request-body.parser';

/**
 * Refuses a request target (path and query) whose percent-encoding is broken, is not UTF-8, or
 * decodes to a NUL. Checked once on the raw URL, before routing results are used, so no path
 * parameter or query value can carry such text to PostgreSQL whatever the route declares.
 */
export function checkRequestTarget(url: string): void {
  const queryAt = url.indexOf('?');
  const path = queryAt < 0 ? url : url.slice(0, queryAt);
  checkComponent(path, 'path', []);
  if (queryAt < 0) return;
  for (const pair of url.slice(queryAt + 1).split('&')) {
    const equals = pair.indexOf('=');
    const rawName = equals < 0 ? pair : pair.slice(0, equals);
    const name = checkComponent(rawName, 'query', []);
    if (equals >= 0) {
      checkComponent(pair.slice(equals + 1), 'query', [
        { field: name, reason: 'invalidText', message: 'must be percent-encoded UTF-8 without NUL' },
      ]);
    }
  }
}

/** Decodes one percent-encoded component strictly; returns the text for error paths. */
function checkComponent(component: string, where: string, errors: readonly FieldProblem[]): string {
  const bytes: number[] = [];
  for (let i = 0; i < component.length; i += 1) {
    const c = component.charCodeAt(i);
    if (c === 0x25 /* % */) {
      const hex = component.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) {
        throw new InvalidTextError(`The ${where} has a "%" that starts no percent-encoded byte.`, errors);
      }
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c < 0x21 || c > 0x7e) {
      // Node reads raw bytes in a request line as latin1: what arrives is mojibake, not text.
      throw new InvalidTextError(
        `The ${where} must be ASCII, with other characters percent-encoded.`,
        errors,
      );
    } else {
      bytes.push(c);
    }
  }
  const text = decodeUtf8Strictly(Uint8Array.from(bytes), `${where}, percent-decoded,`);
  if (isUnstorableText(text)) {
    throw new InvalidTextError(`The ${where} decodes to text containing a NUL.`, errors);
  }
  return text;
}
