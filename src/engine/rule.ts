import type { Pillar, Scope, Severity, Tier } from '../types';
import type { Resource } from '../model/template';
import type { RuleContext } from './context';

export interface RuleMeta {
  /** kebab-case, stable forever, never encodes severity. */
  id: string;
  title: string;
  /** Default severity. Rules with environment-dependent severity pass it per finding. */
  severity: Severity;
  /** How the severity varies, when it does (e.g. 'error (prod) / warning'); shown in docs and `archlint rules`. */
  severityNote?: string;
  pillar: Pillar | readonly Pillar[];
  tier: Tier;
  scope: Scope;
  /** Resource types the rule is dispatched on; omit for template-scope rules. '*' matches every type. */
  resourceTypes?: readonly string[];
  rationale: string;
  remediation: string;
  /** `notes/<file>:<line>` references and AWS documentation URLs. */
  citations: readonly string[];
}

export interface Rule extends RuleMeta {
  /** Called once per existing resource of one of `resourceTypes`. */
  check?(resource: Resource, ctx: RuleContext): void;
  /** Called once per template (template-scope rules, and diff rules through ctx.baseline). */
  checkTemplate?(ctx: RuleContext): void;
}

const ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)+$/;
const PILLARS = new Set<Pillar>(['security', 'reliability', 'performance', 'cost', 'operations']);

/** Declare a rule. Validates its metadata so that a malformed rule fails at load, not at lint time. */
export function defineRule<R extends Rule>(rule: R): R {
  const problems: string[] = [];
  if (!ID.test(rule.id)) problems.push('id must be kebab-case');
  if (!rule.title) problems.push('title is required');
  if (!['error', 'warning', 'info'].includes(rule.severity)) problems.push('severity must be error|warning|info');
  if (!['H', '1', '2'].includes(rule.tier)) problems.push('tier must be H|1|2');
  const pillars = Array.isArray(rule.pillar) ? rule.pillar : [rule.pillar];
  if (!pillars.length || pillars.some((p) => !PILLARS.has(p as Pillar))) problems.push('pillar is invalid');
  if (!rule.rationale || !rule.remediation) problems.push('rationale and remediation are required');
  if (!rule.citations?.length) problems.push('at least one citation is required');
  if (!rule.check && !rule.checkTemplate) problems.push('check or checkTemplate is required');
  if (rule.check && !rule.resourceTypes?.length) problems.push('check needs resourceTypes');
  if (problems.length) throw new Error(`rule ${rule.id || '(no id)'}: ${problems.join('; ')}`);
  return Object.freeze(rule);
}
