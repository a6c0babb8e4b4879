import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PlatformErrorCode } from './error-codes';

describe('PlatformErrorCode', () => {
  const documented = readFileSync(join(__dirname, '../../../../docs/problems.md'), 'utf8');

  it.each(Object.values(PlatformErrorCode))('%s is documented in docs/problems.md', (code) => {
    expect(documented).toContain(`| \`${code}\``);
  });
});
