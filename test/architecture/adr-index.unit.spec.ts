import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Lists in docs are checked (house style 13): every ADR in the folder is in the index, and back. */
describe('docs/adr/README.md', () => {
  const folder = join(__dirname, '..', '..', 'docs', 'adr');
  const index = readFileSync(join(folder, 'README.md'), 'utf8');
  const files = readdirSync(folder).filter((f) => /^\d{4}-[a-z0-9-]+\.md$/.test(f));

  it.each(files)('indexes %s with its status', (file) => {
    const row = index.split('\n').find((line) => line.includes(`(${file})`));
    expect(row).toBeDefined();
    const status = /^Status: (.+)$/m.exec(readFileSync(join(folder, file), 'utf8'))?.[1] ?? '';
    expect(status).not.toBe('');
    // The index's status column holds the ADR's status (its first sentence).
    expect(row).toContain(status.split('.')[0]!.trim());
  });

  it('links nothing that is not in the folder', () => {
    const linked = [...index.matchAll(/\]\((\d{4}-[a-z0-9-]+\.md)\)/g)].map((m) => m[1]);
    expect(linked.filter((f) => !files.includes(f!))).toEqual([]);
  });
});
