import { defineRule } from '../../src/engine/rule';
import type { RuleContext } from '../../src/engine/context';
import type { Resource } from '../../src/model/template';
import {
  DB_CLUSTER,
  DB_INSTANCE,
  dataView,
  dbKind,
  effectiveEncryption,
  flagCombos,
  isAwsManagedRdsKey,
  keyAlternatives,
  type KeyAlternative,
  type Link,
} from '../../src/model/data';
import type { Severity } from '../../src/types';
import { rdsEncryptionMigration, rdsKind } from '../../src/data/rds-migration';

type Outcome =
  | 'unencrypted-default'
  | 'unencrypted-explicit'
  | 'key-contradiction'
  | 'key-without-flag'
  | 'aws-managed-key'
  | 'pass';

const SEVERITY: Record<Exclude<Outcome, 'pass'>, Severity> = {
  'unencrypted-default': 'error',
  'unencrypted-explicit': 'error',
  'key-contradiction': 'error',
  'key-without-flag': 'warning',
  'aws-managed-key': 'info',
};

const FLAG = ['Properties', 'StorageEncrypted'];
const KEY = ['Properties', 'KmsKeyId'];

function outcomeOf(flag: boolean | 'absent', key: KeyAlternative): Outcome {
  if (flag === true) {
    if (key.kind === 'absent' || (key.kind === 'value' && isAwsManagedRdsKey(key.value))) return 'aws-managed-key';
    return 'pass';
  }
  if (flag === false) return key.kind === 'absent' ? 'unencrypted-explicit' : 'key-contradiction';
  return key.kind === 'absent' ? 'unencrypted-default' : 'key-without-flag';
}

const ADVICE =
  'Set StorageEncrypted: true before the first deployment, with KmsKeyId pointing to a customer managed key if snapshots must be shared across accounts or key access must be controlled. This also encrypts backups, snapshots and read replicas.';

/** The StorageEncrypted/KmsKeyId table of catalog 2.2.2, for primaries (and clusters that only declare their own). */
/** Diff mode: the same database exists in the deployed template (baseline) and is not encrypted there. */
function deployedUnencrypted(r: Resource, ctx: RuleContext): boolean {
  const base = ctx.baseline;
  const old = base?.model.resources.get(r.logicalId);
  if (!base || !old || old.type !== r.type || base.exists(old) !== 'yes') return false;
  return effectiveEncryption(base, old).kind === 'unencrypted';
}

function judgeFlags(r: Resource, ctx: RuleContext): void {
  const combos = flagCombos(ctx, r);
  const outcomes = new Set<Outcome>();
  for (const c of combos) {
    if (c.flag === undefined) {
      ctx.unknown(r, { path: FLAG, why: c.why ?? 'StorageEncrypted is not known' });
      return;
    }
    outcomes.add(outcomeOf(c.flag, c.key));
  }
  if (outcomes.size !== 1) {
    ctx.unknown(r, { path: FLAG, why: 'StorageEncrypted/KmsKeyId differ between condition branches' });
    return;
  }
  const outcome = [...outcomes][0]!;
  if (outcome === 'pass') return;
  const kind = `RDS ${dbKind(r)} '${r.logicalId}'`;
  const severity = SEVERITY[outcome];
  if ((outcome === 'unencrypted-default' || outcome === 'unencrypted-explicit') && deployedUnencrypted(r, ctx)) {
    // Diff mode, catalog 2.2.2 "Existing databases": the flag cannot simply be set any more.
    ctx.report(r, {
      path: outcome === 'unencrypted-default' ? [] : FLAG,
      severity,
      message: `${kind} is deployed without storage encryption and stays unencrypted. Setting StorageEncrypted now would replace it with a new, empty database (see rds-encryption-change).\n${rdsEncryptionMigration(rdsKind(r.type))}`,
    });
    return;
  }
  switch (outcome) {
    case 'unencrypted-default':
      ctx.report(r, {
        path: [],
        severity,
        message: `${kind} will be created without storage encryption (StorageEncrypted is not set; RDS defaults to unencrypted). Encryption can only be chosen at creation, and turning it on later replaces the database. ${ADVICE}`,
      });
      return;
    case 'unencrypted-explicit':
      ctx.report(r, {
        path: FLAG,
        severity,
        message: `${kind} will be created without storage encryption (StorageEncrypted: false). Encryption can only be chosen at creation, and turning it on later replaces the database. ${ADVICE}`,
      });
      return;
    case 'key-contradiction':
      ctx.report(r, {
        path: FLAG,
        severity,
        message: `${kind} sets StorageEncrypted: false together with KmsKeyId. CloudFormation requires StorageEncrypted: true whenever KmsKeyId is given, and this combination is undefined: the database may be created unencrypted, and encryption can only be chosen at creation. Set StorageEncrypted: true to use the key, before the first deployment.`,
      });
      return;
    case 'key-without-flag':
      ctx.report(r, {
        path: KEY,
        severity,
        message: `${kind} sets KmsKeyId but not StorageEncrypted. The intent is clearly encryption, and CloudFormation requires StorageEncrypted: true whenever KmsKeyId is given. Set StorageEncrypted: true explicitly, so that the database is certainly encrypted at creation, the only time encryption can be chosen.`,
      });
      return;
    case 'aws-managed-key': {
      const alias = combos.some((c) => c.key.kind === 'value');
      ctx.report(r, {
        path: alias ? KEY : FLAG,
        severity,
        message: `${kind} is encrypted with the AWS managed key aws/rds (${alias ? 'KmsKeyId is alias/aws/rds' : 'KmsKeyId is not set'}). Snapshots encrypted with an AWS managed key cannot be shared with other accounts, so cross-account DR copies need a customer managed key. If you need them, set KmsKeyId to a customer managed key now: the key can only be chosen at creation.`,
      });
      return;
    }
  }
}

function describeSource(restore: { property: string; id?: string; source?: Link }): string {
  if (restore.source?.kind === 'resource') return `source '${restore.source.resource.logicalId}'`;
  if (restore.source?.kind === 'external') return `source ${restore.source.text}`;
  return restore.id ? `snapshot ${restore.id}` : `its ${restore.property}`;
}

function judgeRestore(r: Resource, ctx: RuleContext, restore: { property: string; id?: string; source?: Link }): void {
  const e = effectiveEncryption(ctx, r);
  if (e.kind === 'unknown') {
    ctx.unknown(r, { path: ['Properties', restore.property], why: e.why });
    return;
  }
  if (e.kind === 'encrypted') return;
  const related =
    restore.source?.kind === 'resource'
      ? [
          {
            logicalId: restore.source.resource.logicalId,
            message: `the unencrypted source '${restore.source.resource.logicalId}'`,
          },
        ]
      : undefined;
  const from = describeSource(restore);
  if (r.type === DB_CLUSTER && keyAlternatives(ctx, r).every((k) => k.kind !== 'absent') && restore.source) {
    ctx.report(r, {
      path: KEY,
      related,
      message: `RDS DB cluster '${r.logicalId}' restores from ${from}, which is not encrypted, and sets KmsKeyId. RDS rejects a KmsKeyId for a point-in-time restore or clone of an unencrypted cluster, so this deployment fails. Restore from an encrypted snapshot copy instead (a cluster snapshot restore accepts KmsKeyId), or remove KmsKeyId.`,
    });
    return;
  }
  const fix =
    r.type === DB_CLUSTER
      ? 'Restore from a snapshot with KmsKeyId set (RestoreDBClusterFromSnapshot encrypts an unencrypted snapshot), or from an encrypted snapshot copy.'
      : 'Copy the snapshot with encryption under the KMS key you want, and restore from the encrypted copy (leave StorageEncrypted unset; it is inherited from the snapshot).';
  ctx.report(r, {
    path: ['Properties', restore.property],
    related,
    message: `RDS ${dbKind(r)} '${r.logicalId}' is restored from ${from}, which is not encrypted, so the new database is not encrypted either. Encryption can only be chosen at creation. ${fix}`,
  });
}

export default defineRule({
  id: 'rds-encryption-at-creation',
  title: 'Encrypt RDS storage when the database is created',
  severity: 'error',
  pillar: 'security',
  tier: 'H',
  scope: 'resource',
  resourceTypes: [DB_INSTANCE, DB_CLUSTER],
  rationale:
    'RDS storage encryption is chosen when the database is created and cannot be switched on later: encrypting an existing database means snapshot, encrypted copy, restore into a new database and moving the applications. Encryption covers storage, automated backups, snapshots and read replicas. Aurora instances take their encryption from the cluster, read replicas from their source, and restores from their snapshot.',
  remediation:
    'Set StorageEncrypted: true (with a customer managed KmsKeyId where snapshots must be shared across accounts or key access must be controlled) before the first deployment. For restores, restore from an encrypted snapshot copy.',
  citations: [
    'notes/000_93fa618f25815812.txt:2582-2586',
    'notes/000_93fa618f25815812.txt:2617-2618',
    'notes/001_599d008610d64701.txt:1648',
    'notes/003_13f8bda642d7e66e.txt:373',
    'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbinstance.html',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbcluster.html',
  ],
  check(r, ctx) {
    const view = ctx.view(dataView);
    if (r.type === DB_INSTANCE) {
      const info = view.instance(r.logicalId);
      if (!info) return;
      const role = info.role;
      // Aurora members are judged on their cluster; read replicas by rds-replica-encryption-consistency.
      if (role.kind === 'aurora-member' || role.kind === 'replica') return;
      if (role.kind === 'unknown') ctx.unknown(r, { why: role.why });
      else if (role.kind === 'restore') judgeRestore(r, ctx, role.restore);
      else if (info.custom)
        return; // RDS Custom is always encrypted with its required KmsKeyId.
      else judgeFlags(r, ctx);
      return;
    }
    const info = view.cluster(r.logicalId);
    if (!info) return;
    if (info.serverlessV1 === undefined) {
      ctx.unknown(r, { path: ['Properties', 'EngineMode'], why: 'EngineMode is not known' });
      return;
    }
    if (info.serverlessV1) {
      // Aurora Serverless v1 is always encrypted; only the key choice is worth a note.
      const keys = keyAlternatives(ctx, r);
      if (keys.every((k) => k.kind === 'absent' || (k.kind === 'value' && isAwsManagedRdsKey(k.value)))) {
        const alias = keys.some((k) => k.kind === 'value');
        ctx.report(r, {
          path: alias ? KEY : ['Properties', 'EngineMode'],
          severity: 'info',
          message: `RDS DB cluster '${r.logicalId}' (Aurora Serverless v1, always encrypted) uses the AWS managed key aws/rds (${alias ? 'KmsKeyId is alias/aws/rds' : 'KmsKeyId is not set'}). Snapshots encrypted with an AWS managed key cannot be shared with other accounts, so cross-account DR copies need a customer managed key. If you need them, set KmsKeyId to a customer managed key now: the key can only be chosen at creation.`,
        });
      }
      return;
    }
    const role = info.role;
    switch (role.kind) {
      case 'replica':
        return; // rds-replica-encryption-consistency
      case 'unknown':
        ctx.unknown(r, { why: role.why });
        return;
      case 'restore':
        judgeRestore(r, ctx, role.restore);
        return;
      case 'global-member': {
        const e = effectiveEncryption(ctx, r);
        if (e.kind === 'unknown') {
          ctx.unknown(r, { path: ['Properties', 'GlobalClusterIdentifier'], why: e.why });
          return;
        }
        if (e.basis !== 'global') {
          judgeFlags(r, ctx);
          return;
        }
        if (e.kind === 'unencrypted' && role.global.kind === 'resource') {
          const g = role.global.resource;
          ctx.report(r, {
            path: ['Properties', 'GlobalClusterIdentifier'],
            related: [{ logicalId: g.logicalId, message: `global cluster '${g.logicalId}' is not encrypted` }],
            message: `RDS DB cluster '${r.logicalId}' joins global cluster '${g.logicalId}', which is not encrypted, so this cluster is created without storage encryption. Encryption can only be chosen at creation, for the whole global database. Set StorageEncrypted: true on '${g.logicalId}' (and on its source cluster) before the first deployment.`,
          });
        }
        return;
      }
      case 'primary':
        judgeFlags(r, ctx);
        return;
    }
  },
});
