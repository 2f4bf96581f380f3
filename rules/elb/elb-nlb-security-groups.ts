import { defineRule } from '../../src/engine/rule';
import type { RelatedInput, RuleContext } from '../../src/engine/context';
import { protocolOf } from '../../src/data/elb';
import {
  existingPath,
  itemCount,
  knownNumber,
  knownString,
  loadBalancingView,
  maybeExisting,
  nonEmptyList,
  pathsTo,
  refOf,
  schemeOf,
  targetTypeOf,
  typeOf,
  type LoadBalancer,
  type LoadBalancingView,
  type TargetGroup,
} from '../../src/model/loadbalancing';
import {
  computeNetwork,
  coversPort,
  openToInternet,
  securityGroupRules,
  type Proto,
} from '../../src/model/elb-network';
import type { Resource } from '../../src/model/template';

const PROTOS: Readonly<Record<string, readonly Proto[]>> = {
  TCP: ['tcp'],
  TLS: ['tcp'],
  UDP: ['udp'],
  TCP_UDP: ['tcp', 'udp'],
  QUIC: ['udp'],
  TCP_QUIC: ['tcp', 'udp'],
};

/** Traffic reaching one target group of the NLB. */
interface Flow {
  tg: TargetGroup;
  protos: readonly Proto[];
  /** Traffic ports; undefined when unknown (ECS registers its own ports, unknown override). */
  ports?: number[];
  /** Health-check port(s); undefined when unknown. */
  healthPorts?: number[];
}

/** The target groups the NLB forwards to (certain paths only). */
function targetGroupsOf(ctx: RuleContext, view: LoadBalancingView, lb: LoadBalancer): TargetGroup[] | undefined {
  const out = new Set<TargetGroup>();
  for (const l of lb.listeners) {
    if (maybeExisting(ctx, [l.resource])) continue;
    if (l.defaultActions.why !== undefined) return undefined;
    for (const a of l.defaultActions.items) {
      if (a.forwards.why !== undefined) return undefined;
      for (const f of a.forwards.items) {
        if (!f.targetGroup.target) return undefined;
        if (!maybeExisting(ctx, [f.targetGroup.target.resource])) out.add(f.targetGroup.target);
      }
    }
  }
  // Keep only target groups whose every path ends at this NLB (pathsTo is the same view).
  return [...out].filter((tg) => pathsTo(view, tg).some((p) => p.loadBalancer.target === lb));
}

function flowOf(tg: TargetGroup): Flow | undefined {
  const protocol = protocolOf(knownString(tg.protocol));
  const protos = protocol ? PROTOS[protocol] : undefined;
  if (!protos) return undefined;
  let ports: number[] | undefined;
  if (!tg.registrars.some((r) => r.resource.type === 'AWS::ECS::Service')) {
    const base = knownNumber(tg.port);
    const set = new Set<number>();
    let known = base !== undefined;
    if (base !== undefined) set.add(base);
    for (const t of tg.targets.items ?? []) {
      if (t.port.kind === 'missing') continue;
      const p = knownNumber(t.port);
      if (p === undefined) known = false;
      else set.add(p);
    }
    if (tg.targets.why !== undefined) known = false;
    ports = known ? [...set] : undefined;
  }
  const hc = tg.healthCheck.port;
  const hcText = hc.kind === 'missing' ? 'traffic-port' : knownString(hc);
  let healthPorts: number[] | undefined;
  if (hcText === 'traffic-port') healthPorts = ports;
  else {
    const n = knownNumber(hc);
    healthPorts = n === undefined ? undefined : [n];
  }
  return { tg, protos, ports, healthPorts };
}

function checkWithoutGroups(ctx: RuleContext, lb: LoadBalancer): void {
  const r = lb.resource;
  const prod = ctx.environment(r) === 'prod';
  ctx.report(r, {
    path:
      existingPath(r, ['Properties', 'SecurityGroups']).length > 1
        ? ['Properties', 'SecurityGroups']
        : existingPath(r, ['Properties', 'Type']),
    key: 'nlb-without-sg',
    severity: prod ? 'warning' : 'info',
    message: `Network Load Balancer '${lb.id}' has no security groups, and an NLB can only get security groups when it is created. Without them every client can reach its listeners; with client IP preservation (instance targets, UDP) the target security groups must admit the client CIDRs themselves, and health checks come from the NLB's private IPs. Create the NLB with a security group (recreating it changes its DNS name and IPs unless Elastic IPs are reassigned) and reference that group from the target security groups.`,
  });
}

/** NLB security-group egress must allow the target and health-check ports (health checks obey egress only). */
function checkEgress(ctx: RuleContext, lb: LoadBalancer, groups: readonly string[], flows: readonly Flow[]): void {
  const r = lb.resource;
  const ruleSets = [];
  for (const g of groups) {
    const rules = securityGroupRules(ctx, g, 'egress');
    if (!rules) {
      ctx.unknown(r, {
        path: ['Properties', 'SecurityGroups'],
        why: `the outbound rules of security group ${g} are unknown`,
      });
      return;
    }
    if (rules.allowAll) return;
    ruleSets.push({ g, rules: rules.rules });
  }
  const missing = new Map<string, Set<string>>();
  for (const flow of flows) {
    const needs: [Proto, number, string][] = [];
    if (flow.ports) for (const proto of flow.protos) for (const p of flow.ports) needs.push([proto, p, 'traffic']);
    else ctx.unknown(r, { path: ['Properties', 'SecurityGroups'], why: `the target port of ${flow.tg.id} is unknown` });
    if (flow.healthPorts) for (const p of flow.healthPorts) needs.push(['tcp', p, 'health check']);
    else
      ctx.unknown(r, {
        path: ['Properties', 'SecurityGroups'],
        why: `the health-check port of ${flow.tg.id} is unknown`,
      });
    for (const [proto, port, what] of needs) {
      let covered: boolean | undefined = false;
      for (const set of ruleSets) {
        for (const rule of set.rules) {
          const c = coversPort(rule, proto, port);
          if (c === true) covered = true;
          else if (c === undefined && covered === false) covered = undefined;
        }
      }
      if (covered === undefined) {
        ctx.unknown(r, {
          path: ['Properties', 'SecurityGroups'],
          why: 'an outbound rule of the NLB security groups is unknown',
        });
        return;
      }
      if (!covered) {
        const key = `${proto.toUpperCase()} ${port}`;
        const whats = missing.get(key) ?? new Set<string>();
        whats.add(`${what} of '${flow.tg.id}'`);
        missing.set(key, whats);
      }
    }
  }
  if (!missing.size) return;
  const text = [...missing].map(([k, whats]) => `${k} (${[...whats].join(', ')})`).join(', ');
  ctx.report(r, {
    path: ['Properties', 'SecurityGroups'],
    key: 'nlb-sg-egress',
    severity: 'error',
    related: groups.map((g) => ({
      logicalId: g,
      path: existingPath(ctx.model.resources.get(g)!, ['Properties', 'SecurityGroupEgress']),
      message: `outbound rules of ${g}`,
    })),
    message: `The security groups of Network Load Balancer '${lb.id}' (${groups.join(', ')}) do not allow outbound ${text}. NLB health checks and forwarded traffic obey the security group's outbound rules, not its inbound rules, so the targets are marked unhealthy and receive nothing. Add an egress rule to the targets (their security group or subnet CIDRs) on these ports.`,
  });
}

/** Compute resources behind a target group with the port they receive traffic on. */
function targetsOf(
  ctx: RuleContext,
  view: LoadBalancingView,
  tg: TargetGroup,
  flow: Flow,
): { resource: Resource; groups?: string[]; ports?: number[] }[] {
  const out: { resource: Resource; groups?: string[]; ports?: number[] }[] = [];
  const tt = targetTypeOf(tg);
  for (const t of tg.targets.items ?? []) {
    const id = refOf(t.id);
    const target = id ? ctx.model.resources.get(id) : undefined;
    if (!target || ctx.exists(target) !== 'yes') continue;
    const port = t.port.kind === 'missing' ? knownNumber(tg.port) : knownNumber(t.port);
    const ports = port === undefined ? undefined : [port];
    if (tt === 'alb') {
      const alb = view.loadBalancers.get(target.logicalId);
      // An internet-facing ALB is a public entry point of its own: admitting the internet is its purpose.
      if (!alb || schemeOf(alb) !== 'internal') continue;
      const count = itemCount(ctx, target, ['Properties', 'SecurityGroups']);
      const groups = count.items?.map((i) => refOf(ctx.value(target, ['Properties', 'SecurityGroups', i])));
      out.push({
        resource: target,
        groups: groups?.every((g) => g !== undefined) ? (groups as string[]) : undefined,
        ports,
      });
    } else if (target.type === 'AWS::EC2::Instance') {
      out.push({ resource: target, groups: computeNetwork(ctx, target).groups, ports });
    }
  }
  for (const reg of tg.registrars) {
    if (ctx.exists(reg.resource) !== 'yes') continue;
    const net = computeNetwork(ctx, reg.resource);
    let ports = flow.ports;
    if (reg.resource.type === 'AWS::ECS::Service') {
      // awsvpc tasks receive traffic on the container port.
      const entry = reg.path.slice(0, -1);
      const cp = knownNumber(ctx.value(reg.resource, [...entry, 'ContainerPort']));
      ports = net.groups && cp !== undefined ? [cp] : undefined;
    }
    out.push({ resource: reg.resource, groups: net.groups, ports });
  }
  return out;
}

/** Target security groups that admit the target port from the internet instead of from the NLB's group. */
function checkTargetsLocked(ctx: RuleContext, view: LoadBalancingView, lb: LoadBalancer, flows: readonly Flow[]): void {
  const reported = new Set<string>();
  for (const flow of flows) {
    for (const target of targetsOf(ctx, view, flow.tg, flow)) {
      if (!target.groups || !target.ports) {
        ctx.unknown(lb.resource, {
          path: ['Properties', 'SecurityGroups'],
          why: `the security groups or port of target ${target.resource.logicalId} are unknown`,
        });
        continue;
      }
      for (const g of target.groups) {
        const rules = securityGroupRules(ctx, g, 'ingress');
        if (!rules) continue;
        for (const rule of rules.rules) {
          const open = openToInternet(rule);
          if (!open?.open || !open.field) continue;
          const hit = flow.protos.flatMap((proto) =>
            target.ports!.filter((p) => coversPort(rule, proto, p) === true).map((p) => `${proto.toUpperCase()} ${p}`),
          );
          if (!hit.length) continue;
          const where = `${rule.resource.logicalId}:${rule.path.join('/')}`;
          if (reported.has(where)) continue;
          reported.add(where);
          const related: RelatedInput[] = [
            { logicalId: lb.id, path: ['Properties', 'SecurityGroups'], message: `security groups of NLB ${lb.id}` },
            {
              logicalId: target.resource.logicalId,
              path: [],
              message: `target ${target.resource.logicalId} of target group ${flow.tg.id}`,
            },
          ];
          ctx.report(rule.resource, {
            path: [...rule.path, open.field],
            key: `open-${lb.id}`,
            severity: 'warning',
            related,
            message: `Security group '${g}' of target '${target.resource.logicalId}' (target group '${flow.tg.id}' of Network Load Balancer '${lb.id}') admits ${[...new Set(hit)].join(', ')} from ${open.field === 'CidrIp' ? '0.0.0.0/0' : '::/0'} instead of from the NLB's security group, so clients can bypass the NLB and its security group. Use SourceSecurityGroupId with the NLB's security group as the source.`,
          });
        }
      }
    }
  }
}

export default defineRule({
  id: 'elb-nlb-security-groups',
  title: 'Create Network Load Balancers with security groups and lock targets to them',
  severity: 'warning',
  severityNote:
    'warning (prod) / info without security groups; error when their egress blocks the targets; warning for targets open to the internet',
  pillar: 'security',
  tier: 'H',
  scope: 'graph',
  resourceTypes: ['AWS::ElasticLoadBalancingV2::LoadBalancer'],
  rationale:
    "Since August 2023 a Network Load Balancer can have security groups, but only when they are attached at creation: an NLB created without them can never get them. They are the only way to filter the NLB's clients and to let targets admit traffic from the NLB alone. Their outbound rules also govern forwarded traffic and health checks, so a restrictive egress leaves every target unhealthy.",
  remediation:
    'Create NLBs with a security group, allow its egress to the targets on the traffic and health-check ports, and reference it (SourceSecurityGroupId) from the target security groups instead of 0.0.0.0/0.',
  citations: [
    'notes/000_93fa618f25815812.txt:2327-2328',
    'notes/001_599d008610d64701.txt:211',
    'notes/000_93fa618f25815812.txt:866',
    'https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html',
    'https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html',
  ],
  check(r, ctx) {
    const view = ctx.view(loadBalancingView);
    const lb = view.loadBalancers.get(r.logicalId);
    if (!lb) return;
    const t = typeOf(lb);
    if (!t.type) {
      ctx.unknown(r, { path: existingPath(r, ['Properties', 'Type']), why: t.why });
      return;
    }
    if (t.type !== 'network') return;
    const has = nonEmptyList(ctx, r, ['Properties', 'SecurityGroups']);
    if (has === undefined) {
      ctx.unknown(r, {
        path: ['Properties', 'SecurityGroups'],
        why: 'whether the NLB has security groups depends on an unknown value',
      });
      return;
    }
    if (!has) {
      checkWithoutGroups(ctx, lb);
      return;
    }
    const tgs = targetGroupsOf(ctx, view, lb);
    if (!tgs) {
      ctx.unknown(r, {
        path: ['Properties', 'SecurityGroups'],
        why: 'a listener action or target group of the NLB is unknown',
      });
      return;
    }
    const flows = tgs.map(flowOf).filter((f): f is Flow => !!f);
    const count = itemCount(ctx, r, ['Properties', 'SecurityGroups']);
    const groups = count.items?.map((i) => refOf(ctx.value(r, ['Properties', 'SecurityGroups', i])));
    if (groups && groups.every((g): g is string => g !== undefined)) checkEgress(ctx, lb, groups, flows);
    else
      ctx.unknown(r, {
        path: ['Properties', 'SecurityGroups'],
        why: 'a security group of the NLB is not in the template',
      });
    checkTargetsLocked(ctx, view, lb, flows);
  },
});
