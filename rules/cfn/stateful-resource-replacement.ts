import { defineRule } from '../../src/engine/rule';
import type { BaselineContext, RuleContext } from '../../src/engine/context';
import type { Resource } from '../../src/model/template';
import { toNumber } from '../../src/model/values';
import {
  DATA_REMEDIATION,
  NAME_PROPERTIES,
  SNAPSHOT_CAPABLE_TYPES,
  SNAPSHOT_RESTORE_PROPERTIES,
  STATEFUL_TYPES,
} from '../../src/data/stateful';
import {
  dataRole,
  deferredTo,
  describeChanges,
  effectivePolicy,
  kindOf,
  movedNote,
  quoteList,
  recordDiffUnknowns,
  type Policy,
} from '../../src/diff/rule-support';
import type { PropertyChange, Replacement, ResourcePair } from '../../src/diff/types';

const ID = 'stateful-resource-replacement';

function remediation(type: string): string {
  return DATA_REMEDIATION[type] ?? 'Copy or export the data to the new resource before the old one is deleted';
}

/** "then deletes the old one and its data (UpdateReplacePolicy is not set)" and the outcome code. */
function fate(policy: Policy, explicit: boolean, attr: string, kind: string, type: string) {
  // CloudFormation cannot delete a bucket that still holds objects: the deletion fails and leaves it behind.
  if (policy === 'Delete' && type === 'AWS::S3::Bucket')
    return {
      outcome: 'deleted' as const,
      text: `then tries to delete the old one (${attr} is ${explicit ? 'Delete' : 'not set'})`,
      after: ` The application now points at an empty ${kind}; a bucket that still holds objects cannot be deleted, so the deletion fails and the old bucket is left behind, outside the stack.`,
    };
  if (policy === 'Delete')
    return {
      outcome: 'deleted' as const,
      text: `then deletes the old one and its data (${attr} is ${explicit ? 'Delete' : 'not set'})`,
      after: '',
    };
  if (policy === 'Snapshot')
    return {
      outcome: 'snapshotted' as const,
      text: `then deletes the old one after a final snapshot (${attr}: Snapshot${explicit ? '' : ', the default'})`,
      after: ` The application now points at an empty ${kind}; the old data survives only in that snapshot.`,
    };
  return {
    outcome: 'orphaned' as const,
    text: `then removes the old one from the stack without deleting it (${attr}: ${policy})`,
    after: ` The application now points at an empty ${kind}, and the old one keeps running and billing outside the stack.`,
  };
}

/** Referrers of a KMS key in the baseline and the new template. */
const refer = (users: readonly string[]): string =>
  `${quoteList(users)} ${users.length === 1 ? 'refers' : 'refer'} to it`;

function keyUsers(ctx: RuleContext, base: BaselineContext, oldId: string, newId: string): string[] {
  const ids = new Set<string>();
  for (const e of base.graph.referrers(oldId)) ids.add(e.from);
  for (const e of ctx.graph.referrers(newId)) ids.add(e.from);
  return [...ids].sort();
}

function pendingDays(ctx: { value: RuleContext['value'] }, key: Resource): string {
  const v = ctx.value(key, ['Properties', 'PendingWindowInDays']);
  const n = v.kind === 'known' ? toNumber(v.value) : v.kind === 'missing' ? 30 : undefined;
  return n === undefined ? '7 to 30 days' : `${n} days`;
}

export default defineRule({
  id: ID,
  title: 'Do not replace or delete data stores by accident',
  severity: 'error',
  pillar: 'reliability',
  tier: 'H',
  scope: 'diff',
  rationale:
    'A one-line template edit can silently swap a production data store for an empty one. When a create-only property changes, CloudFormation creates a new resource, repoints references and deletes the old one according to UpdateReplacePolicy, which defaults to Delete for every type. A resource removed from the template, or moved to another logical id (a CDK construct moved in the tree), is deleted according to its DeletionPolicy, which defaults to Delete except for RDS.',
  remediation:
    'Revert the change, or migrate the data first and set UpdateReplacePolicy/DeletionPolicy to Snapshot or Retain in a prior deployment. Keep logical ids of data stores stable (overrideLogicalId, or CloudFormation stack refactoring). Protect production data stores with a stack policy that denies Update:Replace and Update:Delete, and review a change set (Replacement: True) before every production update.',
  citations: [
    'notes/000_93fa618f25815812.txt:3826',
    'notes/000_93fa618f25815812.txt:3829',
    'notes/001_599d008610d64701.txt:2762',
    'notes/001_599d008610d64701.txt:2789',
    'notes/002_67d0d92d551be2b8.txt:9721-9727',
    'notes/000_93fa618f25815812.txt:2584',
    'notes/000_93fa618f25815812.txt:3065',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatereplacepolicy.html',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/protect-stack-resources.html',
  ],
  checkTemplate(ctx) {
    const base = ctx.baseline;
    if (!base) return;
    const d = base.diff;

    recordDiffUnknowns(ctx, base, true);

    const anchorOf = new Map<string, string>();
    for (const c of d.cascades.values()) for (const id of c.replaced) if (!anchorOf.has(id)) anchorOf.set(id, c.anchor);

    // ---------------------------------------------------------------- replacement (own change or cascade)
    for (const rep of d.replacements.values()) replaced(rep);

    function replaced(rep: Replacement): void {
      const pair = rep.pair;
      const r = pair.new;
      const role = dataRole(ctx, r);
      if (role === 'none' || role === 'member') return;
      if (typeof role === 'object') {
        ctx.unknown(r, { why: role.unknown });
        return;
      }
      // A restore from another (or no) snapshot is the replacement: rds-snapshot-identifier-change reports it.
      if (rep.causes.some((c) => c.event === 'snapshot-restore' && c.status === 'changed')) return;
      const causes = rep.causes.filter((c) => !deferredTo(pair.type, c));
      if (rep.causes.length && !causes.length) return;
      const kind = kindOf(pair.type);
      const first: PropertyChange | undefined = causes[0];
      const path = first ? first.path : ['Properties', rep.via!.property];
      const because = first
        ? `${causes.length > 1 ? 'these properties' : first.property} changed: ${describeChanges(causes)}`
        : `${rep.via!.property} refers to '${rep.via!.target}', which this update replaces${
            anchorOf.get(pair.logicalId) && anchorOf.get(pair.logicalId) !== rep.via!.target
              ? ` (a cascade that starts at '${anchorOf.get(pair.logicalId)}')`
              : ''
          }`;
      const related = causes.map((c) => ({
        logicalId: pair.logicalId,
        path: c.baselinePath,
        message: `deployed value of ${c.property}: ${c.old}`,
        model: base!.model,
      }));
      if (!first && rep.via)
        related.push({
          logicalId: rep.via.target,
          path: [],
          message: `'${rep.via.target}' is replaced by this update`,
          model: ctx.model,
        });
      const cascade = d.cascades.get(pair.logicalId);
      const alsoReplaced = cascade?.replaced.length
        ? ` This also forces replacement of ${cascade.replaced.length} dependent resource${cascade.replaced.length > 1 ? 's' : ''}: ${quoteList(cascade.replaced)}.`
        : '';

      // The name stays the same: the update fails.
      const nameProp = NAME_PROPERTIES[pair.type];
      if (nameProp && pair.new.properties[nameProp] !== undefined) {
        const same = d.compare(pair, nameProp);
        if (same.status === 'unknown') {
          ctx.unknown(r, { path: ['Properties', nameProp], why: `custom name: ${same.why}` });
          return;
        }
        if (same.status === 'same' || same.status === 'textual') {
          ctx.report(r, {
            path,
            key: 'name-blocks',
            related,
            message: `${kind} '${pair.logicalId}' must be REPLACED because ${because}, but its ${nameProp} (${d.show('new', r, nameProp)}) stays the same. CloudFormation cannot replace a custom-named resource, so the update fails and rolls back. ${remediation(pair.type)}. To replace it deliberately, migrate the data first and give it a new ${nameProp}; otherwise revert the change.`,
          });
          return;
        }
      }

      if (role === 'replica') {
        const src = pair.new.properties.SourceDBInstanceIdentifier
          ? 'SourceDBInstanceIdentifier'
          : 'SourceDBClusterIdentifier';
        ctx.report(r, {
          path,
          key: 'replica-replaced',
          severity: 'warning',
          related,
          message: `Read replica '${pair.logicalId}' will be REPLACED because ${because}. CloudFormation creates a new replica, which re-syncs from its source (${src}: ${d.show('new', r, src)}) and gets a new endpoint; clients that hard-code the replica's hostname break.`,
        });
        return;
      }

      const urp = effectivePolicy(ctx, r, 'UpdateReplacePolicy');
      if ('unknown' in urp) {
        ctx.unknown(r, { path: ['UpdateReplacePolicy'], why: urp.unknown });
        return;
      }
      if (urp.policy === 'Snapshot' && !SNAPSHOT_CAPABLE_TYPES.has(pair.type)) {
        ctx.unknown(r, {
          path: ['UpdateReplacePolicy'],
          why: `UpdateReplacePolicy: Snapshot is not supported for ${pair.type}`,
        });
        return;
      }
      const policyNote = policyChange(pair);

      if (pair.type === 'AWS::KMS::Key' && urp.policy === 'Delete') {
        const users = keyUsers(ctx, base!, pair.logicalId, pair.logicalId);
        if (users.length) {
          ctx.report(r, {
            path,
            key: 'key-scheduled-for-deletion',
            related,
            message: `KMS key '${pair.logicalId}' will be REPLACED because ${because}, and with UpdateReplacePolicy ${urp.explicit ? 'Delete' : 'not set'} CloudFormation schedules the old key for deletion (after ${pendingDays(ctx, r)}) while ${refer(users)}. When the window ends, everything encrypted under the old key is unrecoverable. ${remediation(pair.type)}.${policyNote}`,
          });
          return;
        }
      }

      const restore = (SNAPSHOT_RESTORE_PROPERTIES[pair.type] ?? []).find((p) => {
        const v = ctx.value(r, ['Properties', p]);
        return v.kind === 'known' && v.value !== '' && !(Array.isArray(v.value) && !v.value.length);
      });
      const f = fate(urp.policy, urp.explicit, 'UpdateReplacePolicy', kind, pair.type);
      if (restore) {
        ctx.report(r, {
          path,
          key: 'replaced-from-snapshot',
          severity: 'warning',
          related,
          message: `${kind} '${pair.logicalId}' will be REPLACED because ${because}. CloudFormation creates a new ${kind} restored from ${restore} ${d.show('new', r, restore)}, so its data is as of that snapshot and every write made after it is lost; it repoints references, ${f.text}.${alsoReplaced}${policyNote}`,
        });
        return;
      }
      const target = SNAPSHOT_CAPABLE_TYPES.has(pair.type) ? 'Snapshot or Retain' : 'Retain';
      ctx.report(r, {
        path,
        key: `replaced-data-${f.outcome}`,
        related,
        message: `${pair.type} '${pair.logicalId}' will be REPLACED by this update because ${because}. CloudFormation creates a new, empty ${kind}, repoints references, ${f.text}.${f.after}${alsoReplaced} ${remediation(pair.type)}. If the change is unintended, revert it. If it is intended, migrate the data first${
          f.outcome === 'deleted' ? `, and set UpdateReplacePolicy: ${target} in a separate deployment beforehand` : ''
        }.${policyNote}`,
      });
    }

    function policyChange(pair: ResourcePair): string {
      const a = effectivePolicy(base!, pair.old, 'UpdateReplacePolicy');
      const b = effectivePolicy(ctx, pair.new, 'UpdateReplacePolicy');
      if ('unknown' in a || 'unknown' in b || a.policy === b.policy) return '';
      return ` UpdateReplacePolicy changes in this same update (${a.policy} → ${b.policy}), so it may not protect this update: deploy the policy change on its own first.`;
    }

    // ---------------------------------------------------------------- type change
    for (const t of d.typeChanges) {
      const role = dataRole(base, t.old);
      if (role === 'none' || role === 'member') continue;
      if (typeof role === 'object') {
        ctx.unknown(t.new, { path: ['Type'], why: role.unknown });
        continue;
      }
      const dp = effectivePolicy(base, t.old, 'DeletionPolicy');
      const policy =
        'unknown' in dp
          ? 'its DeletionPolicy'
          : `its DeletionPolicy (${dp.explicit ? dp.policy : `not set, so ${dp.policy}`})`;
      ctx.report(t.new, {
        path: ['Type'],
        key: 'type-change',
        related: [
          { logicalId: t.logicalId, path: ['Type'], message: `deployed type: ${t.old.type}`, model: base.model },
        ],
        message: `'${t.logicalId}' changes type from ${t.old.type} to ${t.new.type}. CloudFormation rejects an update that changes the type of an existing logical id ("Update of resource type is not permitted"), and moving the new resource to another logical id instead deletes the old ${kindOf(t.old.type)} and its data according to ${policy}. ${remediation(t.old.type)}.`,
      });
    }

    // ---------------------------------------------------------------- logical-id rename (create new + delete old)
    for (const rn of d.renames) {
      const role = dataRole(base, rn.old);
      if (role === 'none' || role === 'member') continue;
      if (typeof role === 'object') {
        ctx.unknown(rn.new, { why: role.unknown });
        continue;
      }
      const kind = kindOf(rn.old.type);
      const moved = movedNote(rn.old, rn.new);
      const identity =
        rn.by === 'name'
          ? `it has the same ${NAME_PROPERTIES[rn.old.type]}`
          : `${Math.round(rn.similarity * 100)}% of its top-level properties are equal`;
      const related = [
        {
          logicalId: rn.old.logicalId,
          path: [],
          message: `deployed as '${rn.old.logicalId}'${rn.old.cdkPath ? ` (${rn.old.cdkPath})` : ''}`,
          model: base.model,
        },
      ];
      const keep = `To keep the existing resource, keep its logical id (restore the construct id, or call overrideLogicalId('${rn.old.logicalId}') on the underlying CloudFormation resource), or move it with CloudFormation stack refactoring (cdk refactor).`;
      if (rn.by === 'name') {
        const nameProp = NAME_PROPERTIES[rn.old.type]!;
        ctx.report(rn.new, {
          key: 'name-blocks',
          related,
          message: `${kind} '${rn.new.logicalId}' is the deployed '${rn.old.logicalId}' under a new logical id (${identity}). ${moved}. CloudFormation creates the new resource before deleting the old one, and ${nameProp} ${d.show('new', rn.new, nameProp)} is still taken, so the update fails. ${keep}`,
        });
        continue;
      }
      if (role === 'replica') {
        ctx.report(rn.new, {
          key: 'replica-replaced',
          severity: 'warning',
          related,
          message: `Read replica '${rn.new.logicalId}' replaces '${rn.old.logicalId}' (${identity}). ${moved}. CloudFormation creates a new replica, which re-syncs from its source and gets a new endpoint, and deletes the old one.`,
        });
        continue;
      }
      const dp = effectivePolicy(base, rn.old, 'DeletionPolicy');
      if ('unknown' in dp) {
        ctx.unknown(rn.new, { why: `baseline ${dp.unknown}` });
        continue;
      }
      if (dp.policy === 'Snapshot' && !SNAPSHOT_CAPABLE_TYPES.has(rn.old.type)) continue;
      if (rn.old.type === 'AWS::KMS::Key' && dp.policy === 'Delete') {
        const users = keyUsers(ctx, base, rn.old.logicalId, rn.new.logicalId);
        if (users.length) {
          ctx.report(rn.new, {
            key: 'key-scheduled-for-deletion',
            related,
            message: `KMS key '${rn.new.logicalId}' replaces '${rn.old.logicalId}' (${identity}). ${moved}. CloudFormation creates a new key and schedules the old one for deletion (DeletionPolicy ${dp.explicit ? 'Delete' : 'not set'}; after ${pendingDays(base, rn.old)}) while ${refer(users)}. When the window ends, everything encrypted under the old key is unrecoverable. ${remediation(rn.old.type)}. ${keep}`,
          });
          continue;
        }
      }
      const f = fate(dp.policy, dp.explicit, 'DeletionPolicy', kind, rn.old.type);
      ctx.report(rn.new, {
        key: `replaced-data-${f.outcome}`,
        related,
        message: `${kind} '${rn.new.logicalId}' replaces the deployed '${rn.old.logicalId}' (${identity}). ${moved}. CloudFormation treats it as a new resource: it creates a new, empty ${kind}, ${f.text.replace('the old one', `'${rn.old.logicalId}'`)}.${f.after} ${remediation(rn.old.type)}. ${keep}`,
      });
    }

    // ---------------------------------------------------------------- removal
    for (const old of d.removals) {
      const role = dataRole(base, old);
      if (role === 'none' || role === 'member' || role === 'replica') continue;
      const stillThere = ctx.model.resources.get(old.logicalId);
      if (typeof role === 'object') {
        ctx.unknown(stillThere, { why: `baseline '${old.logicalId}': ${role.unknown}` });
        continue;
      }
      const dp = effectivePolicy(base, old, 'DeletionPolicy');
      if ('unknown' in dp) {
        ctx.unknown(stillThere, { why: `baseline '${old.logicalId}': ${dp.unknown}` });
        continue;
      }
      if (dp.policy === 'Snapshot' && !SNAPSHOT_CAPABLE_TYPES.has(old.type)) continue;
      const kind = kindOf(old.type);
      const how = stillThere
        ? `its Condition ${stillThere.condition} is false in the new template`
        : 'it is removed from the template';
      const path = dp.explicit ? ['DeletionPolicy'] : [];
      const policyText = dp.explicit ? `DeletionPolicy: ${dp.policy}` : `DeletionPolicy not set, so ${dp.policy}`;
      if (old.type === 'AWS::KMS::Key' && dp.policy === 'Delete') {
        const users = keyUsers(ctx, base, old.logicalId, old.logicalId).filter((u) => u !== old.logicalId);
        if (users.length) {
          ctx.report(old, {
            model: base.model,
            path,
            key: 'key-scheduled-for-deletion',
            message: `KMS key '${old.logicalId}' is deleted because ${how} (${policyText}): CloudFormation schedules it for deletion (after ${pendingDays(base, old)}) while ${refer(users)}. When the window ends, everything encrypted under it is unrecoverable. ${remediation(old.type)}.`,
          });
          continue;
        }
      }
      if (dp.policy === 'Delete') {
        ctx.report(old, {
          model: base.model,
          path,
          key: 'removed-deleted',
          message: `${kind} '${old.logicalId}' is deleted with its data because ${how} (${policyText}). If it must go, back the data up first; if it should stay, restore it, and set DeletionPolicy: ${
            SNAPSHOT_CAPABLE_TYPES.has(old.type) ? 'Snapshot or Retain' : 'Retain'
          } in a deployment before removing it.`,
        });
      } else if (dp.policy === 'Snapshot') {
        ctx.report(old, {
          model: base.model,
          path,
          key: 'removed-snapshotted',
          severity: 'warning',
          message: `${kind} '${old.logicalId}' is deleted because ${how}; CloudFormation takes a final snapshot first (${policyText}), so its data survives only in that snapshot. Restore it to keep the ${kind} running.`,
        });
      } else {
        ctx.report(old, {
          model: base.model,
          path,
          key: 'removed-retained',
          severity: 'info',
          message: `${kind} '${old.logicalId}' leaves the stack because ${how}; CloudFormation keeps it (${policyText}), so it keeps running and billing outside the stack. Delete or re-import it deliberately.`,
        });
      }
    }

    // ---------------------------------------------------------------- replica promotion and unknown changes
    for (const pair of d.pairs.values()) {
      if (!STATEFUL_TYPES.has(pair.type)) continue;
      for (const c of pair.changes) {
        if (c.event === 'promotion' && c.status === 'changed') {
          ctx.report(pair.new, {
            path: c.path,
            key: 'replica-promotion',
            severity: 'info',
            related: [
              {
                logicalId: pair.logicalId,
                path: c.baselinePath,
                message: `deployed source: ${c.old}`,
                model: base.model,
              },
            ],
            message: `Removing SourceDBInstanceIdentifier (${c.old}) from read replica '${pair.logicalId}' promotes it to a standalone database: it is not replaced, keeps its data and endpoint, and stops replicating. Promotion cannot be undone.`,
          });
        } else if (c.status === 'unknown' && c.behaviour === 'Replacement' && !deferredTo(pair.type, c)) {
          ctx.unknown(pair.new, { path: c.path, why: `whether ${c.property} changes: ${c.why}` });
        }
      }
    }
  },
});
