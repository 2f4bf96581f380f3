/**
 * Suppress an archlint rule on a construct by writing the suppression into the template itself:
 *
 *   suppressRule(bucket, 's3-public-access', 'public website, served through CloudFront');
 *
 * writes `Metadata: { archlint: { suppress: [{ id, reason }] } }` on the CloudFormation resource (or, for a
 * Stack, on the template), so that every way of running archlint honours it: the validator, the Aspect and
 * the CLI on cdk.out or on a deployed template. `Validations.of(scope).acknowledge({ id: 'archlint::<rule>',
 * reason })` is the CDK-native alternative; it lives in the cloud assembly, not in the template.
 */
import { CfnResource, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export interface SuppressOptions {
  /** Suppress on every CloudFormation resource below the construct, not only on its default child. */
  readonly applyToChildren?: boolean;
}

export interface RuleSuppression {
  readonly id: string;
  readonly reason: string;
}

interface MetadataTarget {
  getMetadata(key: string): unknown;
  addMetadata(key: string, value: unknown): void;
}

function merge(existing: unknown, entries: readonly RuleSuppression[]): { suppress: RuleSuppression[] } & object {
  const base = existing && typeof existing === 'object' ? (existing as Record<string, unknown>) : {};
  const list = Array.isArray(base.suppress) ? (base.suppress as RuleSuppression[]) : [];
  const out = [...list];
  for (const e of entries) {
    const i = out.findIndex((s) => s.id === e.id);
    if (i >= 0) out[i] = { id: e.id, reason: e.reason };
    else out.push({ id: e.id, reason: e.reason });
  }
  return { ...base, suppress: out };
}

function addTo(target: MetadataTarget, entries: readonly RuleSuppression[]): void {
  target.addMetadata('archlint', merge(target.getMetadata('archlint'), entries));
}

/** The CloudFormation resources a suppression on `scope` applies to. */
function resourcesOf(scope: IConstruct, applyToChildren: boolean): CfnResource[] {
  if (CfnResource.isCfnResource(scope)) return [scope];
  if (applyToChildren) {
    return scope.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c));
  }
  const child = scope.node.defaultChild;
  return child && CfnResource.isCfnResource(child) ? [child] : [];
}

/**
 * Suppress archlint rules on a construct with a reason, as resource Metadata (or template Metadata for a Stack).
 * Throws when a reason is empty or when the construct has no CloudFormation resource to carry it.
 */
export function suppressRules(
  scope: IConstruct,
  suppressions: readonly RuleSuppression[],
  options: SuppressOptions = {},
): void {
  for (const s of suppressions) {
    if (!s.id || typeof s.id !== 'string') throw new Error('archlint: a suppression needs a rule id');
    if (!s.reason || !String(s.reason).trim()) throw new Error(`archlint: suppression of ${s.id} needs a reason`);
  }
  if (Stack.isStack(scope) && !options.applyToChildren) {
    const t = scope.templateOptions;
    t.metadata = { ...t.metadata, archlint: merge(t.metadata?.archlint, suppressions) };
    return;
  }
  const resources = resourcesOf(scope, options.applyToChildren ?? false);
  if (!resources.length) {
    throw new Error(
      `archlint: ${scope.node.path} has no CloudFormation resource to carry the suppression; pass the resource (node.defaultChild) or applyToChildren: true`,
    );
  }
  for (const r of resources) addTo(r, suppressions);
}

/** Suppress one archlint rule on a construct with a reason (see suppressRules). */
export function suppressRule(scope: IConstruct, ruleId: string, reason: string, options: SuppressOptions = {}): void {
  suppressRules(scope, [{ id: ruleId, reason }], options);
}
