import { defineRule } from '../../src/engine/rule';
import type { RuleContext } from '../../src/engine/context';
import type { RelatedInput } from '../../src/engine/context';
import {
  describeProtocol,
  LB_TYPE_NAME,
  LISTENER_PROTOCOLS,
  protocolOf,
  QUIC_PROTOCOLS,
  type LbType,
} from '../../src/data/elb';
import {
  isSet,
  knownNumber,
  knownString,
  loadBalancingView,
  maybeExisting,
  nonEmptyList,
  stringAlternatives,
  typeOf,
  type Listener,
  type LoadBalancer,
} from '../../src/model/loadbalancing';

/** Every protocol a listener of some type accepts; anything else is unrecognised (Unknown, never a failure). */
const LISTENER_PROTOCOL_SET = new Set([...LISTENER_PROTOCOLS.application, ...LISTENER_PROTOCOLS.network]);

function lbRelated(lb: LoadBalancer, type: LbType): RelatedInput {
  return {
    logicalId: lb.id,
    path: lb.typeValue.kind === 'missing' ? [] : ['Properties', 'Type'],
    message: `${lb.id} is a${type === 'application' ? 'n' : ''} ${LB_TYPE_NAME[type]}${lb.typeValue.kind === 'missing' ? ' (Type is absent, so it defaults to application)' : ''}`,
  };
}

/** The protocol of a listener when it is the same in every branch and recognised. */
function protocolOfListener(l: Listener): string | undefined {
  const p = protocolOf(knownString(l.protocol));
  return p && LISTENER_PROTOCOL_SET.has(p) ? p : undefined;
}

function checkProtocol(ctx: RuleContext, l: Listener, lb: LoadBalancer, type: 'application' | 'network'): void {
  const r = l.resource;
  const related = [lbRelated(lb, type)];
  const protocols = stringAlternatives(l.protocol);
  // protocol-missing: Protocol or Port certainly absent.
  const protocolAbsent = isSet(l.protocol) === false;
  const portAbsent = isSet(l.port) === false;
  if (protocolAbsent || portAbsent) {
    const what = protocolAbsent && portAbsent ? 'Protocol or Port' : protocolAbsent ? 'Protocol' : 'Port';
    const example = type === 'application' ? 'Protocol: HTTPS and Port: 443' : 'Protocol: TCP (or TLS, UDP) and a Port';
    ctx.report(r, {
      path: r.node.Properties !== undefined ? ['Properties'] : [],
      key: 'protocol-missing',
      related,
      message: `Listener '${l.id}' on ${LB_TYPE_NAME[type]} '${lb.id}' has no ${what}. Protocol and Port are both required on an ${type === 'application' ? 'ALB' : 'NLB'} listener (only a Gateway Load Balancer listener omits them), so the listener cannot be created. Set ${example}.`,
    });
  }
  if (!protocols) {
    ctx.unknown(r, { path: ['Properties', 'Protocol'], why: whyOf(l.protocol) });
    return;
  }
  const present = protocols.filter((p): p is string => p !== undefined).map((p) => p.toUpperCase());
  if (!present.length || present.length !== protocols.length) return;
  if (present.some((p) => !LISTENER_PROTOCOL_SET.has(p))) {
    ctx.unknown(r, { path: ['Properties', 'Protocol'], why: `unrecognised listener protocol ${present.join(' or ')}` });
    return;
  }
  const allowed = LISTENER_PROTOCOLS[type];
  if (!present.every((p) => !allowed.includes(p))) return;
  const shown = [...new Set(present)].join(' or ');
  if (type === 'application') {
    const needs = [...new Set(present.map(describeProtocol))].join(' / ');
    ctx.report(r, {
      path: ['Properties', 'Protocol'],
      key: 'alb-non-http',
      related,
      message: `Listener '${l.id}' on Application Load Balancer '${lb.id}' uses protocol ${shown}. An Application Load Balancer only speaks HTTP/HTTPS. For ${needs} use a Network Load Balancer. If you also need layer-7 routing, put the ALB behind the NLB as an \`alb\` target.`,
    });
  } else {
    ctx.report(r, {
      path: ['Properties', 'Protocol'],
      key: 'nlb-http',
      related,
      message: `Listener '${l.id}' on Network Load Balancer '${lb.id}' uses protocol ${shown}. A Network Load Balancer does not parse HTTP. Use a TCP listener (pass-through) or a TLS listener (TLS terminated on the NLB, no header-based routing), or switch to an ALB for HTTP features.`,
    });
  }
}

function whyOf(v: { kind: string; why?: string }): string {
  return v.kind === 'unknown' && v.why ? v.why : 'the value is not a string';
}

function checkGateway(ctx: RuleContext, l: Listener, lb: LoadBalancer): void {
  const r = l.resource;
  const protocolSet = isSet(l.protocol);
  const portSet = isSet(l.port);
  if (protocolSet === undefined || portSet === undefined) {
    ctx.unknown(r, { path: ['Properties'], why: 'whether Protocol or Port is set depends on a condition' });
  }
  if (!protocolSet && !portSet) return;
  const what = protocolSet && portSet ? 'Protocol and Port' : protocolSet ? 'Protocol' : 'Port';
  ctx.report(r, {
    path: ['Properties', protocolSet ? 'Protocol' : 'Port'],
    key: 'gwlb-protocol-set',
    related: [lbRelated(lb, 'gateway')],
    message: `Listener '${l.id}' on Gateway Load Balancer '${lb.id}' sets ${what}. A Gateway Load Balancer listener takes neither: it receives every IP packet on all ports and forwards it to the appliances with GENEVE on UDP 6081, so CloudFormation rejects the listener. Remove ${what}.`,
  });
}

/** duplicate-port: an earlier listener on the same load balancer uses the same port. */
function checkDuplicatePort(ctx: RuleContext, l: Listener, lb: LoadBalancer, type: LbType): void {
  const port = knownNumber(l.port);
  if (port === undefined) return;
  for (const other of lb.listeners) {
    if (other === l) break;
    if (knownNumber(other.port) !== port) continue;
    if (maybeExisting(ctx, [other.resource])) {
      ctx.unknown(l.resource, {
        path: ['Properties', 'Port'],
        why: `listener ${other.id} on the same port exists only when condition ${other.resource.condition} holds`,
      });
      return;
    }
    const mine = protocolOfListener(l);
    const theirs = protocolOfListener(other);
    let advice = 'A load balancer accepts one listener per port. Use another port, or merge the two listeners';
    if (type === 'network' && mine && theirs) {
      const pair = new Set([mine, theirs]);
      if (pair.has('UDP') && (pair.has('TCP') || pair.has('TLS'))) {
        advice =
          'An NLB accepts one listener per port: to serve TCP and UDP on the same port, replace both with a single TCP_UDP listener forwarding to a TCP_UDP target group';
      } else if (pair.has('QUIC') && pair.has('TCP')) {
        advice =
          'An NLB accepts one listener per port: to serve TCP and QUIC on the same port, replace both with a single TCP_QUIC listener forwarding to a TCP_QUIC target group';
      }
    } else if (type === 'application') {
      advice += ' (one ALB listener can route to several target groups with listener rules)';
    }
    ctx.report(l.resource, {
      path: ['Properties', 'Port'],
      key: 'duplicate-port',
      related: [
        {
          logicalId: other.id,
          path: ['Properties', 'Port'],
          message: `listener ${other.id} already uses port ${port}`,
        },
      ],
      message: `Listener '${l.id}'${mine ? ` (${mine})` : ''} uses port ${port} on ${LB_TYPE_NAME[type]} '${lb.id}', which listener '${other.id}'${theirs ? ` (${theirs})` : ''} already uses, so the second listener cannot be created. ${advice}.`,
    });
    return;
  }
}

/** quic-conflict: QUIC/TCP_QUIC listener restrictions on an NLB. */
function checkQuic(ctx: RuleContext, l: Listener, lb: LoadBalancer): void {
  const mine = protocolOfListener(l);
  if (!mine || !QUIC_PROTOCOLS.has(mine)) return;
  const reasons: string[] = [];
  const related: RelatedInput[] = [];
  const sgs = nonEmptyList(ctx, lb.resource, ['Properties', 'SecurityGroups']);
  if (sgs === undefined)
    ctx.unknown(l.resource, { path: ['Properties', 'Protocol'], why: `the security groups of ${lb.id} are unknown` });
  if (sgs) {
    reasons.push('the load balancer has security groups');
    related.push({ logicalId: lb.id, path: ['Properties', 'SecurityGroups'], message: 'security groups of the NLB' });
  }
  const ipType = knownString(lb.ipAddressType)?.toLowerCase();
  if (ipType?.startsWith('dualstack')) {
    reasons.push(`the load balancer is ${ipType}`);
    related.push({ logicalId: lb.id, path: ['Properties', 'IpAddressType'], message: `IpAddressType ${ipType}` });
  }
  let earlier = true;
  for (const other of lb.listeners) {
    if (other === l) {
      earlier = false;
      continue;
    }
    const theirs = protocolOfListener(other);
    if (!theirs || maybeExisting(ctx, [other.resource])) continue;
    if (theirs === 'UDP' || theirs === 'TCP_UDP') {
      reasons.push(`listener '${other.id}' uses ${theirs}`);
      related.push({ logicalId: other.id, path: ['Properties', 'Protocol'], message: `${theirs} listener` });
    } else if (QUIC_PROTOCOLS.has(theirs) && earlier) {
      reasons.push(`listener '${other.id}' is already a ${theirs} listener (one QUIC or TCP_QUIC listener per NLB)`);
      related.push({ logicalId: other.id, path: ['Properties', 'Protocol'], message: `first ${theirs} listener` });
    }
  }
  if (!reasons.length) return;
  ctx.report(l.resource, {
    path: ['Properties', 'Protocol'],
    key: 'quic-conflict',
    related,
    message: `${mine} listener '${l.id}' cannot be created on Network Load Balancer '${lb.id}': ${reasons.join('; ')}. An NLB accepts a single QUIC or TCP_QUIC listener, and only when it is IPv4, has no security groups and has no UDP or TCP_UDP listener. Put the QUIC service on its own IPv4 NLB without security groups.`,
  });
}

export default defineRule({
  id: 'elb-listener-protocol-lb-type',
  title: 'Use listener protocols the load balancer type supports',
  severity: 'error',
  pillar: 'reliability',
  tier: 'H',
  scope: 'graph',
  resourceTypes: ['AWS::ElasticLoadBalancingV2::Listener'],
  rationale:
    "An Application Load Balancer works at layer 7 and accepts HTTP and HTTPS only; a Network Load Balancer works at layer 4 (TCP, TLS, UDP, TCP_UDP, QUIC, TCP_QUIC) and cannot see HTTP; a Gateway Load Balancer listener has no protocol or port because it forwards every packet with GENEVE. A listener protocol outside the load balancer's layer, two listeners on one port, or a QUIC listener where QUIC is not allowed cannot be created, and the stack update fails.",
  remediation:
    'Switch the listener protocol or the load balancer type. For HTTP features use an ALB; for UDP, raw TCP or TLS pass-through use an NLB, with the ALB as an `alb` target of the NLB when you need both. Serve TCP and UDP on one NLB port with a single TCP_UDP listener.',
  citations: [
    'notes/000_93fa618f25815812.txt:832',
    'notes/000_93fa618f25815812.txt:869-870',
    'notes/001_599d008610d64701.txt:702-704',
    'notes/001_599d008610d64701.txt:739',
    'notes/002_67d0d92d551be2b8.txt:3516-3526',
    'https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-listeners.html',
    'https://docs.aws.amazon.com/elasticloadbalancing/latest/network/create-listener.html',
    'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticloadbalancingv2-listener.html',
  ],
  check(r, ctx) {
    const view = ctx.view(loadBalancingView);
    const l = view.listeners.get(r.logicalId);
    if (!l) return;
    const lb = l.loadBalancer.target;
    if (!lb) {
      ctx.unknown(r, { path: ['Properties', 'LoadBalancerArn'], why: l.loadBalancer.why });
      return;
    }
    const t = typeOf(lb);
    if (!t.type) {
      ctx.unknown(r, { path: ['Properties', 'LoadBalancerArn'], why: t.why });
      return;
    }
    const maybe = maybeExisting(ctx, [lb.resource]);
    if (maybe && ctx.exists(r) === 'yes') {
      ctx.unknown(r, {
        path: ['Properties', 'LoadBalancerArn'],
        why: `${lb.id} exists only when condition ${maybe.condition} holds`,
      });
      return;
    }
    if (t.type === 'gateway') {
      checkGateway(ctx, l, lb);
    } else {
      checkProtocol(ctx, l, lb, t.type);
      if (t.type === 'network') checkQuic(ctx, l, lb);
    }
    checkDuplicatePort(ctx, l, lb, t.type);
  },
});
