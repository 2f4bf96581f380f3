import { defineRule } from '../../src/engine/rule';
import type { RuleContext } from '../../src/engine/context';
import type { Resource } from '../../src/model/template';
import { isRecord } from '../../src/parse/parse';
import { DB_INSTANCE, boolAlternatives, dataView, replicaHa, type ReplicaEdge } from '../../src/model/data';

const MULTI_AZ = ['Properties', 'MultiAZ'];

/** 'yes' when every branch is MultiAZ: true, 'no' when none is, undefined when unknown. */
function multiAz(ctx: RuleContext, r: Resource): 'yes' | 'no' | undefined {
  const alts = boolAlternatives(ctx, r, 'MultiAZ');
  if (!alts) return undefined;
  if (alts.every((a) => a === true)) return 'yes';
  if (alts.every((a) => a !== true)) return 'no';
  return undefined;
}

/** A replica meant to become the primary after a disaster: tag role=dr, or listed in the rule option drReplicas. */
function isDrReplica(ctx: RuleContext, r: Resource): boolean {
  const listed = ctx.options.drReplicas;
  if (Array.isArray(listed) && listed.map(String).includes(r.logicalId)) return true;
  const tags = ctx.value(r, ['Properties', 'Tags']);
  if (tags.kind !== 'known' || !Array.isArray(tags.value)) return false;
  return tags.value.some(
    (t) =>
      isRecord(t) &&
      typeof t.Key === 'string' &&
      t.Key.toLowerCase() === 'role' &&
      typeof t.Value === 'string' &&
      t.Value.toLowerCase() === 'dr',
  );
}

function names(edges: readonly ReplicaEdge[]): string {
  return edges.map((e) => `'${e.replica.logicalId}'`).join(', ');
}

function judgePrimary(ctx: RuleContext, p: Resource): void {
  const ha = replicaHa(ctx, p);
  if (ha.outcome === 'none') return;
  const m = multiAz(ctx, p);
  if (m === 'yes') return;
  if (m === undefined) {
    ctx.unknown(p, { path: MULTI_AZ, why: 'MultiAZ is not known under the evaluated parameters and conditions' });
    return;
  }
  if (ha.outcome === 'unknown') {
    ctx.unknown(p, { why: ha.why ?? 'the replicas of this instance are not known' });
    return;
  }
  const severity = ctx.environment(p) === 'prod' ? 'error' : 'warning';
  const path = p.properties.MultiAZ !== undefined ? MULTI_AZ : [];
  const edges = ha.outcome === 'replicas-instead-of-multi-az' ? ha.same : ha.cross;
  const related = [...ha.same, ...ha.cross].map((e) => ({
    logicalId: e.replica.logicalId,
    path: ['Properties', e.property],
    message: `read replica '${e.replica.logicalId}'${e.region === 'cross' ? ' (cross-Region)' : ''}`,
  }));
  if (ha.outcome === 'replicas-instead-of-multi-az') {
    const all = [...ha.same, ...ha.cross];
    ctx.report(p, {
      path,
      severity,
      related,
      key: 'replicas-instead-of-multi-az',
      message: `'${p.logicalId}' has ${all.length} read replica${all.length === 1 ? '' : 's'} (${names(all)}) but is not Multi-AZ. Read replicas are asynchronous copies for scaling reads. RDS does not fail over to them: promotion is manual, breaks replication, gives the application a different endpoint, and loses writes that had not yet replicated. Set MultiAZ: true on '${p.logicalId}' for automatic failover, and keep the replicas for read traffic. A replica can itself be Multi-AZ if it is your DR copy.`,
    });
    return;
  }
  ctx.report(p, {
    path,
    severity,
    related,
    key: 'dr-replica-only',
    message: `'${p.logicalId}' is not Multi-AZ, and its only read replica${edges.length === 1 ? ` (${names(edges)}) is` : `s (${names(edges)}) are`} cross-Region. A cross-Region replica is disaster recovery for a Region outage; it is not high availability inside the primary Region: when the primary's AZ fails, the database is down until someone promotes the replica by hand, with a different endpoint and the loss of writes that had not yet replicated. Set MultiAZ: true on '${p.logicalId}' for automatic failover within the Region, and keep the cross-Region replica for DR.`,
  });
}

function judgeReplica(ctx: RuleContext, r: Resource, e: ReplicaEdge): void {
  if (e.source.kind === 'unknown') {
    ctx.unknown(r, { path: ['Properties', e.property], why: e.source.why });
  } else if (e.source.kind === 'resource' && e.source.resource.type === DB_INSTANCE) {
    const src = e.source.resource;
    const srcRole = ctx.view(dataView).instance(src.logicalId)?.role;
    if (srcRole?.kind === 'replica') {
      const root = srcRole.edge.source;
      const rootName =
        root.kind === 'resource'
          ? `'${root.resource.logicalId}'`
          : root.kind === 'external'
            ? root.text
            : 'another database';
      ctx.report(r, {
        path: ['Properties', e.property],
        severity: 'info',
        key: 'replica-chain',
        related: [
          {
            logicalId: src.logicalId,
            path: ['Properties', srcRole.edge.property],
            message: `'${src.logicalId}' is itself a read replica`,
          },
        ],
        message: `Read replica '${r.logicalId}' replicates from '${src.logicalId}', which is itself a read replica of ${rootName}. Replication lag compounds at each hop, so '${r.logicalId}' can be further behind the primary than a direct replica, and it breaks when '${src.logicalId}' is promoted or deleted. Replicate from the primary unless the chain is intended.`,
      });
    } else if (srcRole?.kind === 'unknown') {
      ctx.unknown(r, {
        path: ['Properties', e.property],
        why: `whether '${src.logicalId}' is itself a replica is not known`,
      });
    }
  }
  if (e.region === 'cross' && isDrReplica(ctx, r)) {
    const m = multiAz(ctx, r);
    if (m === undefined) ctx.unknown(r, { path: MULTI_AZ, why: 'MultiAZ of the DR replica is not known' });
    else if (m === 'no') {
      ctx.report(r, {
        path: r.properties.MultiAZ !== undefined ? MULTI_AZ : [],
        severity: 'info',
        key: 'dr-replica-not-ha',
        message: `Cross-Region replica '${r.logicalId}' is the disaster-recovery copy (role=dr) but is not Multi-AZ. Once it is promoted after a disaster it becomes a single-AZ primary, exposed to the loss of one AZ in the recovery Region. Set MultiAZ: true on the replica (a replica can be Multi-AZ; it is an in-place change).`,
      });
    }
  }
}

export default defineRule({
  id: 'rds-read-replicas-not-ha',
  title: 'Do not rely on RDS read replicas for high availability',
  severity: 'error',
  severityNote: 'error (prod) / warning',
  pillar: 'reliability',
  tier: 'H',
  scope: 'graph',
  resourceTypes: [DB_INSTANCE],
  rationale:
    'Read replicas are asynchronous copies for read scaling. Each has its own endpoint, promotion is manual and breaks replication, and writes that have not yet replicated are lost. Multi-AZ is for high availability, read replicas are for scalability; a cross-Region replica is disaster recovery for a Region outage, not availability inside the Region.',
  remediation:
    'Make the primary Multi-AZ and keep replicas for read scaling and disaster recovery. Make a DR replica Multi-AZ too, so that it is highly available once promoted, and replicate from the primary rather than through chains.',
  citations: [
    'notes/000_93fa618f25815812.txt:2537-2539',
    'notes/000_93fa618f25815812.txt:2560',
    'notes/000_93fa618f25815812.txt:2562',
    'notes/001_599d008610d64701.txt:1640',
    'notes/001_599d008610d64701.txt:1644-1645',
    'notes/003_13f8bda642d7e66e.txt:399',
    'notes/004_de69dd7c5fb67669.txt:668',
    'notes/004_de69dd7c5fb67669.txt:671',
    'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.html',
  ],
  check(r, ctx) {
    const info = ctx.view(dataView).instance(r.logicalId);
    if (!info || info.custom) return;
    const role = info.role;
    if (role.kind === 'replica') judgeReplica(ctx, r, role.edge);
    else if (role.kind === 'primary' || role.kind === 'restore') judgePrimary(ctx, r);
  },
});
