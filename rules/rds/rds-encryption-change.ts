import { defineRule } from '../../src/engine/rule';
import type { RuleContext } from '../../src/engine/context';
import type { Resource } from '../../src/model/template';
import { dataView, effectiveEncryption, sameKey, type Encryption, type KeyRef } from '../../src/model/data';
import {
  IDENTIFIER_PROPERTY,
  SNAPSHOT_PROPERTY,
  rdsEncryptionMigration,
  rdsKind,
  rdsMigrationChecklist,
} from '../../src/data/rds-migration';
import { equivalentIdentifier } from '../../src/diff/compare';
import { effectivePolicy } from '../../src/diff/rule-support';
import type { PropertyChange, ResourcePair } from '../../src/diff/types';

const ID = 'rds-encryption-change';
const TYPES = ['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster'] as const;

/** "deletes the old one together with its automated backups" and friends, by UpdateReplacePolicy. */
function oldFate(ctx: RuleContext, r: Resource): string | undefined {
  const p = effectivePolicy(ctx, r, 'UpdateReplacePolicy');
  if ('unknown' in p) return undefined;
  if (p.policy === 'Snapshot') return 'keeps a final snapshot of the old one (UpdateReplacePolicy: Snapshot)';
  if (p.policy === 'Retain' || p.policy === 'RetainExceptOnCreate')
    return 'keeps the old one running outside the stack (UpdateReplacePolicy: Retain)';
  return 'deletes the old one together with its automated backups';
}

type KeyCompare = 'same' | 'equivalent' | 'different' | 'unknown';

function compareKeys(a: KeyRef, b: KeyRef): KeyCompare {
  if (a.kind === 'unknown' || b.kind === 'unknown') return 'unknown';
  if (a.kind === 'aws-managed' && b.kind === 'aws-managed') return 'same';
  if (a.kind !== b.kind) return 'different';
  const x = (a as { value: unknown }).value;
  const y = (b as { value: unknown }).value;
  if (sameKey(x, y)) {
    // The same in-template key through Ref versus GetAtt Arn is the same key written differently.
    return typeof x === 'object' && String(x) !== String(y) ? 'equivalent' : 'same';
  }
  if (equivalentIdentifier(x, y)) return 'equivalent';
  // Two different literal strings may still name the same key (alias versus key id): not decidable.
  if (typeof x === 'string' && typeof y === 'string' && (x.startsWith('alias/') || y.startsWith('alias/')))
    return 'unknown';
  return 'different';
}

const describeE = (e: Encryption): string =>
  e.kind === 'encrypted' ? 'encrypted' : e.kind === 'unencrypted' ? 'unencrypted' : 'unknown';

export default defineRule({
  id: ID,
  title: 'Do not flip RDS storage encryption on an existing database',
  severity: 'error',
  pillar: ['security', 'reliability'],
  tier: 'H',
  scope: 'diff',
  rationale:
    'StorageEncrypted and KmsKeyId are create-only on RDS DB instances and clusters: changing either replaces the database. CloudFormation creates a new database (empty unless a snapshot is restored), repoints references and then deletes the old one together with its automated backups, since UpdateReplacePolicy defaults to Delete. RDS cannot encrypt an existing database in place, and cannot restore an encrypted snapshot into an unencrypted database.',
  remediation:
    'Migrate through a snapshot: stop writes, take a manual snapshot, copy it with encryption under the KMS key you want, point DBSnapshotIdentifier (instance) or SnapshotIdentifier (cluster) at the copy with StorageEncrypted unset, give a custom identifier a new value, deploy, and keep the snapshot identifier in the template permanently. For near-zero downtime, replicate into a new encrypted database (for example with AWS DMS) and switch over.',
  citations: [
    'notes/000_93fa618f25815812.txt:2584-2585',
    'notes/000_93fa618f25815812.txt:2599-2603',
    'notes/000_93fa618f25815812.txt:2617-2619',
    'notes/003_13f8bda642d7e66e.txt:373-377',
    'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbinstance.html',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatereplacepolicy.html',
  ],
  checkTemplate(ctx) {
    const base = ctx.baseline;
    if (!base) return;
    const d = base.diff;
    for (const type of TYPES) {
      for (const r of ctx.model.byType.get(type) ?? []) {
        const pair = d.pairs.get(r.logicalId);
        if (pair) check(pair);
      }
    }

    function check(pair: ResourcePair): void {
      const r = pair.new;
      const kind = rdsKind(pair.type);
      let replica = false;
      if (pair.type === 'AWS::RDS::DBInstance') {
        const roleN = ctx.view(dataView).instance(r.logicalId)?.role.kind;
        const roleB = base!.view(dataView).instance(pair.old.logicalId)?.role.kind;
        // Aurora members are ignored: the cluster decides.
        if (roleN === 'aurora-member' || roleB === 'aurora-member') return;
        replica = roleN === 'replica';
      }
      const flagChange = pair.changes.find((c) => c.property === 'StorageEncrypted');
      const keyChange = pair.changes.find((c) => c.property === 'KmsKeyId');
      if (pair.changes.some((c) => c.event === 'promotion')) {
        // A promoted read replica keeps its storage, and with it the encryption it had as a replica.
        if (flagChange || keyChange)
          ctx.unknown(r, {
            path: (flagChange ?? keyChange)!.path,
            why: 'the replica is promoted in the same update; its encryption is inherited from the source',
          });
        return;
      }
      if (replica) {
        // A replica takes its encryption from its source; its own settings only make CloudFormation recreate it.
        const c = flagChange ?? keyChange;
        if (!c) return;
        if (c.status === 'unknown') {
          ctx.unknown(r, { path: c.path, why: `whether ${c.property} changes: ${c.why}` });
          return;
        }
        ctx.report(r, {
          path: c.path,
          key: 'replica-change',
          severity: 'warning',
          related: [
            {
              logicalId: pair.logicalId,
              path: c.baselinePath,
              message: `deployed ${c.property}: ${c.old}`,
              model: base!.model,
            },
          ],
          message: `Changing ${c.property} from ${c.old} to ${c.new} on read replica '${pair.logicalId}' replaces it: the replica is recreated and re-synced from its source, and its endpoint changes. A replica takes its encryption from its source, so the setting has no other effect; to change the encryption, migrate the source database.`,
        });
        return;
      }
      const eB = effectiveEncryption(base!, pair.old);
      const eN = effectiveEncryption(ctx, r);
      if (!flagChange && !keyChange && eB.kind === eN.kind && eB.kind !== 'encrypted') return;
      if (eB.kind === 'unknown' || eN.kind === 'unknown') {
        if (flagChange || keyChange || eB.kind !== eN.kind) {
          const u = eN.kind === 'unknown' ? eN : (eB as { why: string });
          ctx.unknown(r, {
            path: (flagChange ?? keyChange)?.path ?? [],
            why: `${eN.kind === 'unknown' ? 'new' : 'baseline'} encryption: ${u.why}`,
          });
        }
        return;
      }

      // What changes: enable, disable, key change, or the same encryption written differently.
      let outcome: 'enable' | 'disable' | 'key-change' | 'textual' | undefined;
      if (eB.kind === 'unencrypted' && eN.kind === 'encrypted') outcome = 'enable';
      else if (eB.kind === 'encrypted' && eN.kind === 'unencrypted') outcome = 'disable';
      else if (eB.kind === 'encrypted' && eN.kind === 'encrypted') {
        const k = compareKeys(eB.key, eN.key);
        if (k === 'unknown') {
          if (keyChange)
            ctx.unknown(r, {
              path: keyChange.path,
              why: `whether the KMS key changes: ${
                eN.key.kind === 'unknown'
                  ? eN.key.why
                  : eB.key.kind === 'unknown'
                    ? eB.key.why
                    : 'an alias and a key id'
              }`,
            });
          return;
        }
        if (k === 'different') outcome = 'key-change';
        else if (k === 'equivalent' || flagChange || keyChange) outcome = 'textual';
      } else if (flagChange || keyChange) outcome = 'textual';
      if (!outcome) return;

      const change: PropertyChange | undefined =
        outcome === 'key-change' ? (keyChange ?? flagChange) : (flagChange ?? keyChange);
      const snapProp = SNAPSHOT_PROPERTY[kind];
      const snap = pair.changes.find((c) => c.property === snapProp);
      const path = change?.path ?? snap?.path ?? [];
      const related = change
        ? [
            {
              logicalId: pair.logicalId,
              path: change.baselinePath,
              message: `deployed ${change.property}: ${change.old}`,
              model: base!.model,
            },
          ]
        : [];

      if (outcome === 'textual') {
        if (!change) return;
        ctx.report(r, {
          path,
          key: 'textual-change-only',
          severity: 'warning',
          related,
          message: `${change.property} of '${pair.logicalId}' changes only in form (${change.old} → ${change.new}); the database stays ${describeE(eN)}${
            eN.kind === 'encrypted' ? ' with the same key' : ''
          }. CloudFormation compares the template values of create-only properties, so this may still replace the database. Keep the deployed form, or confirm with a change set that it shows no replacement.`,
        });
        return;
      }

      const what = flagChange
        ? `Changing StorageEncrypted from ${flagChange.old} to ${flagChange.new}${
            keyChange ? ` (and KmsKeyId from ${keyChange.old} to ${keyChange.new})` : ''
          }`
        : keyChange
          ? keyChange.oldValue.kind === 'missing'
            ? `Adding KmsKeyId ${keyChange.new}${outcome === 'enable' ? ', which asks for encryption,' : ''}`
            : keyChange.newValue.kind === 'missing'
              ? `Removing KmsKeyId ${keyChange.old}`
              : `Changing KmsKeyId from ${keyChange.old} to ${keyChange.new}`
          : `Changing the storage encryption from ${describeE(eB)} to ${describeE(eN)}`;
      const fate = oldFate(ctx, r);

      const idProp = IDENTIFIER_PROPERTY[kind];
      if (r.properties[idProp] !== undefined) {
        const same = d.compare(pair, idProp);
        if (same.status === 'unknown') {
          ctx.unknown(r, { path: ['Properties', idProp], why: `custom identifier: ${same.why}` });
          return;
        }
        if (same.status === 'same' || same.status === 'textual') {
          ctx.report(r, {
            path,
            key: 'custom-name-blocks',
            related,
            message: `${what} on '${pair.logicalId}' requires replacing the database, but ${idProp} (${d.show('new', r, idProp)}) stays the same. CloudFormation cannot replace a custom-named resource, so the update fails and rolls back.\n${rdsEncryptionMigration(kind)}`,
          });
          return;
        }
      }

      if (
        snap &&
        snap.status === 'changed' &&
        snap.newValue.kind === 'known' &&
        typeof snap.newValue.value === 'string' &&
        snap.newValue.value !== ''
      ) {
        ctx.report(r, {
          path,
          key: 'migration-in-progress',
          severity: 'warning',
          related,
          message: `'${pair.logicalId}' is being migrated: ${what.charAt(0).toLowerCase()}${what.slice(1)} together with ${snapProp} ${snap.new} restores a new ${describeE(eN)} ${kind} from that snapshot${
            fate ? ` and ${fate}` : ''
          }. This is the documented migration. Check:\n${rdsMigrationChecklist(kind)}`,
        });
        return;
      }

      const newNoun = outcome === 'disable' ? `EMPTY unencrypted ${kind}` : `EMPTY encrypted ${kind}`;
      const why =
        outcome === 'disable'
          ? ' RDS cannot restore an encrypted snapshot into an unencrypted database, so the data cannot follow: keep the database encrypted, or export the data and import it into a new unencrypted database.'
          : outcome === 'key-change'
            ? ' The data can follow only through a snapshot copied under the new key.'
            : '';
      ctx.report(r, {
        path,
        key: `${outcome}-replaces`,
        related,
        message: `${what} on '${pair.logicalId}' replaces the database. CloudFormation creates a new, ${newNoun}, repoints references, then ${
          fate ?? 'handles the old one according to its UpdateReplacePolicy'
        }.${why}${outcome === 'disable' ? '' : `\n${rdsEncryptionMigration(kind)}`}`,
      });
    }
  },
});
