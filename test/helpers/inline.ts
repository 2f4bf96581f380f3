import { expect } from 'vitest';
import { lint, type ApiOptions } from '../../src/api';
import type { Finding, LintResult, Severity } from '../../src/types';
import { expectedLines } from './examples';

export interface ExpectedFinding {
  logicalId: string;
  severity: Severity;
  /** A substring (or pattern) the message must contain. */
  message?: string | RegExp;
}

/**
 * Lint inline YAML and check one rule: it must report exactly on the lines marked `# expect: <ruleId>`, with the
 * given logical ids and severities (in line order). Returns the rule's findings and the whole result.
 */
export function expectRule(
  ruleId: string,
  text: string,
  expected: readonly ExpectedFinding[],
  options: ApiOptions = {},
): { findings: Finding[]; result: LintResult } {
  const result = lint({ file: 'inline.yaml', text }, options);
  expect(result.errors).toEqual([]);
  expect(result.findings.filter((f) => f.ruleId.startsWith('archlint-'))).toEqual([]);
  const findings = result.findings.filter((f) => f.ruleId === ruleId && !f.suppressed);
  const lines = expectedLines(text).get(ruleId) ?? [];
  expect(findings.map((f) => f.line)).toEqual(lines);
  expect(
    findings.map((f) => ({ logicalId: f.logicalId, severity: f.severity })),
    findings.map((f) => f.message).join('\n'),
  ).toEqual(expected.map((e) => ({ logicalId: e.logicalId, severity: e.severity })));
  expected.forEach((e, i) => {
    if (e.message === undefined) return;
    if (typeof e.message === 'string') expect(findings[i]!.message).toContain(e.message);
    else expect(findings[i]!.message).toMatch(e.message);
  });
  return { findings, result };
}

/** The unknown outcomes a rule recorded. */
export function unknownsOf(result: LintResult, ruleId: string) {
  return result.unknowns.filter((u) => u.ruleId === ruleId);
}

/** A config that classifies resources tagged Environment=prod / Environment=dev. */
export const ENVIRONMENTS = {
  environments: { prod: { tags: { Environment: ['prod'] } }, nonprod: { tags: { Environment: ['dev'] } } },
};

/** Tags block (8-space indent) for a resource in a given environment. */
export function envTags(env: 'prod' | 'dev' | undefined): string {
  return env ? `      Tags:\n        - Key: Environment\n          Value: ${env}\n` : '';
}
