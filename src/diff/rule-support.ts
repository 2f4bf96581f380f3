/**
 * Helpers shared by the diff rules. Light on purpose: rule files are loaded in every run, so this module
 * must not import the update-behaviour table or cloudformation-diff (they load with src/diff/baseline.ts,
 * in diff mode only).
 */
import type { BaselineContext, RuleContext, TemplateContext } from '../engine/context';
import type { Resource } from '../model/template';
import { alternatives } from '../model/values';
import { STATEFUL_TYPES, defaultDeletionPolicy, kindOf } from '../data/stateful';
import type { PropertyChange, ResourcePair } from './types';

export type Policy = 'Delete' | 'Retain' | 'Snapshot' | 'RetainExceptOnCreate';
const POLICIES = new Set<Policy>(['Delete', 'Retain', 'Snapshot', 'RetainExceptOnCreate']);

export type PolicyValue = { policy: Policy; explicit: boolean } | { unknown: string };

/** The effective DeletionPolicy or UpdateReplacePolicy of a resource (defaults applied). */
export function effectivePolicy(
  ctx: TemplateContext,
  r: Resource,
  attr: 'DeletionPolicy' | 'UpdateReplacePolicy',
): PolicyValue {
  const raw = r.node[attr];
  if (raw === undefined)
    return {
      policy: attr === 'DeletionPolicy' ? defaultDeletionPolicy(r.type, r.properties) : 'Delete',
      explicit: false,
    };
  const alts = alternatives(ctx.evaluator.value(raw));
  if (!alts || !alts.length) return { unknown: `${attr} depends on an unknown value` };
  const first = alts[0];
  if (typeof first !== 'string' || !POLICIES.has(first as Policy) || alts.some((a) => a !== first))
    return { unknown: `${attr} differs between condition branches or is not a policy` };
  return { policy: first as Policy, explicit: true };
}

/** What a resource holds: its own data, a replica of another's, nothing (Aurora member, memcached). */
export type DataRole = 'data' | 'replica' | 'member' | 'none' | { unknown: string };

export function dataRole(ctx: TemplateContext, r: Resource): DataRole {
  if (!STATEFUL_TYPES.has(r.type)) return 'none';
  const p = r.properties;
  if (r.type === 'AWS::RDS::DBInstance') {
    if (p.DBClusterIdentifier !== undefined) return 'member';
    if (p.SourceDBClusterIdentifier !== undefined) return 'replica';
    if (
      p.SourceDBInstanceIdentifier !== undefined &&
      p.RestoreTime === undefined &&
      p.UseLatestRestorableTime === undefined
    )
      return 'replica';
  }
  if (r.type === 'AWS::ElastiCache::CacheCluster') {
    const engine = ctx.value(r, ['Properties', 'Engine']);
    if (engine.kind !== 'known') return { unknown: 'needs the cache engine (memcached holds no durable data)' };
    if (String(engine.value).toLowerCase() === 'memcached') return 'none';
  }
  return 'data';
}

/** Which rule reports a property change instead of the generic ones (catalog 2.2.4, 2.5.2). */
export function deferredTo(type: string, change: PropertyChange): string | undefined {
  if (
    (type === 'AWS::RDS::DBInstance' || type === 'AWS::RDS::DBCluster') &&
    (change.property === 'StorageEncrypted' || change.property === 'KmsKeyId')
  )
    return 'rds-encryption-change';
  if (change.event === 'snapshot-restore') return 'rds-snapshot-identifier-change';
  if (change.event === 'promotion') return 'stateful-resource-replacement';
  return undefined;
}

/** "A, B and C" */
export function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** "CidrBlock (10.0.0.0/16 → 10.1.0.0/16)" for each change. */
export function describeChanges(changes: readonly PropertyChange[]): string {
  return list(
    changes.map((c) => `${c.subPath ? [c.property, ...c.subPath].join('.') : c.property} (${c.old} → ${c.new})`),
  );
}

export function quoteList(ids: readonly string[], max = 12): string {
  const shown = ids.slice(0, max).map((i) => `'${i}'`);
  if (ids.length > max) shown.push(`${ids.length - max} more`);
  return list(shown);
}

/** Record the diff's unknown outcomes for the resources a diff rule is responsible for (stateful or not). */
export function recordDiffUnknowns(ctx: RuleContext, base: BaselineContext, stateful: boolean): void {
  for (const u of base.diff.unknowns) {
    const model = u.side === 'baseline' ? base.model : ctx.model;
    const r = model.resources.get(u.logicalId);
    if (r && STATEFUL_TYPES.has(r.type) === stateful)
      ctx.unknown(ctx.model.resources.get(u.logicalId), { path: u.path, why: `${u.side}: ${u.why}` });
  }
}

export { kindOf };

/** The cdk path note for a moved construct. */
export function movedNote(oldR: Resource, newR: Resource): string {
  if (oldR.cdkPath && newR.cdkPath && oldR.cdkPath !== newR.cdkPath)
    return `The CDK construct moved from '${oldR.cdkPath}' to '${newR.cdkPath}', which changed its logical id from '${oldR.logicalId}' to '${newR.logicalId}'`;
  return `Its logical id changed from '${oldR.logicalId}' to '${newR.logicalId}'`;
}

/** The name property's display when it is set on the new resource. */
export function pairLabel(pair: ResourcePair): string {
  return `${kindOf(pair.type)} '${pair.logicalId}'`;
}
