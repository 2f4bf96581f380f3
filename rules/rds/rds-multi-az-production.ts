import { defineRule } from '../../src/engine/rule';
import { DB_INSTANCE, boolAlternatives, dataView, presence, replicaHa } from '../../src/model/data';

const MULTI_AZ = ['Properties', 'MultiAZ'];

export default defineRule({
  id: 'rds-multi-az-production',
  title: 'Run production RDS instances Multi-AZ',
  severity: 'error',
  severityNote: 'error (prod) / warning; nothing for non-prod',
  pillar: 'reliability',
  tier: 'H',
  scope: 'resource',
  resourceTypes: [DB_INSTANCE],
  rationale:
    'A Multi-AZ RDS deployment keeps a synchronous standby in another Availability Zone behind the same DNS name and fails over automatically, typically within 60-120 seconds, with no application change. A single-AZ instance is down when its AZ, storage or host fails, until it is rebuilt or restored. Read replicas do not replace this: they are asynchronous and promoted by hand.',
  remediation:
    'Set MultiAZ: true on standalone production DB instances (an in-place change, no replacement). Do not combine MultiAZ with AvailabilityZone. SQL Server Express does not support Multi-AZ: choose another edition.',
  citations: [
    'notes/000_93fa618f25815812.txt:2553-2560',
    'notes/001_599d008610d64701.txt:1610',
    'notes/001_599d008610d64701.txt:1616-1624',
    'notes/003_13f8bda642d7e66e.txt:353-357',
    'notes/004_de69dd7c5fb67669.txt:662',
    'notes/002_67d0d92d551be2b8.txt:1151',
    'notes/002_67d0d92d551be2b8.txt:1156',
    'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZSingleStandby.html',
  ],
  check(r, ctx) {
    const info = ctx.view(dataView).instance(r.logicalId);
    if (!info) return;
    // Aurora members and instances of Multi-AZ DB clusters, read replicas (rds-read-replicas-not-ha), RDS Custom.
    if (info.role.kind === 'aurora-member' || info.role.kind === 'replica' || info.custom) return;
    if (info.role.kind === 'unknown') {
      ctx.unknown(r, { why: info.role.why });
      return;
    }
    const env = ctx.environment(r);
    const engines = info.engines;
    if (engines?.length && engines.every((e) => e === 'sqlserver-ex')) {
      if (env === 'prod') {
        ctx.report(r, {
          path: ['Properties', 'Engine'],
          severity: 'warning',
          key: 'edition-cannot-multi-az',
          message: `Production database '${r.logicalId}' uses SQL Server Express (sqlserver-ex), which does not support Multi-AZ, so it runs in a single Availability Zone. Choose the Web, Standard or Enterprise edition and set MultiAZ: true, or accept single-AZ explicitly with a suppression that gives the reason.`,
        });
      }
      return;
    }
    const multi = boolAlternatives(ctx, r, 'MultiAZ');
    if (!multi || (multi.some((m) => m === true) && multi.some((m) => m !== true))) {
      ctx.unknown(r, { path: MULTI_AZ, why: 'MultiAZ is not known under the evaluated parameters and conditions' });
      return;
    }
    if (multi.every((m) => m === true)) {
      const az = presence(ctx, r, 'AvailabilityZone');
      if (az === 'present') {
        ctx.report(r, {
          path: ['Properties', 'AvailabilityZone'],
          severity: 'error',
          key: 'az-pinned-multi-az',
          message: `DB instance '${r.logicalId}' sets MultiAZ: true together with AvailabilityZone. The RDS API rejects this combination, so the deployment fails. Remove AvailabilityZone: with Multi-AZ, RDS places the primary and the standby in different AZs of the DB subnet group.`,
        });
      } else if (az === 'unknown') {
        ctx.unknown(r, {
          path: ['Properties', 'AvailabilityZone'],
          why: 'whether AvailabilityZone is set depends on a condition',
        });
      }
      return;
    }
    // single-AZ: nothing for non-prod.
    if (env === 'nonprod') return;
    // rds-read-replicas-not-ha gives the more specific message for a primary with replicas.
    if (ctx.config.rules['rds-read-replicas-not-ha']?.enabled !== false) {
      const ha = replicaHa(ctx, r);
      if (ha.outcome === 'replicas-instead-of-multi-az' || ha.outcome === 'dr-replica-only') return;
    }
    const explicit = r.properties.MultiAZ !== undefined && multi.every((m) => m === false);
    ctx.report(r, {
      path: explicit ? MULTI_AZ : [],
      severity: env === 'prod' ? 'error' : 'warning',
      key: 'single-az',
      message: `${env === 'prod' ? 'Production database' : 'Database'} '${r.logicalId}' runs in a single Availability Zone (MultiAZ is ${explicit ? 'false' : 'not set'}). If that AZ, its storage or the host fails, the database is down until it is rebuilt or restored. Set MultiAZ: true. RDS then keeps a synchronous standby in another AZ and fails over automatically behind the same endpoint, usually within one to two minutes, with no lost committed writes. Read replicas do not replace this. Enabling MultiAZ is an in-place change with no replacement, so it is also safe on existing databases.`,
    });
  },
});
