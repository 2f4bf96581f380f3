import { lint, type ApiOptions } from '../../src/api';
import type { Finding, LintResult } from '../../src/types';

/** Lint inline YAML with the built-in rules. */
export function lintYaml(text: string, options: ApiOptions = {}): LintResult {
  return lint({ file: 'test.yaml', text }, options);
}

/** [logicalId, line] of every unsuppressed finding of a rule, sorted by line. */
export function hits(result: LintResult, ruleId: string): [string | undefined, number][] {
  return result.findings
    .filter((f: Finding) => f.ruleId === ruleId && !f.suppressed)
    .map((f): [string | undefined, number] => [f.logicalId, f.line])
    .sort((a, b) => a[1] - b[1]);
}
