import { defineRule } from '../../src/engine/rule';
import type { RuleContext } from '../../src/engine/context';
import type { Resource } from '../../src/model/template';
import { deepEqual, possibleValues, SymbolicAz, toNumber } from '../../src/model/values';
import {
  DB_CLUSTER,
  DB_INSTANCE,
  dataView,
  instanceClassRank,
  presence,
  stringAlternatives,
  type DbClusterInfo,
} from '../../src/model/data';

const MAX_REPLICAS = 15;

/** Instance-level properties that belong to the cluster or do not apply to Aurora members. */
const CLUSTER_LEVEL: Record<string, string> = {
  AllocatedStorage: 'Aurora storage grows automatically and is not allocated per instance',
  Iops: 'Aurora I/O is not provisioned per instance (use the cluster StorageType aurora-iopt1 for I/O-Optimized)',
  StorageType: 'the storage type is a cluster setting (DBCluster StorageType)',
  BackupRetentionPeriod: 'backups are a cluster setting (DBCluster BackupRetentionPeriod)',
  MasterUsername: 'the master user is a cluster setting (DBCluster MasterUsername)',
  MasterUserPassword:
    'the master password is a cluster setting (DBCluster MasterUserPassword or ManageMasterUserPassword)',
  StorageEncrypted: 'encryption is a cluster setting (DBCluster StorageEncrypted)',
  KmsKeyId: 'the encryption key is a cluster setting (DBCluster KmsKeyId)',
  MultiAZ: 'Aurora has no Multi-AZ instance flag; availability comes from readers in other AZs',
};

function envSeverity(ctx: RuleContext, r: Resource, prod: 'error' | 'warning', other: 'warning' | 'info') {
  return ctx.environment(r) === 'prod' ? prod : other;
}

/** A single known value of a property across branches, or undefined. */
function single(ctx: RuleContext, r: Resource, prop: string): unknown {
  const alts = possibleValues(ctx.value(r, ['Properties', prop]));
  if (alts.some((a) => a.kind !== 'known')) return undefined;
  const first = (alts[0] as { value: unknown }).value;
  return alts.every((a) => deepEqual((a as { value: unknown }).value, first)) ? first : undefined;
}

function judgeCluster(ctx: RuleContext, r: Resource, info: DbClusterInfo): void {
  const view = ctx.view(dataView);
  if (info.aurora === false) return;
  if (info.aurora === undefined) {
    ctx.unknown(r, { path: ['Properties', 'Engine'], why: 'Engine is not known' });
    return;
  }
  if (info.serverlessV1 === undefined) {
    ctx.unknown(r, { path: ['Properties', 'EngineMode'], why: 'EngineMode is not known' });
    return;
  }
  if (info.serverlessV1) {
    ctx.report(r, {
      path: ['Properties', 'EngineMode'],
      severity: envSeverity(ctx, r, 'warning', 'info'),
      key: 'serverless-v1',
      message: `Aurora cluster '${r.logicalId}' uses EngineMode: serverless (Aurora Serverless v1), which reached end of life on 2025-03-31. It has a single compute node and no reader to fail over to. Use provisioned mode with Serverless v2 instances (DBInstanceClass: db.serverless) and a reader.`,
    });
    return;
  }
  if (!info.engineModes?.every((m) => m === 'provisioned')) return;

  const members = view.membersOf(r.logicalId);
  const scaling = view.readerScalingOf(r.logicalId);
  const definite = members.definite;

  // too-many-replicas
  if (definite.length - 1 > MAX_REPLICAS) {
    ctx.report(r, {
      path: [],
      key: 'too-many-replicas',
      severity: 'error',
      message: `Aurora cluster '${r.logicalId}' has ${definite.length} DB instances, that is ${definite.length - 1} Aurora Replicas, but Aurora allows at most ${MAX_REPLICAS} replicas per cluster, so the deployment fails. Remove instances, or split the read load across clusters.`,
    });
  }
  for (const s of scaling) {
    if (s.cluster.kind !== 'resource' || !s.certain) continue;
    const max = toNumber(single(ctx, s.target, 'MaxCapacity'));
    if (max !== undefined && max > MAX_REPLICAS) {
      ctx.report(s.target, {
        path: ['Properties', 'MaxCapacity'],
        severity: 'error',
        key: 'too-many-replicas',
        related: [{ logicalId: r.logicalId, message: `Aurora cluster '${r.logicalId}'` }],
        message: `Aurora reader auto scaling for cluster '${r.logicalId}' allows MaxCapacity ${max} replicas, but Aurora allows at most ${MAX_REPLICAS} replicas per cluster. Set MaxCapacity to ${MAX_REPLICAS} or less.`,
      });
    }
  }

  const global = presence(ctx, r, 'GlobalClusterIdentifier');
  if (definite.length === 0) {
    if (members.maybe.length) {
      ctx.unknown(r, {
        why: `whether ${members.maybe.map((m) => m.logicalId).join(', ')} belong to the cluster is not known`,
      });
      return;
    }
    if (global === 'unknown') {
      ctx.unknown(r, {
        path: ['Properties', 'GlobalClusterIdentifier'],
        why: 'whether GlobalClusterIdentifier is set depends on a condition',
      });
    } else if (global === 'absent') {
      ctx.report(r, {
        path: [],
        severity: 'warning',
        key: 'no-instances',
        message: `Aurora cluster '${r.logicalId}' has no DB instances in this template, so it has no compute and nothing can connect to it. Add a writer and at least one reader (AWS::RDS::DBInstance with DBClusterIdentifier: !Ref ${r.logicalId}). If the instances are declared in another stack, suppress this finding with that reason.`,
      });
    } else {
      ctx.report(r, {
        path: ['Properties', 'GlobalClusterIdentifier'],
        severity: 'info',
        key: 'headless-secondary',
        message: `Aurora cluster '${r.logicalId}' is a headless secondary of a global database: it has no DB instances. That is valid for a low-cost standby Region, but the cluster needs instances before it can be promoted; add them (or automate adding them) before you rely on it for a Region failover.`,
      });
    }
    return;
  }

  if (definite.length === 1) {
    if (members.maybe.length) {
      ctx.unknown(r, {
        why: `whether ${members.maybe.map((m) => m.logicalId).join(', ')} belong to the cluster is not known`,
      });
      return;
    }
    let floor: number | undefined = 0;
    for (const s of scaling) {
      const min = toNumber(single(ctx, s.target, 'MinCapacity'));
      if (!s.certain || s.cluster.kind !== 'resource' || min === undefined) {
        floor = undefined;
        break;
      }
      floor = Math.max(floor, min);
    }
    if (floor === undefined) {
      ctx.unknown(r, { why: 'the minimum number of readers from Aurora auto scaling is not known' });
      return;
    }
    if (floor > 0) return;
    const only = definite[0]!;
    ctx.report(r, {
      path: [],
      severity: envSeverity(ctx, r, 'error', 'warning'),
      key: 'single-instance',
      related: [{ logicalId: only.logicalId, message: `the only DB instance, '${only.logicalId}'` }],
      message: `Aurora cluster '${r.logicalId}' has only one DB instance. Aurora storage is replicated across three AZs, but compute is not: if this instance or its AZ fails, Aurora has to create a new instance before the database is usable again. Add at least one reader in a different AZ (same instance class as the writer, PromotionTier 0 or 1) so that failover can promote it in about 30 seconds.`,
    });
    return;
  }

  if (members.maybe.length) return; // the finer checks need the exact member set
  judgeAzs(ctx, r, definite);
  judgeFailoverTarget(ctx, r, definite);
}

function judgeAzs(ctx: RuleContext, r: Resource, members: readonly Resource[]): void {
  const azs = members.map((m) => single(ctx, m, 'AvailabilityZone'));
  if (azs.some((a) => a === undefined || (typeof a !== 'string' && !(a instanceof SymbolicAz)))) return;
  if (!azs.every((a) => deepEqual(a, azs[0]))) return;
  const az = String(azs[0]);
  ctx.report(r, {
    path: [],
    severity: envSeverity(ctx, r, 'error', 'warning'),
    key: 'single-az-compute',
    related: members.map((m) => ({
      logicalId: m.logicalId,
      path: ['Properties', 'AvailabilityZone'],
      message: `'${m.logicalId}' is in ${az}`,
    })),
    message: `All ${members.length} DB instances of Aurora cluster '${r.logicalId}' (${members.map((m) => `'${m.logicalId}'`).join(', ')}) are placed in the same Availability Zone (${az}). Aurora storage spans three AZs, but if that AZ fails there is no instance left to fail over to. Place the readers in other AZs, or remove AvailabilityZone and let RDS spread them over the DB subnet group.`,
  });
}

function judgeFailoverTarget(ctx: RuleContext, r: Resource, members: readonly Resource[]): void {
  const rows: { m: Resource; tier: number; cls: string; rank: number }[] = [];
  for (const m of members) {
    const tier = toNumber(single(ctx, m, 'PromotionTier'));
    const cls = single(ctx, m, 'DBInstanceClass');
    const rank = typeof cls === 'string' ? instanceClassRank(cls) : undefined;
    if (tier === undefined || typeof cls !== 'string' || rank === undefined) return;
    rows.push({ m, tier, cls, rank });
  }
  // The largest member is taken as the writer; the failover target is the reader with the lowest tier (ties: largest).
  const writer = rows.reduce((a, b) => (b.rank > a.rank ? b : a));
  const readers = rows.filter((x) => x !== writer);
  const best = Math.min(...readers.map((x) => x.tier));
  const target = readers.filter((x) => x.tier === best).reduce((a, b) => (b.rank > a.rank ? b : a));
  if (target.rank >= writer.rank) return;
  ctx.report(target.m, {
    path: ['Properties', 'DBInstanceClass'],
    severity: 'info',
    key: 'failover-target-smaller',
    related: [
      {
        logicalId: writer.m.logicalId,
        path: ['Properties', 'DBInstanceClass'],
        message: `the largest member '${writer.m.logicalId}' (${writer.cls})`,
      },
    ],
    message: `'${target.m.logicalId}' (${target.cls}, PromotionTier ${target.tier}) is the failover target of Aurora cluster '${r.logicalId}', but it is smaller than '${writer.m.logicalId}' (${writer.cls}). Aurora promotes the reader with the lowest PromotionTier first, so a failover would land on a smaller instance that may not carry the writer's load. Give the failover target the writer's instance class, or give a reader of that class the lowest PromotionTier.`,
  });
}

function judgeMember(ctx: RuleContext, r: Resource): void {
  const view = ctx.view(dataView);
  const info = view.instance(r.logicalId);
  if (info?.role.kind !== 'aurora-member') return;
  const link = info.role.cluster;
  const cluster = link.kind === 'resource' ? view.cluster(link.resource.logicalId) : undefined;
  const auroraByEngine = !!info.engines?.length && info.engines.every((e) => e.startsWith('aurora'));
  // Only Aurora members: DB instances of a Multi-AZ DB cluster are not judged here.
  if (cluster?.aurora === false || (cluster?.aurora !== true && !auroraByEngine)) return;
  const clusterName = link.kind === 'resource' ? `'${link.resource.logicalId}'` : 'the cluster';

  for (const [prop, why] of Object.entries(CLUSTER_LEVEL)) {
    const p = presence(ctx, r, prop);
    if (p === 'unknown')
      ctx.unknown(r, { path: ['Properties', prop], why: `whether ${prop} is set depends on a condition` });
    if (p !== 'present') continue;
    ctx.report(r, {
      path: ['Properties', prop],
      severity: 'warning',
      key: `instance-level-setting:${prop}`,
      message: `Aurora DB instance '${r.logicalId}' sets ${prop}, which does not apply to a member of ${clusterName}: ${why}. Aurora ignores or rejects it. Remove it from the instance${
        /cluster setting/.test(why) ? ` and set it on ${clusterName}` : ''
      }.`,
    });
  }

  const classes = stringAlternatives(ctx, r, 'DBInstanceClass');
  if (classes?.length && classes.every((c) => /^db\.[a-z0-9-]+\.micro$/.test(c))) {
    ctx.report(r, {
      path: ['Properties', 'DBInstanceClass'],
      severity: 'error',
      key: 'micro-class',
      message: `Aurora DB instance '${r.logicalId}' uses ${classes.join(' or ')}, but Aurora does not support micro instance classes, so the deployment fails. Use db.t3.medium, db.t4g.medium or larger, or db.serverless.`,
    });
  }
}

export default defineRule({
  id: 'aurora-cluster-instance-topology',
  title: 'Give Aurora clusters a failover target in another AZ',
  severity: 'error',
  severityNote: 'error (prod) / warning',
  pillar: 'reliability',
  tier: 'H',
  scope: 'graph',
  resourceTypes: [DB_CLUSTER, DB_INSTANCE],
  rationale:
    'An Aurora cluster keeps six copies of its storage across three AZs, but compute failover needs a second DB instance: with one, Aurora must create a replacement, which takes much longer than promoting a replica (typically under 30 seconds). Aurora allows at most 15 replicas, promotes them by PromotionTier, does not support micro classes, and takes storage, backup, credential and encryption settings from the cluster.',
  remediation:
    'Add a reader in another AZ, with the same instance class as the writer and a low PromotionTier. Keep cluster-level settings on the DBCluster. Move Aurora Serverless v1 clusters to provisioned mode with Serverless v2 instances.',
  citations: [
    'notes/000_93fa618f25815812.txt:2928',
    'notes/000_93fa618f25815812.txt:2951',
    'notes/001_599d008610d64701.txt:1677',
    'notes/001_599d008610d64701.txt:1687',
    'notes/003_13f8bda642d7e66e.txt:395-397',
    'notes/002_67d0d92d551be2b8.txt:1194',
    'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.AuroraHighAvailability.html',
    'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.AuroraHighAvailability.html#Aurora.Managing.FaultTolerance',
  ],
  check(r, ctx) {
    if (r.type === DB_CLUSTER) {
      const info = ctx.view(dataView).cluster(r.logicalId);
      if (info) judgeCluster(ctx, r, info);
    } else judgeMember(ctx, r);
  },
});
