import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

interface Violation {
  readonly from: string;
  readonly to: string;
  readonly rule: { readonly name: string };
}

/** Runs dependency-cruiser (an ESM-only CLI) the way `npm run depcruise` does. */
function cruise(...paths: string[]): Violation[] {
  let stdout: string;
  try {
    stdout = execFileSync(
      process.execPath,
      [
        join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs'),
        ...paths,
        '--config',
        '.dependency-cruiser.cjs',
        '--output-type',
        'json',
      ],
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 },
    );
  } catch (error) {
    // The CLI exits non-zero when it finds violations; the JSON report is still on stdout.
    stdout = (error as { stdout?: string }).stdout ?? '';
    if (!stdout) throw error;
  }
  const report = JSON.parse(stdout) as { summary: { violations: Violation[] } };
  return report.summary.violations;
}

describe('architecture rules', () => {
  it('hold for the real apps and libs', () => {
    expect(cruise('apps', 'libs')).toEqual([]);
  });

  describe('bite on deliberate violations', () => {
    let violations: Violation[];
    beforeAll(() => {
      violations = cruise('test/fixtures/architecture');
    });

    const broken = (rule: string, from: string) =>
      violations.filter((v) => v.rule.name === rule && v.from.endsWith(from));

    it('the domain may not import Nest', () => {
      expect(broken('domain-is-pure', 'libs/cases/src/uses-nest.ts')).toHaveLength(1);
    });

    it('the domain may not import a database driver', () => {
      expect(broken('domain-is-pure', 'libs/cases/src/uses-driver.ts')).toHaveLength(1);
    });

    it('the domain may not touch the file system', () => {
      expect(broken('domain-has-no-node-io', 'libs/cases/src/uses-fs.ts')).toHaveLength(1);
    });

    it('a lib may not reach into another lib past its barrel', () => {
      expect(broken('no-reaching-into-another-lib', 'libs/cases/src/reaches-into-platform.ts')).toHaveLength(
        1,
      );
    });

    it('a lib may not import an app', () => {
      expect(broken('libs-do-not-import-apps', 'libs/cases/src/imports-app.ts')).toHaveLength(1);
    });
  });
});
