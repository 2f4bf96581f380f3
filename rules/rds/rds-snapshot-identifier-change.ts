import { defineRule } from '../../src/engine/rule';
import type { RuleContext } from '../../src/engine/context';
import type { Resource } from '../../src/model/template';
import { dataRole, effectivePolicy } from '../../src/diff/rule-support';
import type { PropertyChange } from '../../src/diff/types';

const SNAPSHOT_PROPS: Readonly<Record<string, readonly string[]>> = {
  'AWS::RDS::DBInstance': ['DBSnapshotIdentifier', 'DBClusterSnapshotIdentifier'],
  'AWS::RDS::DBCluster': ['SnapshotIdentifier'],
};

const isSet = (v: PropertyChange['oldValue']): boolean =>
  v.kind === 'known' && v.value !== '' && v.value !== null && v.value !== undefined;

/** What happens to the database that is replaced, by UpdateReplacePolicy. */
function oldFate(ctx: RuleContext, r: Resource): string {
  const p = effectivePolicy(ctx, r, 'UpdateReplacePolicy');
  if ('unknown' in p) return 'handles the current one according to its UpdateReplacePolicy';
  if (p.policy === 'Snapshot') return 'deletes the current one after a final snapshot (UpdateReplacePolicy: Snapshot)';
  if (p.policy === 'Retain' || p.policy === 'RetainExceptOnCreate')
    return 'keeps the current one running outside the stack (UpdateReplacePolicy: Retain)';
  return `deletes the current one together with its automated backups (UpdateReplacePolicy ${p.explicit ? 'Delete' : 'not set'})`;
}

export default defineRule({
  id: 'rds-snapshot-identifier-change',
  title: 'Keep the snapshot identifier of a restored RDS database',
  severity: 'error',
  pillar: 'reliability',
  tier: '1',
  scope: 'diff',
  rationale:
    'After a database is restored with DBSnapshotIdentifier (instance) or SnapshotIdentifier (cluster), the identifier must stay in the template forever: CloudFormation does not restore again while it is unchanged, but removing it creates a new EMPTY database and deletes the restored one, and pointing it at another snapshot restores a new database from that snapshot.',
  remediation:
    'Keep the original snapshot identifier in every future version of the template. Change it only as a deliberate restore, with writes stopped and UpdateReplacePolicy: Snapshot or Retain set in a prior deployment. CDK DatabaseInstanceFromSnapshot keeps the identifier for you.',
  citations: [
    'notes/000_93fa618f25815812.txt:2511',
    'notes/000_93fa618f25815812.txt:2619',
    'notes/001_599d008610d64701.txt:1638',
    'notes/003_13f8bda642d7e66e.txt:383',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbinstance.html',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbcluster.html',
  ],
  checkTemplate(ctx) {
    const base = ctx.baseline;
    if (!base) return;
    for (const type of Object.keys(SNAPSHOT_PROPS)) {
      for (const r of ctx.model.byType.get(type) ?? []) {
        const pair = base.diff.pairs.get(r.logicalId);
        if (!pair || dataRole(ctx, r) === 'member') continue;
        const noun = type === 'AWS::RDS::DBCluster' ? 'cluster' : 'database';
        for (const c of pair.changes) {
          if (!SNAPSHOT_PROPS[type]!.includes(c.property)) continue;
          if (c.status === 'unknown') {
            ctx.unknown(r, { path: c.path, why: `whether ${c.property} changes: ${c.why}` });
            continue;
          }
          const related = [
            {
              logicalId: r.logicalId,
              path: c.baselinePath,
              message: `deployed ${c.property}: ${c.old}`,
              model: base.model,
            },
          ];
          const was = isSet(c.oldValue);
          const now = isSet(c.newValue);
          if (was && !now) {
            ctx.report(r, {
              path: c.path,
              key: 'removed',
              related,
              message: `'${r.logicalId}' was restored from snapshot ${c.old}, and the new template ${
                c.newValue.kind === 'missing' ? `drops ${c.property}` : `empties ${c.property}`
              }. CloudFormation then creates a new, EMPTY ${noun} and ${oldFate(ctx, r)}. Keep ${c.property}: ${c.old} in every future version of the template.`,
            });
          } else if (was && now) {
            ctx.report(r, {
              path: c.path,
              key: 'changed',
              severity: 'warning',
              related,
              message: `'${r.logicalId}' points ${c.property} at another snapshot (${c.old} → ${c.new}${
                c.status === 'textual' ? `; ${c.textual}, but CloudFormation compares template values` : ''
              }). CloudFormation restores a new ${noun} from ${c.new} and ${oldFate(ctx, r)}; writes made after that snapshot was taken are lost, and the endpoint changes if the identifier changes.`,
            });
          } else if (now) {
            ctx.report(r, {
              path: c.path,
              key: 'added',
              severity: 'info',
              related,
              message: `'${r.logicalId}' gets ${c.property} ${c.new}: CloudFormation replaces the existing ${noun} with one restored from that snapshot and ${oldFate(ctx, r)}. This is the documented path for migrations such as encryption; stop writes before the snapshot, and keep the identifier in the template permanently afterwards.`,
            });
          }
        }
      }
    }
  },
});
