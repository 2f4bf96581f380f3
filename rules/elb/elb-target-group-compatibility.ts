import { defineRule } from '../../src/engine/rule';
import type { RelatedInput, RuleContext } from '../../src/engine/context';
import {
  HEALTH_CHECK_PROTOCOLS,
  KNOWN_PROTOCOLS,
  LB_TYPE_NAME,
  lbTypeOfTargetProtocol,
  protocolOf,
  TARGET_GROUP_PROTOCOLS,
  type LbType,
} from '../../src/data/elb';
import {
  existingPath,
  isSet,
  knownNumber,
  knownString,
  loadBalancingView,
  maybeExisting,
  pathsTo,
  refOf,
  targetTypeOf,
  typeOf,
  type Forward,
  type Listener,
  type LoadBalancer,
  type LoadBalancingView,
  type TargetGroup,
} from '../../src/model/loadbalancing';
import { parseIpv4 } from '../../src/model/values';
import type { Resource } from '../../src/model/template';

const PRIVATE_RANGES: readonly string[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'];

function inCidr(ip: number, cidr: string): boolean | undefined {
  const [addr, len] = cidr.split('/');
  const base = addr === undefined ? undefined : parseIpv4(addr);
  const bits = Number(len);
  if (base === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return undefined;
  if (bits === 0) return true;
  const mask = bits === 32 ? 0xffffffff : ~(0xffffffff >>> bits) >>> 0;
  return (ip & mask) >>> 0 === (base & mask) >>> 0;
}

/** The IPv4 CIDRs of an in-template VPC (primary and VPCCidrBlock), or undefined when any is unknown. */
function vpcCidrs(ctx: RuleContext, vpcId: string): string[] | undefined {
  const vpc = ctx.model.resources.get(vpcId);
  if (!vpc || vpc.type !== 'AWS::EC2::VPC') return undefined;
  const primary = knownString(ctx.value(vpc, ['Properties', 'CidrBlock']));
  if (!primary) return undefined;
  const out = [primary];
  for (const extra of ctx.model.byType.get('AWS::EC2::VPCCidrBlock') ?? []) {
    const target = ctx.value(extra, ['Properties', 'VpcId']);
    if (refOf(target) !== vpcId) {
      if (target.kind !== 'known') return undefined;
      continue;
    }
    if (ctx.value(extra, ['Properties', 'AmazonProvidedIpv6CidrBlock']).kind !== 'missing') continue;
    if (ctx.value(extra, ['Properties', 'Ipv6CidrBlock']).kind !== 'missing') continue;
    if (ctx.value(extra, ['Properties', 'Ipv6IpamPoolId']).kind !== 'missing') continue;
    const cidr = knownString(ctx.value(extra, ['Properties', 'CidrBlock']));
    if (!cidr) return undefined;
    out.push(cidr);
  }
  return out;
}

function describeListener(l: Listener, lb: LoadBalancer, type: LbType): string {
  return `listener '${l.id}' of ${LB_TYPE_NAME[type]} '${lb.id}'`;
}

interface Reach {
  forward: Forward;
  listener: Listener;
  lb: LoadBalancer;
  type: LbType;
}

/** The certain (listener, load balancer, type) paths to a target group; unknown outcomes for the rest. */
function reaches(ctx: RuleContext, view: LoadBalancingView, tg: TargetGroup): Reach[] {
  const out: Reach[] = [];
  for (const p of pathsTo(view, tg)) {
    const listener = p.listener.target;
    const lb = p.loadBalancer.target;
    if (!listener || !lb) {
      ctx.unknown(tg.resource, { path: [], why: p.loadBalancer.why ?? 'the load balancer is unknown' });
      continue;
    }
    const t = typeOf(lb);
    if (!t.type) {
      ctx.unknown(tg.resource, { path: [], why: t.why });
      continue;
    }
    const maybe = maybeExisting(ctx, [p.forward.action.owner, listener.resource, lb.resource]);
    if (maybe) {
      ctx.unknown(tg.resource, {
        path: [],
        why: `${maybe.logicalId} exists only when condition ${maybe.condition} holds`,
      });
      continue;
    }
    out.push({ forward: p.forward, listener, lb, type: t.type });
  }
  return out;
}

const ALLOWED_TEXT: Readonly<Record<LbType, string>> = {
  application: 'HTTP or HTTPS (or no protocol with TargetType: lambda)',
  network: 'TCP, TLS, UDP, TCP_UDP, QUIC or TCP_QUIC',
  gateway: 'GENEVE on port 6081',
};

/** Protocol family and target type against the load balancer type, once per load balancer type reached. */
function checkFamily(ctx: RuleContext, tg: TargetGroup, reach: Reach, protocol: string | undefined): void {
  const r = tg.resource;
  const { type, listener, lb } = reach;
  const via = describeListener(listener, lb, type);
  const related: RelatedInput[] = [
    {
      logicalId: reach.forward.action.owner.logicalId,
      path: reach.forward.path,
      message: `${reach.forward.action.owner.logicalId === listener.id ? via : `rule ${reach.forward.action.owner.logicalId} of ${via}`} forwards here`,
    },
  ];
  const tt = targetTypeOf(tg);
  if (tt === undefined) {
    ctx.unknown(r, { path: ['Properties', 'TargetType'], why: 'the target type is unknown' });
    return;
  }
  if (tt === 'lambda') {
    if (type !== 'application') {
      ctx.report(r, {
        path: ['Properties', 'TargetType'],
        key: `lambda-${type}`,
        related,
        message: `Target group '${tg.id}' has TargetType lambda but is used by ${via}. Only an Application Load Balancer can invoke Lambda functions; put the function behind an ALB (or API Gateway), or use instance or ip targets behind the ${type === 'network' ? 'NLB' : 'GWLB'}.`,
      });
    }
    return;
  }
  if (tt === 'alb' && type !== 'network') {
    ctx.report(r, {
      path: ['Properties', 'TargetType'],
      key: `alb-${type}`,
      related,
      message: `Target group '${tg.id}' has TargetType alb but is used by ${via}. Only a Network Load Balancer can forward to an ALB (the NLB -> ALB pattern gives static IPs plus layer 7); ${type === 'application' ? 'an ALB cannot target another ALB, so forward to the ALB\u2019s own instance, ip or lambda target groups' : 'use instance or ip targets for appliances'}.`,
    });
    return;
  }
  if (type === 'gateway') return; // GENEVE/6081 is reported by elb-gwlb-appliance-wiring.
  if (isSet(tg.protocol) === false) {
    ctx.report(r, {
      path: r.node.Properties !== undefined ? ['Properties'] : [],
      key: `protocol-missing-${type}`,
      related,
      message: `Target group '${tg.id}' has no Protocol, which only a lambda target group may omit, and it is used by ${via}. Set Protocol to ${ALLOWED_TEXT[type]}.`,
    });
    return;
  }
  if (!protocol) return;
  if (TARGET_GROUP_PROTOCOLS[type].includes(protocol)) return;
  const owner = lbTypeOfTargetProtocol(protocol);
  const instead =
    type === 'application'
      ? `Use Protocol HTTP or HTTPS, or put this target group behind a ${owner ? LB_TYPE_NAME[owner] : 'matching load balancer'} (an NLB can still reach the ALB as an \`alb\` target)`
      : `Use Protocol ${ALLOWED_TEXT[type]} (an NLB does not parse HTTP: TCP passes HTTP through unchanged), or use an ALB for HTTP target groups`;
  ctx.report(r, {
    path: ['Properties', 'Protocol'],
    key: `family-${type}`,
    related,
    message: `Target group '${tg.id}' uses protocol ${protocol} but is used by ${via}; ${type === 'application' ? 'an ALB' : 'an NLB'}'s target groups use ${ALLOWED_TEXT[type]}, so the listener cannot forward to it. ${instead}.`,
  });
}

/** NLB listener -> target group protocol pairing (errors only when both protocols are known). */
function checkPairing(ctx: RuleContext, tg: TargetGroup, reach: Reach, protocol: string): void {
  const { listener, lb } = reach;
  const lp = protocolOf(knownString(listener.protocol));
  if (!lp) return;
  let problem: string | undefined;
  if (lp === 'TCP_UDP' && protocol !== 'TCP_UDP') problem = 'a TCP_UDP listener must forward to a TCP_UDP target group';
  else if (lp === 'TCP_QUIC' && protocol !== 'TCP_QUIC')
    problem = 'a TCP_QUIC listener must forward to a TCP_QUIC target group';
  else if (lp === 'UDP' && protocol !== 'UDP' && protocol !== 'TCP_UDP')
    problem = 'a UDP listener needs a target group that carries UDP (UDP or TCP_UDP)';
  else if ((lp === 'TCP' || lp === 'TLS') && (protocol === 'UDP' || protocol === 'QUIC'))
    problem = `a ${lp} listener cannot forward to a ${protocol}-only target group`;
  const owner = reach.forward.action.owner;
  if (maybeExisting(ctx, [tg.resource]) && ctx.exists(owner) === 'yes') {
    ctx.unknown(owner, {
      path: reach.forward.path,
      why: `${tg.id} exists only when condition ${tg.resource.condition} holds`,
    });
    return;
  }
  const related: RelatedInput[] = [
    { logicalId: tg.id, path: ['Properties', 'Protocol'], message: `target group ${tg.id} uses ${protocol}` },
  ];
  if (problem) {
    ctx.report(owner, {
      path: reach.forward.path,
      key: `pairing-${tg.id}`,
      related,
      message: `${lp} listener '${listener.id}' on Network Load Balancer '${lb.id}' forwards to ${protocol} target group '${tg.id}': ${problem}. Give the target group the listener's protocol (create a new target group: Protocol cannot change), or change the listener.`,
    });
    return;
  }
  if (lp === 'UDP') {
    const ipType = knownString(lb.ipAddressType)?.toLowerCase();
    if (!ipType?.startsWith('dualstack')) return;
    const tgIp = tg.ipAddressType.kind === 'missing' ? 'ipv4' : knownString(tg.ipAddressType)?.toLowerCase();
    if (tgIp === undefined) {
      ctx.unknown(owner, { path: reach.forward.path, why: `the IpAddressType of ${tg.id} is unknown` });
      return;
    }
    if (tgIp === 'ipv6') return;
    ctx.report(owner, {
      path: reach.forward.path,
      key: `dualstack-udp-${tg.id}`,
      related,
      message: `UDP listener '${listener.id}' on dualstack Network Load Balancer '${lb.id}' forwards to target group '${tg.id}', whose IpAddressType is ${tgIp}. A UDP listener on a dualstack NLB needs an IPv6 target group; create the target group with IpAddressType: ipv6.`,
    });
  }
}

/** Health-check protocol, path and matcher against the target group's own protocol family. */
function checkHealthCheck(ctx: RuleContext, tg: TargetGroup, family: LbType, protocol: string): void {
  const r = tg.resource;
  const hc = tg.healthCheck;
  // An alb target group (TCP, behind an NLB) health-checks the ALB with HTTP by default, and only HTTP/HTTPS.
  const albTarget = targetTypeOf(tg) === 'alb';
  let effective: string | undefined;
  if (hc.protocol.kind === 'missing') {
    effective = family === 'application' ? protocol : albTarget ? 'HTTP' : 'TCP';
  } else {
    const h = protocolOf(knownString(hc.protocol));
    if (!h || !KNOWN_PROTOCOLS.has(h)) {
      ctx.unknown(r, {
        path: ['Properties', 'HealthCheckProtocol'],
        why: h ? `unrecognised health-check protocol ${h}` : 'the health-check protocol is unknown',
      });
      return;
    }
    effective = h;
    const allowed = albTarget ? HEALTH_CHECK_PROTOCOLS.application : HEALTH_CHECK_PROTOCOLS[family];
    if (!allowed.includes(h)) {
      const tcpOnHttp = family === 'application' && h === 'TCP';
      ctx.report(r, {
        path: ['Properties', 'HealthCheckProtocol'],
        key: 'health-check-protocol',
        message: albTarget
          ? `Target group '${tg.id}' targets an ALB (TargetType alb) but health-checks with ${h}. An NLB checks an ALB target with HTTP or HTTPS only; use HealthCheckProtocol HTTP or HTTPS with a path the ALB answers.`
          : tcpOnHttp
            ? `Target group '${tg.id}' uses protocol ${protocol} but health-checks with TCP. An HTTP/HTTPS target group (ALB) health-checks with HTTP or HTTPS only; use HealthCheckProtocol ${protocol} with a HealthCheckPath.`
            : `Target group '${tg.id}' (${protocol}, ${LB_TYPE_NAME[family]}) health-checks with ${h}, which is never a valid health-check protocol here. ${family === 'application' ? 'ALB target groups health-check with HTTP or HTTPS' : 'Use TCP, HTTP or HTTPS'}${family === 'network' ? ' (NLB target groups support HTTP and HTTPS checks as well as TCP)' : ''}.`,
      });
      return;
    }
  }
  if (effective !== 'TCP') return;
  for (const prop of ['HealthCheckPath', 'Matcher'] as const) {
    const v = prop === 'HealthCheckPath' ? hc.path : hc.matcher;
    if (isSet(v) !== true) continue;
    ctx.report(r, {
      path: ['Properties', prop],
      key: `tcp-${prop}`,
      message: `Target group '${tg.id}' sets ${prop}, but its health check is TCP${hc.protocol.kind === 'missing' ? ` (the default for a ${protocol} target group)` : ''}. ${prop} applies only to HTTP/HTTPS health checks; set HealthCheckProtocol: HTTP (or HTTPS) to check that path, or remove ${prop}.`,
    });
  }
}

/** The UDP health-check trap: a UDP target group health-checks with TCP on the traffic port by default. */
function checkUdpTrap(ctx: RuleContext, tg: TargetGroup, protocol: string): void {
  if (protocol !== 'UDP') return;
  if (isSet(tg.healthCheck.port) !== false || isSet(tg.healthCheck.protocol) !== false) return;
  ctx.report(tg.resource, {
    path: ['Properties', 'Protocol'],
    key: 'udp-health-check',
    severity: 'warning',
    message: `UDP target group '${tg.id}' sets neither HealthCheckPort nor HealthCheckProtocol, so the load balancer health-checks it with TCP on the traffic port. A UDP-only service never answers that check and every target stays unhealthy. Point the health check at a TCP or HTTP port the service really listens on (HealthCheckPort, HealthCheckProtocol).`,
  });
}

/** TargetType alb: TCP protocol, an in-template ALB target in the same VPC, a port the ALB listens on. */
function checkAlbTargets(
  ctx: RuleContext,
  view: LoadBalancingView,
  tg: TargetGroup,
  protocol: string | undefined,
): void {
  const r = tg.resource;
  if (protocol && protocol !== 'TCP' && lbTypeOfTargetProtocol(protocol) === 'network') {
    ctx.report(r, {
      path: ['Properties', 'Protocol'],
      key: 'alb-protocol',
      message: `Target group '${tg.id}' has TargetType alb with protocol ${protocol}. An NLB forwards to an ALB target only over TCP; set Protocol: TCP (the ALB terminates HTTP/HTTPS itself).`,
    });
  }
  if (!tg.targets.items) {
    ctx.unknown(r, { path: ['Properties', 'Targets'], why: tg.targets.why });
    return;
  }
  const port = knownNumber(tg.port);
  for (const t of tg.targets.items) {
    const id = refOf(t.id);
    const alb = id === undefined ? undefined : view.loadBalancers.get(id);
    if (!alb) {
      ctx.unknown(r, { path: t.path, why: 'the ALB target is not a load balancer of this template' });
      continue;
    }
    if (maybeExisting(ctx, [alb.resource])) continue;
    const at = typeOf(alb);
    if (!at.type) {
      ctx.unknown(r, { path: t.path, why: at.why });
      continue;
    }
    const related: RelatedInput[] = [{ logicalId: alb.id, path: [], message: `target load balancer ${alb.id}` }];
    if (at.type !== 'application') {
      ctx.report(r, {
        path: [...t.path, 'Id'],
        key: `alb-target-type-${alb.id}`,
        related,
        message: `Target group '${tg.id}' has TargetType alb but registers ${LB_TYPE_NAME[at.type]} '${alb.id}'. An alb target group accepts only an Application Load Balancer; point it at the ALB, or use ip targets for other load balancers.`,
      });
      continue;
    }
    // Same VPC: compare the target group's VpcId with the VpcId of the ALB's subnets.
    const tgVpc = tg.vpcId.kind === 'known' ? (refOf(tg.vpcId) ?? knownString(tg.vpcId)) : undefined;
    const albVpcs = new Set<string>();
    let complete = !!alb.subnets.items;
    for (const s of alb.subnets.items ?? []) {
      const subnet = ctx.model.resources.get(refOf(s.value) ?? '');
      const v = subnet?.type === 'AWS::EC2::Subnet' ? ctx.value(subnet, ['Properties', 'VpcId']) : undefined;
      const vpc = v && v.kind === 'known' ? (refOf(v) ?? knownString(v)) : undefined;
      if (vpc === undefined) complete = false;
      else albVpcs.add(vpc);
    }
    if (tgVpc !== undefined && complete && albVpcs.size && !albVpcs.has(tgVpc)) {
      ctx.report(r, {
        path: ['Properties', 'VpcId'],
        key: `alb-target-vpc-${alb.id}`,
        related,
        message: `Target group '${tg.id}' (VPC ${tgVpc}) registers ALB '${alb.id}', whose subnets are in ${[...albVpcs].join(', ')}. An alb target must be in the target group's VPC; create the target group in the ALB's VPC.`,
      });
    }
    // Port must be one of the ALB's listener ports.
    const ports: number[] = [];
    let portsKnown = port !== undefined;
    for (const l of alb.listeners) {
      if (maybeExisting(ctx, [l.resource])) continue;
      const p = knownNumber(l.port);
      if (p === undefined) portsKnown = false;
      else ports.push(p);
    }
    if (view.unresolvedListeners.length) portsKnown = false;
    const override = knownNumber(t.port);
    const wanted = t.port.kind === 'missing' ? port : override;
    if (wanted === undefined || !portsKnown) continue;
    if (!ports.includes(wanted)) {
      ctx.report(r, {
        path: t.port.kind === 'missing' ? existingPath(r, ['Properties', 'Port']) : [...t.path, 'Port'],
        key: `alb-target-port-${alb.id}`,
        related,
        message: `Target group '${tg.id}' forwards to ALB '${alb.id}' on port ${wanted}, but the ALB ${ports.length ? `listens only on ${ports.join(', ')}` : 'has no listener'}. The alb target group's port must equal one of the ALB's listener ports; use ${ports[0] ?? 'the port of the ALB listener'}.`,
      });
    }
  }
}

/** ip targets must be private (RFC 1918, 100.64.0.0/10) or inside the VPC. */
function checkIpTargets(ctx: RuleContext, tg: TargetGroup): void {
  const r = tg.resource;
  let cidrs: string[] | undefined | null = null;
  for (const t of tg.targets.items ?? []) {
    const ipText = knownString(t.id);
    if (ipText === undefined || ipText.includes(':')) continue;
    const ip = parseIpv4(ipText.trim());
    if (ip === undefined) continue;
    if (PRIVATE_RANGES.some((c) => inCidr(ip, c))) continue;
    if (cidrs === null) {
      const vpc = refOf(tg.vpcId);
      cidrs = vpc ? vpcCidrs(ctx, vpc) : undefined;
    }
    if (!cidrs) {
      ctx.unknown(r, { path: [...t.path, 'Id'], why: `${ipText} is public and the VPC CIDRs are unknown` });
      continue;
    }
    if (cidrs.some((c) => inCidr(ip, c))) continue;
    ctx.report(r, {
      path: [...t.path, 'Id'],
      key: `ip-target-${t.index}`,
      message: `Target group '${tg.id}' registers IP target ${ipText}, which is publicly routable and outside the VPC (${cidrs.join(', ')}). IP targets must be in the VPC or in RFC 1918 / 100.64.0.0/10 space (reachable through peering, Transit Gateway, VPN or Direct Connect); register a private address, or front a public endpoint another way (for example CloudFront with a custom origin).`,
    });
  }
}

function checkTargetGroup(r: Resource, ctx: RuleContext): void {
  const view = ctx.view(loadBalancingView);
  const tg = view.targetGroups.get(r.logicalId);
  if (!tg) return;
  const protocolText = protocolOf(knownString(tg.protocol));
  const protocol = protocolText && KNOWN_PROTOCOLS.has(protocolText) ? protocolText : undefined;
  if (protocolText && !protocol) {
    ctx.unknown(r, { path: ['Properties', 'Protocol'], why: `unrecognised target group protocol ${protocolText}` });
  } else if (!protocolText && tg.protocol.kind === 'unknown') {
    ctx.unknown(r, { path: ['Properties', 'Protocol'], why: tg.protocol.why });
  }
  const tt = targetTypeOf(tg);

  // Load balancer types that reach this target group.
  const all = reaches(ctx, view, tg);
  const byType = new Map<LbType, Reach>();
  for (const reach of all) if (!byType.has(reach.type)) byType.set(reach.type, reach);
  if (byType.size > 1) {
    const kinds = [...byType.values()];
    ctx.report(r, {
      path: [],
      key: 'shared-types',
      related: kinds.map((k) => ({
        logicalId: k.forward.action.owner.logicalId,
        path: k.forward.path,
        message: `${describeListener(k.listener, k.lb, k.type)} forwards here`,
      })),
      message: `Target group '${tg.id}' is used by load balancers of different types (${kinds.map((k) => `${LB_TYPE_NAME[k.type]} '${k.lb.id}'`).join(', ')}). A target group belongs to one load balancer type, fixed by its protocol; create one target group per load balancer (for NLB -> ALB, give the NLB an alb target group that targets the ALB).`,
    });
  }
  for (const reach of byType.values()) checkFamily(ctx, tg, reach, protocol);
  if (protocol && lbTypeOfTargetProtocol(protocol) === 'network') {
    for (const reach of all) if (reach.type === 'network') checkPairing(ctx, tg, reach, protocol);
  }

  // Checks that depend on the target group alone.
  if (tt === 'alb') checkAlbTargets(ctx, view, tg, protocol);
  if (tt === 'ip') checkIpTargets(ctx, tg);
  const family = tt === 'lambda' ? undefined : protocol ? lbTypeOfTargetProtocol(protocol) : undefined;
  if (family && protocol) {
    checkHealthCheck(ctx, tg, family, protocol);
    checkUdpTrap(ctx, tg, protocol);
  }
}

export default defineRule({
  id: 'elb-target-group-compatibility',
  title: 'Match target groups to the load balancer type and listener',
  severity: 'error',
  severityNote: 'error; warning for a UDP target group left with the default TCP health check',
  pillar: 'reliability',
  tier: 'H',
  scope: 'graph',
  resourceTypes: ['AWS::ElasticLoadBalancingV2::TargetGroup'],
  rationale:
    'A target group belongs to one load balancer type through its protocol: HTTP/HTTPS (or lambda) for an ALB, TCP, TLS, UDP, TCP_UDP, QUIC or TCP_QUIC for an NLB, GENEVE for a GWLB. Lambda targets exist only behind an ALB, alb targets only behind an NLB; NLB listeners pair with matching target-group protocols; health checks use a protocol the type supports. A mismatch fails at deploy time, or leaves every target unhealthy (the UDP target group whose default TCP health check is never answered).',
  remediation:
    'Align the target group protocol, target type and health check with the load balancer type: HTTP/HTTPS target groups behind ALBs, layer-4 target groups behind NLBs (TCP_UDP listener to TCP_UDP target group), lambda targets behind an ALB, alb targets behind an NLB over TCP on an ALB listener port, and a health check on a port and protocol the service really answers.',
  citations: [
    'notes/000_93fa618f25815812.txt:845-848',
    'notes/000_93fa618f25815812.txt:872-876',
    'notes/000_93fa618f25815812.txt:890',
    'notes/000_93fa618f25815812.txt:897',
    'notes/001_599d008610d64701.txt:744',
    'notes/002_67d0d92d551be2b8.txt:3476',
    'https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-target-groups.html',
    'https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html',
    'https://docs.aws.amazon.com/elasticloadbalancing/latest/network/application-load-balancer-target.html',
    'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html',
  ],
  check: checkTargetGroup,
});
