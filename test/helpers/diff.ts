import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { expectedLines } from './examples';
import { lintWithBaseline } from '../../src/diff/baseline';
import { resolveConfig, type ApiOptions } from '../../src/api';
import { builtinRules } from '../../rules/index';
import type { Finding, LintResult } from '../../src/types';

export interface DiffLintOptions extends ApiOptions {
  baselineParameters?: Record<string, unknown>;
  cloudFormationDiff?: boolean | 'auto';
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

export interface ExpectedDiffFinding {
  logicalId: string;
  severity: 'error' | 'warning' | 'info';
  /** Substrings (or patterns) the message must contain. */
  message?: string | RegExp | readonly (string | RegExp)[];
}

/**
 * Lint `next` against `baseline` and check one diff rule: it reports exactly on the lines marked
 * `# expect: <ruleId>` in baseline.yaml (removed resources) and new.yaml, with the given logical ids and
 * severities (baseline findings first, then by line), and messages containing the given fragments.
 */
export function expectDiffRule(
  ruleId: string,
  baseline: string,
  next: string,
  expected: readonly ExpectedDiffFinding[],
  opts: DiffLintOptions = {},
): { findings: Finding[]; result: LintResult } {
  const result = lintDiff(baseline, next, opts);
  expect(result.errors).toEqual([]);
  expect(result.findings.filter((f) => f.ruleId.startsWith('archlint-'))).toEqual([]);
  const findings = result.findings.filter((f) => f.ruleId === ruleId && !f.suppressed);
  for (const [file, text] of [
    ['baseline.yaml', baseline],
    ['new.yaml', next],
  ] as const) {
    const lines = expectedLines(text).get(ruleId) ?? [];
    expect(
      findings.filter((f) => f.file === file).map((f) => f.line),
      `${ruleId} lines in ${file}:\n${findings.map((f) => f.message).join('\n')}`,
    ).toEqual(lines);
  }
  expect(
    findings.map((f) => ({ logicalId: f.logicalId, severity: f.severity })),
    findings.map((f) => f.message).join('\n'),
  ).toEqual(expected.map((e) => ({ logicalId: e.logicalId, severity: e.severity })));
  expected.forEach((e, i) => {
    const parts = e.message === undefined ? [] : Array.isArray(e.message) ? e.message : [e.message];
    for (const p of parts as (string | RegExp)[]) {
      if (typeof p === 'string') expect(findings[i]!.message).toContain(p);
      else expect(findings[i]!.message).toMatch(p);
    }
  });
  return { findings, result };
}

export const unknownsOf = (result: LintResult, ruleId: string) => result.unknowns.filter((u) => u.ruleId === ruleId);
