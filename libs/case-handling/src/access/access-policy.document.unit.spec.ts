import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderAccessPolicy } from './access-policy.document';
import { CASE_ACCESS_RULES } from './case-access.policy';

describe('the access policy document (docs/access-policy.md)', () => {
  it('is what the rows the code enforces say (`npm run openapi` writes it)', () => {
    const written = readFileSync(join(__dirname, '../../../../docs/access-policy.md'), 'utf8');
    expect(written).toBe(renderAccessPolicy());
  });

  it('keeps every row under its own operation, each allowing someone', () => {
    for (const [operation, rule] of Object.entries(CASE_ACCESS_RULES)) {
      expect({ operation, row: rule.operation }).toEqual({ operation, row: operation });
      expect(rule.allowed.length).toBeGreaterThan(0);
      expect(rule.why.trim()).not.toBe('');
    }
  });
});
