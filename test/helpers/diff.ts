import { readFileSync } from 'node:fs';
import { lintWithBaseline } from '../../src/diff/baseline';
import { resolveConfig, type ApiOptions } from '../../src/api';
import { builtinRules } from '../../rules/index';
import type { Finding, LintResult } from '../../src/types';

export interface DiffLintOptions extends ApiOptions {
  baselineParameters?: Record<string, unknown>;
  cloudFormationDiff?: boolean;
}

/** Lint `next` (YAML/JSON text) against `baseline` in diff mode. */
export function lintDiff(
  baseline: string,
  next: string,
  opts: DiffLintOptions = {},
): LintResult & { unpairedBaselines: string[] } {
  return lintWithBaseline([{ file: 'new.yaml', text: next }], {
    rules: [...(opts.rules ?? builtinRules), ...(opts.extraRules ?? [])],
    config: resolveConfig(opts),
    baseline: [{ file: 'baseline.yaml', text: baseline }],
    baselineParameters: opts.baselineParameters,
    cloudFormationDiff: opts.cloudFormationDiff,
  });
}

/** Lint the files of an examples/diff/<case> folder. */
export function lintDiffFiles(baselinePath: string, newPath: string, opts: DiffLintOptions = {}) {
  return lintWithBaseline([{ file: newPath, text: readFileSync(newPath, 'utf8') }], {
    rules: [...(opts.rules ?? builtinRules), ...(opts.extraRules ?? [])],
    config: resolveConfig(opts),
    baseline: [{ file: baselinePath, text: readFileSync(baselinePath, 'utf8') }],
    baselineParameters: opts.baselineParameters,
    cloudFormationDiff: opts.cloudFormationDiff,
  });
}

export const byRule = (findings: readonly Finding[], ruleId: string): Finding[] =>
  findings.filter((f) => f.ruleId === ruleId);

export const DIFF_RULES = [
  'stateful-resource-replacement',
  'create-only-property-change',
  'rds-encryption-change',
  'rds-snapshot-identifier-change',
];
