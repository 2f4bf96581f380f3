import { defineRule } from '../../src/engine/rule';
import type { RuleContext } from '../../src/engine/context';
import type { Resource } from '../../src/model/template';
import { ResourceRef } from '../../src/model/values';
import {
  DB_CLUSTER,
  DB_INSTANCE,
  boolAlternatives,
  dataView,
  effectiveEncryption,
  flagCombos,
  isAwsManagedRdsKey,
  keyAlternatives,
  kmsKeyRegion,
  type KeyRef,
  type Link,
  type ReplicaEdge,
} from '../../src/model/data';

const FLAG = ['Properties', 'StorageEncrypted'];
const KEY = ['Properties', 'KmsKeyId'];

/** The in-template key an AWS::KMS::Alias points to, or the key itself. */
function keyIdentity(ctx: RuleContext, v: unknown): unknown {
  if (v instanceof ResourceRef) {
    const r = ctx.model.resources.get(v.logicalId);
    if (r?.type === 'AWS::KMS::Alias') {
      const target = ctx.value(r, ['Properties', 'TargetKeyId']);
      if (target.kind === 'known' && target.value instanceof ResourceRef) return target.value;
    }
    return v;
  }
  if (typeof v === 'string') {
    const m = /^arn:aws[a-z-]*:kms:[^:]*:[^:]*:key\/(.+)$/.exec(v.trim());
    return m ? m[1] : v.trim();
  }
  return v;
}

/** true when two keys are certainly different, false when certainly the same, undefined when it cannot be told. */
function keysDiffer(ctx: RuleContext, a: KeyRef, b: KeyRef): boolean | undefined {
  if (a.kind === 'unknown' || b.kind === 'unknown') return undefined;
  if (a.kind === 'aws-managed' && b.kind === 'aws-managed') return false;
  if (a.kind === 'aws-managed' || b.kind === 'aws-managed') {
    const other = (a.kind === 'key' ? a : b) as { value: unknown };
    const id = keyIdentity(ctx, other.value);
    // An in-template key or a customer alias is certainly a customer managed key; a literal key id might be aws/rds.
    if (id instanceof ResourceRef) return true;
    if (typeof id === 'string' && id.startsWith('alias/') && !id.startsWith('alias/aws/')) return true;
    return undefined;
  }
  const x = keyIdentity(ctx, (a as { value: unknown }).value);
  const y = keyIdentity(ctx, (b as { value: unknown }).value);
  if (x instanceof ResourceRef && y instanceof ResourceRef) return x.logicalId !== y.logicalId;
  if (typeof x === 'string' && typeof y === 'string') {
    if (x === y) return false;
    // Both key ids (not aliases): certainly different keys.
    if (!x.startsWith('alias/') && !y.startsWith('alias/') && !x.includes(':') && !y.includes(':')) return true;
  }
  return undefined;
}

function sourceName(link: Link): string {
  return link.kind === 'resource' ? link.resource.logicalId : link.kind === 'external' ? link.text : 'its source';
}

/** 'yes' when every branch asks for encryption (StorageEncrypted: true or a KmsKeyId), 'no' when none does. */
function asksForEncryption(ctx: RuleContext, r: Resource): 'yes' | 'no' | 'maybe' {
  let yes = 0;
  let no = 0;
  for (const c of flagCombos(ctx, r)) {
    if (c.flag === undefined) return 'maybe';
    if (c.flag === true || c.key.kind !== 'absent') yes++;
    else no++;
  }
  return no === 0 ? 'yes' : yes === 0 ? 'no' : 'maybe';
}

function judgeKeyRegion(ctx: RuleContext, r: Resource): void {
  const region = ctx.view(dataView).stackRegion;
  const keys = keyAlternatives(ctx, r);
  const regions = keys.map((k) => (k.kind === 'value' ? kmsKeyRegion(k.value) : undefined));
  if (!keys.length || regions.some((x) => x === undefined)) return;
  if (region === undefined) {
    ctx.unknown(r, {
      path: KEY,
      why: "needs the stack's Region (pseudoParameters.region) to check the KMS key's Region",
    });
    return;
  }
  if (regions.every((x) => x !== region)) {
    const keyRegion = regions[0]!;
    ctx.report(r, {
      path: KEY,
      key: 'key-wrong-region',
      message: `'${r.logicalId}' is created in ${region}, but its KmsKeyId is a key ARN in ${keyRegion}. KMS keys are regional, so RDS cannot use it and the deployment fails. Use the ARN of a key in ${region}${
        /mrk-/.test(String((keys[0] as { value: unknown }).value))
          ? ' (for a multi-Region key, the ARN of its replica key in that Region)'
          : ''
      }.`,
    });
  }
}

function judgeReplica(ctx: RuleContext, r: Resource, e: ReplicaEdge): void {
  const isInstance = r.type === DB_INSTANCE;
  // A same-Region replica always uses the source's key, so its KmsKeyId is not used at all.
  if (e.region !== 'same') judgeKeyRegion(ctx, r);
  let flagReported = false;

  const src = e.source;
  const related =
    src.kind === 'resource'
      ? [{ logicalId: src.resource.logicalId, message: `the source '${src.resource.logicalId}'` }]
      : undefined;
  const srcE =
    src.kind === 'resource'
      ? effectiveEncryption(ctx, src.resource)
      : ({
          kind: 'unknown',
          why: src.kind === 'unknown' ? src.why : `the source ${sourceName(src)} is outside the template`,
        } as const);

  if (srcE.kind === 'unknown') {
    ctx.unknown(r, { path: ['Properties', e.property], why: srcE.why });
  } else if (srcE.kind === 'unencrypted') {
    const asks = asksForEncryption(ctx, r);
    if (asks === 'yes') {
      const flags = boolAlternatives(ctx, r, 'StorageEncrypted') ?? [];
      const onFlag = flags.every((f) => f === true);
      flagReported = onFlag;
      ctx.report(r, {
        path: onFlag ? FLAG : KEY,
        related,
        key: 'encrypted-replica-of-unencrypted',
        message: `Read replica '${r.logicalId}' asks for encryption, but its source '${sourceName(src)}' is not encrypted. RDS cannot create an encrypted replica from an unencrypted source, so this deployment will fail. Encrypt the source first (see rds-encryption-change), or remove StorageEncrypted/KmsKeyId from the replica.`,
      });
    } else if (asks === 'maybe') {
      ctx.unknown(r, { path: FLAG, why: 'StorageEncrypted/KmsKeyId depend on a condition' });
    }
  } else {
    const keys = keyAlternatives(ctx, r);
    if (e.region === 'cross' && keys.every((k) => k.kind === 'absent')) {
      ctx.report(r, {
        path: [],
        related,
        key: 'cross-region-missing-key',
        message: `Cross-Region replica '${r.logicalId}' (${e.regionWhy}) has an encrypted source '${sourceName(src)}' but no KmsKeyId. KMS keys are regional, so a cross-Region replica of an encrypted source must name a KMS key in the replica's own Region, and the deployment fails without one. Set KmsKeyId to a key (ARN) in the replica's Region.`,
      });
    } else if (e.region === 'unknown' && keys.every((k) => k.kind === 'absent')) {
      ctx.unknown(r, { path: ['Properties', e.property], why: e.regionWhy });
    } else if (e.region === 'same' && keys.length && keys.every((k) => k.kind === 'value')) {
      const own = keys.map((k) =>
        isAwsManagedRdsKey((k as { value: unknown }).value)
          ? ({ kind: 'aws-managed' } as const)
          : ({ kind: 'key', value: (k as { value: unknown }).value } as const),
      );
      const differ = own.map((k) => keysDiffer(ctx, k, srcE.key));
      if (differ.every((d) => d === true)) {
        ctx.report(r, {
          path: KEY,
          severity: 'info',
          related,
          key: 'same-region-key-ignored',
          message: `Read replica '${r.logicalId}' sets a KmsKeyId that differs from the key of its source '${sourceName(src)}', but a replica in the same Region is always encrypted with the source's key, so this KmsKeyId is ignored. Remove it to avoid the impression that the replica uses another key.`,
        });
      } else if (differ.some((d) => d === undefined)) {
        ctx.unknown(r, { path: KEY, why: "cannot tell whether the replica's KmsKeyId is the source's key" });
      }
    }
  }

  if (isInstance && !flagReported && r.properties.StorageEncrypted !== undefined) {
    const v = ctx.value(r, FLAG);
    if (v.kind !== 'missing') {
      ctx.report(r, {
        path: FLAG,
        severity: 'warning',
        key: 'replica-flag-ignored',
        message: `Read replica '${r.logicalId}' sets StorageEncrypted, but a replica inherits encryption from its source and the setting is ignored (a replica of an encrypted source is always encrypted, one of an unencrypted source never is). Remove StorageEncrypted from the replica.`,
      });
    }
  }
}

function judgeGlobalMember(ctx: RuleContext, r: Resource, global: Link): void {
  judgeKeyRegion(ctx, r);
  if (global.kind !== 'resource') {
    if (global.kind === 'unknown') ctx.unknown(r, { path: ['Properties', 'GlobalClusterIdentifier'], why: global.why });
    return;
  }
  const g = global.resource;
  const gFlags = boolAlternatives(ctx, g, 'StorageEncrypted');
  const mFlags = boolAlternatives(ctx, r, 'StorageEncrypted');
  if (!gFlags || !mFlags) {
    ctx.unknown(r, { path: FLAG, why: 'StorageEncrypted of the member or the global cluster is not known' });
    return;
  }
  if (gFlags.length !== 1 || mFlags.length !== 1) {
    if (gFlags.some((f) => f !== 'absent') && mFlags.some((f) => f !== 'absent'))
      ctx.unknown(r, { path: FLAG, why: 'StorageEncrypted depends on a condition' });
    return;
  }
  const gf = gFlags[0]!;
  const mf = mFlags[0]!;
  if (gf === 'absent' || mf === 'absent' || gf === mf) return;
  ctx.report(r, {
    path: FLAG,
    key: 'global-mismatch',
    related: [
      { logicalId: g.logicalId, path: FLAG, message: `global cluster '${g.logicalId}' has StorageEncrypted: ${gf}` },
    ],
    message: `DB cluster '${r.logicalId}' sets StorageEncrypted: ${mf}, but its global cluster '${g.logicalId}' has StorageEncrypted: ${gf}. Every cluster of a global database has the global cluster's encryption, so this deployment fails. Make both agree (StorageEncrypted: true on both, with a KmsKeyId in each secondary Region).`,
  });
}

export default defineRule({
  id: 'rds-replica-encryption-consistency',
  title: 'Keep RDS replicas consistent with the encryption of their source',
  severity: 'error',
  pillar: 'security',
  tier: 'H',
  scope: 'graph',
  resourceTypes: [DB_INSTANCE, DB_CLUSTER],
  rationale:
    "A read replica follows its source: an unencrypted source cannot have encrypted replicas, and an encrypted source's same-Region replicas use the same key. KMS keys are regional, so a cross-Region replica of an encrypted source needs a key in its own Region. Every cluster of a global database has the global cluster's encryption.",
  remediation:
    'Encrypt the source (through a snapshot, encrypted copy and restore), remove StorageEncrypted from replicas, give cross-Region replicas a KmsKeyId in their own Region, and keep global cluster members consistent with the global cluster.',
  citations: [
    'notes/000_93fa618f25815812.txt:2587',
    'notes/003_13f8bda642d7e66e.txt:343',
    'notes/003_13f8bda642d7e66e.txt:371-372',
    'notes/003_13f8bda642d7e66e.txt:378',
    'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html#Overview.Encryption.Limitations',
    'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html',
    'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.XRgn.html',
  ],
  check(r, ctx) {
    const view = ctx.view(dataView);
    if (r.type === DB_INSTANCE) {
      const role = view.instance(r.logicalId)?.role;
      if (role?.kind === 'replica') judgeReplica(ctx, r, role.edge);
      else if (
        role?.kind === 'unknown' &&
        (r.properties.SourceDBInstanceIdentifier !== undefined || r.properties.SourceDBClusterIdentifier !== undefined)
      )
        ctx.unknown(r, { why: role.why });
      return;
    }
    const info = view.cluster(r.logicalId);
    if (!info) return;
    if (info.role.kind === 'replica') judgeReplica(ctx, r, info.role.edge);
    else if (info.role.kind === 'global-member') judgeGlobalMember(ctx, r, info.role.global);
    else if (info.role.kind === 'unknown' && r.properties.GlobalClusterIdentifier !== undefined)
      ctx.unknown(r, { why: info.role.why });
  },
});
