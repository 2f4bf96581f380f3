import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'vitest';
import { EXAMPLES } from '../helpers/examples';
import { DIFF_RULES, lintDiffFiles } from '../helpers/diff';
it('print', () => {
  const DIR = join(EXAMPLES, 'diff');
  for (const c of readdirSync(DIR)) {
    const r = lintDiffFiles(join(DIR, c, 'baseline.yaml'), join(DIR, c, 'new.yaml'));
    console.log(`== ${c}`);
    for (const f of r.findings.filter((f) => DIFF_RULES.includes(f.ruleId)))
      console.log(`${f.ruleId} ${f.severity} ${f.logicalId} ${f.file.split('/').pop()}:${f.line}\n  ${f.message}`);
    for (const u of r.unknowns.filter((f) => DIFF_RULES.includes(f.ruleId)))
      console.log(`  unknown ${u.ruleId} ${u.logicalId} ${u.why}`);
  }
});
