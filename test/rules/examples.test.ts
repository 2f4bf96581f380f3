import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinRules } from '../../rules/index';
import { EXAMPLES, exampleRuleIds, expectedLines, linesOf, lintFile } from '../helpers/examples';
import { lintDiffFiles } from '../helpers/diff';

/**
 * Diff rules: bad.yaml and good.yaml are the NEW side and examples/<id>/baseline.yaml the deployed template;
 * they are linted against it. Other rules lint bad.yaml and good.yaml on their own.
 */
function lintExample(id: string, file: 'bad.yaml' | 'good.yaml') {
  const path = join(EXAMPLES, id, file);
  const baseline = join(EXAMPLES, id, 'baseline.yaml');
  if (!existsSync(baseline)) return lintFile(path);
  const result = lintDiffFiles(baseline, path);
  expect(result.unpairedBaselines).toEqual([]);
  // Lines are asserted in bad.yaml; good.yaml must produce nothing, in either file.
  return file === 'good.yaml' ? result : { ...result, findings: result.findings.filter((f) => f.file === path) };
}

describe('every rule has a failing and a passing example', () => {
  for (const rule of builtinRules) {
    it(rule.id, () => {
      expect(existsSync(join(EXAMPLES, rule.id, 'bad.yaml')), `examples/${rule.id}/bad.yaml`).toBe(true);
      expect(existsSync(join(EXAMPLES, rule.id, 'good.yaml')), `examples/${rule.id}/good.yaml`).toBe(true);
    });
  }
});

describe('examples report exactly the annotated lines', () => {
  for (const id of exampleRuleIds()) {
    it(`${id}/bad.yaml`, () => {
      const path = join(EXAMPLES, id, 'bad.yaml');
      const expected = expectedLines(readFileSync(path, 'utf8'));
      const result = lintExample(id, 'bad.yaml');
      expect(result.errors).toEqual([]);
      expect(expected.get(id)?.length, `bad.yaml has "# expect: ${id}" annotations`).toBeGreaterThan(0);
      for (const [ruleId, lines] of expected) expect(linesOf(result.findings, ruleId), ruleId).toEqual(lines);
      expect(result.findings.filter((f) => f.ruleId.startsWith('archlint-'))).toEqual([]);
    });
    it(`${id}/good.yaml`, () => {
      const result = lintExample(id, 'good.yaml');
      expect(result.errors).toEqual([]);
      expect(result.findings.filter((f) => f.ruleId === id)).toEqual([]);
    });
  }
});

describe('architectures report exactly the annotated lines for every rule', () => {
  const dir = join(EXAMPLES, 'architectures');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)) : [];
  for (const file of files) {
    it(file, () => {
      const path = join(dir, file);
      const expected = expectedLines(readFileSync(path, 'utf8'));
      const result = lintFile(path);
      expect(result.errors).toEqual([]);
      const ids = new Set([...expected.keys(), ...result.findings.map((f) => f.ruleId)]);
      for (const id of ids) expect(linesOf(result.findings, id), id).toEqual(expected.get(id) ?? []);
    });
  }
});
