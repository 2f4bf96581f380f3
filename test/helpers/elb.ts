/** Helpers for the load-balancing view and rule tests. */
import { expect } from 'vitest';
import { lint, type ApiOptions } from '../../src/api';
import { emptyConfig } from '../../src/engine/config';
import type { TemplateContext, ViewFactory } from '../../src/engine/context';
import { ReferenceGraph } from '../../src/model/graph';
import { buildModel } from '../../src/model/template';
import { Evaluator } from '../../src/model/values';
import { parseTemplate } from '../../src/parse/parse';
import type { Finding, UnknownOutcome } from '../../src/types';
import { expectedLines } from './examples';

export const HEADER = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  VpcId:
    Type: AWS::EC2::VPC::Id
  SubnetIds:
    Type: List<AWS::EC2::Subnet::Id>
  CertificateArn:
    Type: String
  ExternalLbArn:
    Type: String
  UnknownFlag:
    Type: String
    AllowedValues: ['yes', 'no']
Conditions:
  FlagOn: !Equals [!Ref UnknownFlag, 'yes']
Resources:
`;

/** A template made of the common header and the given Resources block (indented by two spaces). */
export function template(resources: string): string {
  return HEADER + resources.replace(/^\n/, '');
}

/** A TemplateContext for view unit tests (no rules). */
export function contextFor(text: string, parameters: Record<string, unknown> = {}): TemplateContext {
  const parsed = parseTemplate(text, 'test.yaml');
  if (parsed.kind !== 'template') throw new Error(parsed.reason);
  const model = buildModel({ file: 'test.yaml', format: 'yaml', template: parsed.template, text });
  const evaluator = new Evaluator(model, { parameters });
  const graph = new ReferenceGraph(model);
  const views = new Map<ViewFactory<unknown>, unknown>();
  const ctx: TemplateContext = {
    model,
    evaluator,
    graph,
    config: emptyConfig(),
    models: [model],
    stackTags: {},
    value: (r, path) => evaluator.at(r, path),
    exists: (r) => evaluator.exists(r),
    environment: () => 'unclassified',
    view<T>(factory: ViewFactory<T>): T {
      if (!views.has(factory)) views.set(factory, factory.build(ctx));
      return views.get(factory) as T;
    },
    extensions: {},
  };
  return ctx;
}

export interface Run {
  findings: Finding[];
  unknowns: UnknownOutcome[];
  /** Lines annotated with `# expect: <ruleId>` in the text. */
  expected: number[];
}

/** Lint a template and keep the findings and unknown outcomes of one rule. */
export function run(text: string, ruleId: string, options: ApiOptions = {}): Run {
  const result = lint({ file: 'test.yaml', text }, options);
  expect(result.errors).toEqual([]);
  expect(result.findings.filter((f) => f.ruleId.startsWith('archlint-'))).toEqual([]);
  return {
    findings: result.findings.filter((f) => f.ruleId === ruleId),
    unknowns: result.unknowns.filter((u) => u.ruleId === ruleId),
    expected: expectedLines(text).get(ruleId) ?? [],
  };
}

export interface Case {
  name: string;
  yaml: string;
  /** Logical ids of the expected findings, in line order; [] for a pass. */
  ids: string[];
  /** Each finding's message must match. */
  message?: RegExp;
  severity?: 'error' | 'warning' | 'info';
  /** An unknown outcome must be recorded (and no finding). */
  unknown?: boolean;
  options?: ApiOptions;
}

/**
 * Assert one table case: the rule reports exactly at the annotated lines, on the given logical ids, with the
 * rule id, severity and message expected.
 */
export function check(ruleId: string, c: Case): Run {
  const r = run(c.yaml, ruleId, c.options);
  const sorted = [...r.findings].sort((a, b) => a.line - b.line);
  expect(
    sorted.map((f) => f.line),
    `lines of ${ruleId}`,
  ).toEqual(r.expected);
  expect(
    sorted.map((f) => f.logicalId),
    `logical ids of ${ruleId}`,
  ).toEqual(c.ids);
  for (const f of sorted) {
    expect(f.ruleId).toBe(ruleId);
    if (c.message) expect(f.message).toMatch(c.message);
    if (c.severity) expect(f.severity).toBe(c.severity);
  }
  if (c.unknown) expect(r.unknowns.length, 'an unknown outcome is recorded').toBeGreaterThan(0);
  return r;
}
