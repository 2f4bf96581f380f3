import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLES, expectedLines, linesOf } from '../helpers/examples';
import { DIFF_RULES, lintDiffFiles } from '../helpers/diff';

const DIR = join(EXAMPLES, 'diff');
const cases = readdirSync(DIR).filter((d) => existsSync(join(DIR, d, 'new.yaml')));

/**
 * examples/diff/<case>/{baseline,new}.yaml: `# expect: <rule-id>` above each line where a diff rule must
 * report, in new.yaml or (for removed resources) in baseline.yaml. Diff rules report nothing else.
 */
describe('examples/diff: diff rules report exactly the annotated lines', () => {
  it('has a case for every outcome family', () => expect(cases.length).toBeGreaterThanOrEqual(25));
  for (const c of cases) {
    it(c, () => {
      const baseline = join(DIR, c, 'baseline.yaml');
      const next = join(DIR, c, 'new.yaml');
      const result = lintDiffFiles(baseline, next);
      expect(result.errors).toEqual([]);
      expect(result.findings.filter((f) => f.ruleId.startsWith('archlint-'))).toEqual([]);
      // The cloudformation-diff cross-check changes nothing while the installed specification is the table's.
      const checked = lintDiffFiles(baseline, next, { cloudFormationDiff: true });
      expect(checked.findings).toEqual(result.findings);
      for (const file of [baseline, next]) {
        const expected = expectedLines(readFileSync(file, 'utf8'));
        const inFile = result.findings.filter((f) => f.file === file);
        for (const id of DIFF_RULES) expect(linesOf(inFile, id), `${id} in ${file}`).toEqual(expected.get(id) ?? []);
      }
    });
  }
});
