import { defineRule } from '../../src/engine/rule';
import {
  DATABASE_TYPES,
  SNAPSHOT_CAPABLE_TYPES,
  STATEFUL_TYPES,
  defaultDeletionPolicy,
  kindOf,
} from '../../src/data/stateful';
import { alternatives } from '../../src/model/values';
import type { Resource } from '../../src/model/template';
import type { RuleContext } from '../../src/engine/context';

type Policy = 'Delete' | 'Retain' | 'RetainExceptOnCreate' | 'Snapshot';
const POLICIES = new Set(['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot']);

/** The policy attribute's possible values; undefined when unknown. 'absent' when not written. */
function policyValues(
  ctx: RuleContext,
  r: Resource,
  attr: 'DeletionPolicy' | 'UpdateReplacePolicy',
): (Policy | 'absent')[] | undefined {
  const raw = r.node[attr];
  if (raw === undefined) return ['absent'];
  const alts = alternatives(ctx.evaluator.value(raw));
  if (!alts) return undefined;
  const out: (Policy | 'absent')[] = [];
  for (const a of alts) {
    if (a === undefined) out.push('absent');
    else if (typeof a === 'string' && POLICIES.has(a)) out.push(a as Policy);
    else return undefined;
  }
  return out;
}

export default defineRule({
  id: 'cfn-stateful-deletion-policy',
  title: 'Protect data stores with DeletionPolicy and UpdateReplacePolicy',
  severity: 'warning',
  severityNote: 'warning (error for databases and tables in prod)',
  pillar: 'reliability',
  tier: '1',
  scope: 'resource',
  resourceTypes: ['*'],
  rationale:
    'CloudFormation deletes a resource that has no DeletionPolicy when it is removed from the template or the stack is deleted, and deletes the old resource after a replacement unless UpdateReplacePolicy says otherwise. A deleted data store cannot be undeleted. Only RDS DB clusters and standalone DB instances default to a final snapshot.',
  remediation:
    'Set DeletionPolicy and UpdateReplacePolicy to Snapshot (where the type supports it) or Retain on every data store. In CDK, use RemovalPolicy.SNAPSHOT or RemovalPolicy.RETAIN, which set both attributes.',
  citations: [
    'notes/000_93fa618f25815812.txt:3826',
    'notes/000_93fa618f25815812.txt:3829',
    'notes/001_599d008610d64701.txt:2762',
    'notes/001_599d008610d64701.txt:2767',
    'notes/001_599d008610d64701.txt:1634',
    'notes/000_93fa618f25815812.txt:3049',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatereplacepolicy.html',
  ],
  check(r, ctx) {
    const deletion = policyValues(ctx, r, 'DeletionPolicy');
    const replace = policyValues(ctx, r, 'UpdateReplacePolicy');

    // Snapshot on a type that cannot take a snapshot fails the deployment (any type).
    if (!SNAPSHOT_CAPABLE_TYPES.has(r.type)) {
      for (const [attr, vals] of [
        ['DeletionPolicy', deletion],
        ['UpdateReplacePolicy', replace],
      ] as const) {
        if (vals && vals.length && vals.every((v) => v === 'Snapshot')) {
          ctx.report(r, {
            path: [attr],
            severity: 'error',
            key: attr,
            message: `${attr}: Snapshot is not supported for ${r.type} '${r.logicalId}'; only EC2 volumes, ElastiCache clusters and replication groups, Neptune and RDS clusters, RDS instances and Redshift clusters can take a final snapshot. Use Retain.`,
          });
        }
      }
    }

    if (!STATEFUL_TYPES.has(r.type)) return;
    // Read replicas ignore deletion policies; Aurora members keep their data in the cluster.
    if (r.type === 'AWS::RDS::DBInstance') {
      if (r.properties.SourceDBInstanceIdentifier !== undefined || r.properties.SourceDBClusterIdentifier !== undefined)
        return;
      if (r.properties.DBClusterIdentifier !== undefined) return;
    }
    if (r.type === 'AWS::ElastiCache::CacheCluster') {
      const engine = ctx.value(r, ['Properties', 'Engine']);
      if (engine.kind !== 'known') {
        ctx.unknown(r, {
          path: ['Properties', 'Engine'],
          why: 'needs the cache engine (memcached holds no durable data)',
        });
        return;
      }
      if (String(engine.value).toLowerCase() === 'memcached') return;
    }
    const kind = kindOf(r.type);
    const severity = DATABASE_TYPES.has(r.type) && ctx.environment(r) === 'prod' ? 'error' : 'warning';

    if (!deletion) {
      ctx.unknown(r, { path: ['DeletionPolicy'], why: 'DeletionPolicy depends on an unknown value' });
      return;
    }
    const effective = deletion.map((d) => (d === 'absent' ? defaultDeletionPolicy(r.type, r.properties) : d));
    if (effective.every((d) => d === 'Delete')) {
      const explicit = r.node.DeletionPolicy !== undefined;
      ctx.report(r, {
        path: explicit ? ['DeletionPolicy'] : [],
        severity,
        key: 'deletion',
        message: explicit
          ? `${kind} '${r.logicalId}' has DeletionPolicy: Delete, so removing it from the template or deleting the stack destroys its data.`
          : `${kind} '${r.logicalId}' has no DeletionPolicy, so CloudFormation deletes it and its data when it is removed from the template or the stack is deleted.`,
      });
      return;
    }
    if (effective.some((d) => d === 'Delete')) {
      ctx.unknown(r, { path: ['DeletionPolicy'], why: 'DeletionPolicy differs between condition branches' });
      return;
    }
    if (!replace) {
      ctx.unknown(r, { path: ['UpdateReplacePolicy'], why: 'UpdateReplacePolicy depends on an unknown value' });
      return;
    }
    if (replace.every((p) => p === 'absent' || p === 'Delete')) {
      ctx.report(r, {
        path:
          r.node.UpdateReplacePolicy !== undefined
            ? ['UpdateReplacePolicy']
            : r.node.DeletionPolicy !== undefined
              ? ['DeletionPolicy']
              : [],
        severity,
        key: 'replace',
        message: `${kind} '${r.logicalId}' keeps its data on deletion (DeletionPolicy${r.node.DeletionPolicy === undefined ? ' not set, so' : ':'} ${effective[0]}), but UpdateReplacePolicy is ${
          r.node.UpdateReplacePolicy === undefined ? 'not set (Delete)' : 'Delete'
        }, so a change that replaces it still deletes the old data. Set UpdateReplacePolicy: ${
          SNAPSHOT_CAPABLE_TYPES.has(r.type) ? 'Snapshot or Retain' : 'Retain'
        }.`,
      });
    }
  },
});
