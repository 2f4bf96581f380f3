import { defineRule } from '../../src/engine/rule';
import type { RelatedInput, RuleContext } from '../../src/engine/context';
import {
  ALB_ONLY_ACTIONS,
  AUTHENTICATE_ACTIONS,
  LB_TYPE_NAME,
  lbTypeOfTargetProtocol,
  LOAD_BALANCER_ATTRIBUTES,
  protocolOf,
  STICKINESS_TYPES,
  TARGET_GROUP_ATTRIBUTES,
  type LbType,
} from '../../src/data/elb';
import {
  actionTypeOf,
  existingPath,
  isSet,
  knownString,
  loadBalancingView,
  maybeExisting,
  nonEmptyList,
  refOf,
  schemeOf,
  targetTypeOf,
  typeOf,
  type AcceleratorAttachment,
  type Action,
  type EndpointServiceAttachment,
  type Listener,
  type LoadBalancer,
  type LoadBalancingView,
} from '../../src/model/loadbalancing';
import type { Resource } from '../../src/model/template';
import { refTarget } from '../../src/model/values';

const SHORT: Readonly<Record<LbType, string>> = { application: 'ALB', network: 'NLB', gateway: 'GWLB' };

function lbRelated(lb: LoadBalancer, type: LbType): RelatedInput {
  return {
    logicalId: lb.id,
    path: lb.typeValue.kind === 'missing' ? [] : ['Properties', 'Type'],
    message: `${lb.id} is a${type === 'application' ? 'n' : ''} ${LB_TYPE_NAME[type]}${lb.typeValue.kind === 'missing' ? ' (Type absent: application)' : ''}`,
  };
}

/** The certain type of an in-template load balancer, or undefined (with an unknown outcome recorded). */
function certainType(
  ctx: RuleContext,
  at: Resource,
  path: readonly (string | number)[],
  lb: LoadBalancer,
): LbType | undefined {
  const t = typeOf(lb);
  if (!t.type) {
    ctx.unknown(at, { path, why: t.why });
    return undefined;
  }
  const maybe = maybeExisting(ctx, [lb.resource]);
  if (maybe && maybe !== at && ctx.exists(at) === 'yes') {
    ctx.unknown(at, { path, why: `${lb.id} exists only when condition ${maybe.condition} holds` });
    return undefined;
  }
  return t.type;
}

// ------------------------------------------------------------------------------------------ WAF

function checkWebAcl(r: Resource, ctx: RuleContext, view: LoadBalancingView): void {
  const path = ['Properties', 'ResourceArn'];
  const v = ctx.value(r, path);
  const lb = view.loadBalancers.get(refOf(v) ?? '');
  if (!lb) return; // Not a load balancer of this template (API stage, CloudFront, imported ARN...).
  const type = certainType(ctx, r, path, lb);
  if (!type || type === 'application') return;
  const acl =
    refTarget(r.properties.WebACLArn) ??
    (typeof r.properties.WebACLArn === 'object' ? undefined : knownString(ctx.value(r, ['Properties', 'WebACLArn']))) ??
    knownString(ctx.value(r, ['Properties', 'WebACLId'])) ??
    'the web ACL';
  ctx.report(r, {
    path,
    key: 'waf',
    related: [lbRelated(lb, type)],
    message: `Web ACL '${acl}' is associated with ${LB_TYPE_NAME[type]} '${lb.id}'. AWS WAF only protects layer-7 resources (ALB, API Gateway REST API, CloudFront, AppSync, Cognito user pools and similar), so this association fails. Put an ALB in front of the workload, or protect it at CloudFront, or accept layer-4 protection only (Shield, security groups, NACLs).`,
  });
}

// ------------------------------------------------------------------------------------------ listeners, rules, actions

function listenerType(ctx: RuleContext, at: Resource, l: Listener): { lb: LoadBalancer; type: LbType } | undefined {
  const lb = l.loadBalancer.target;
  if (!lb) {
    ctx.unknown(at, { path: [], why: l.loadBalancer.why });
    return undefined;
  }
  const type = certainType(ctx, at, [], lb);
  return type ? { lb, type } : undefined;
}

function checkActions(
  ctx: RuleContext,
  owner: Resource,
  actions: readonly Action[],
  l: Listener,
  lb: LoadBalancer,
  type: LbType,
): void {
  for (const a of actions) {
    const t = actionTypeOf(a);
    if (!t) continue;
    if (type !== 'application' && ALB_ONLY_ACTIONS.has(t)) {
      const what =
        t === 'redirect'
          ? 'redirects'
          : t === 'fixed-response'
            ? 'fixed responses'
            : 'built-in authentication (OIDC, Cognito)';
      ctx.report(owner, {
        path: [...a.path, 'Type'],
        key: `action-${a.index}`,
        related: [lbRelated(lb, type)],
        message: `${owner.logicalId === l.id ? 'Listener' : 'Listener rule'} '${owner.logicalId}' uses a ${t} action on ${LB_TYPE_NAME[type]} '${lb.id}'. Only an Application Load Balancer has ${what}; ${type === 'network' ? 'an NLB listener can only forward to target groups' : 'a GWLB listener can only forward to its appliance target group'}. Use an ALB for this listener (behind the NLB as an \`alb\` target if you also need static IPs).`,
      });
    } else if (type === 'application' && AUTHENTICATE_ACTIONS.has(t)) {
      const p = protocolOf(knownString(l.protocol));
      if (p !== 'HTTP') continue;
      ctx.report(owner, {
        path: [...a.path, 'Type'],
        key: `auth-http-${a.index}`,
        related: [
          {
            logicalId: l.id,
            path: existingPath(l.resource, ['Properties', 'Protocol']),
            message: `listener ${l.id} is HTTP`,
          },
        ],
        message: `${owner.logicalId === l.id ? 'Listener' : 'Listener rule'} '${owner.logicalId}' uses ${t} on HTTP listener '${l.id}'. ALB authentication actions work only on HTTPS listeners (the identity provider returns tokens and session cookies that must not travel in clear text). Move the rule to an HTTPS listener and redirect HTTP to HTTPS.`,
      });
    }
  }
}

function checkListener(r: Resource, ctx: RuleContext, view: LoadBalancingView): void {
  const l = view.listeners.get(r.logicalId);
  if (!l || !l.loadBalancer.target) return;
  const lt = listenerType(ctx, r, l);
  if (!lt) return;
  checkActions(ctx, r, l.defaultActions.items ?? [], l, lt.lb, lt.type);
}

function checkListenerRule(r: Resource, ctx: RuleContext, view: LoadBalancingView): void {
  const rule = view.rules.get(r.logicalId);
  const l = rule?.listener.target;
  if (!rule || !l) {
    if (rule) ctx.unknown(r, { path: ['Properties', 'ListenerArn'], why: rule.listener.why ?? 'unknown listener' });
    return;
  }
  const maybe = maybeExisting(ctx, [l.resource]);
  if (maybe && ctx.exists(r) === 'yes') {
    ctx.unknown(r, {
      path: ['Properties', 'ListenerArn'],
      why: `${l.id} exists only when condition ${maybe.condition} holds`,
    });
    return;
  }
  const lt = listenerType(ctx, r, l);
  if (!lt) return;
  if (lt.type !== 'application') {
    const conds = describeConditions(ctx, r);
    ctx.report(r, {
      path:
        isSet(rule.conditions) === true ? ['Properties', 'Conditions'] : existingPath(r, ['Properties', 'ListenerArn']),
      key: 'listener-rule',
      related: [lbRelated(lt.lb, lt.type), { logicalId: l.id, path: [], message: `listener ${l.id}` }],
      message: `Listener rule '${r.logicalId}'${conds ? ` (${conds})` : ''} is attached to listener '${l.id}' of ${LB_TYPE_NAME[lt.type]} '${lt.lb.id}'. ${SHORT[lt.type]} listeners have only a default action; host, path, header, method, query-string and source-IP routing need an Application Load Balancer. Route with an ALB (behind the ${SHORT[lt.type]} as an \`alb\` target if you need both), or give each service its own listener port.`,
    });
    return;
  }
  checkActions(ctx, r, rule.actions.items ?? [], l, lt.lb, lt.type);
}

function describeConditions(ctx: RuleContext, r: Resource): string | undefined {
  const v = ctx.value(r, ['Properties', 'Conditions']);
  if (v.kind !== 'known' || !Array.isArray(v.value)) return undefined;
  const fields = v.value
    .map((c) =>
      c && typeof c === 'object' && typeof (c as Record<string, unknown>).Field === 'string'
        ? (c as Record<string, string>).Field
        : undefined,
    )
    .filter((f): f is string => !!f);
  return fields.length ? [...new Set(fields)].join(', ') : undefined;
}

/**
 * Whether an attribute documented for `allowed` types certainly does not exist for `type`. The documentation
 * lists Gateway Load Balancer attributes sparsely, so for a GWLB only layer-7 (ALB-only) attributes count as
 * certainly unsupported; anything else is left alone.
 */
function certainlyUnsupported(allowed: readonly LbType[], type: LbType): boolean {
  if (allowed.includes(type)) return false;
  return type !== 'gateway' || (allowed.length === 1 && allowed[0] === 'application');
}

// ------------------------------------------------------------------------------------------ load balancer properties

function checkLoadBalancer(r: Resource, ctx: RuleContext, view: LoadBalancingView): void {
  const lb = view.loadBalancers.get(r.logicalId);
  if (!lb) return;
  const t = typeOf(lb);
  if (!t.type) {
    ctx.unknown(r, { path: ['Properties', 'Type'], why: t.why });
    return;
  }
  const type = t.type;
  const scheme = schemeOf(lb);
  for (const m of lb.subnetMappings.items ?? []) {
    if (isSet(m.allocationId) === true) {
      let problem: string | undefined;
      if (type !== 'network') {
        problem = `an ${type === 'application' ? 'Application' : 'Gateway'} Load Balancer cannot use Elastic IPs: its addresses change over time. For static IPs use an NLB, optionally with the ALB as its target, or Global Accelerator`;
      } else if (scheme === 'internal') {
        problem =
          'only an internet-facing NLB takes Elastic IPs; an internal NLB gets a fixed private address per subnet, set it with PrivateIPv4Address instead';
      } else if (scheme === undefined) {
        ctx.unknown(r, { path: [...m.path, 'AllocationId'], why: 'the scheme of the load balancer is unknown' });
      }
      if (problem) {
        ctx.report(r, {
          path: [...m.path, 'AllocationId'],
          key: `eip-${m.index}`,
          message: `Load balancer '${lb.id}' (${type === 'network' ? 'internal ' : ''}${LB_TYPE_NAME[type]}) has an Elastic IP in SubnetMappings: ${problem}.`,
        });
      }
    }
    if (isSet(m.privateIPv4Address) === true) {
      let problem: string | undefined;
      if (type !== 'network') {
        problem = `only an internal Network Load Balancer takes a fixed private IPv4 address per subnet; for fixed addresses use an internal NLB (with the ${type === 'application' ? 'ALB as an `alb` target' : 'appliances behind the GWLB'})`;
      } else if (scheme === 'internet-facing') {
        problem =
          'PrivateIPv4Address applies to internal NLBs only; an internet-facing NLB gets static public addresses through AllocationId (Elastic IPs)';
      } else if (scheme === undefined) {
        ctx.unknown(r, { path: [...m.path, 'PrivateIPv4Address'], why: 'the scheme of the load balancer is unknown' });
      }
      if (problem) {
        ctx.report(r, {
          path: [...m.path, 'PrivateIPv4Address'],
          key: `private-ip-${m.index}`,
          message: `Load balancer '${lb.id}' (${type === 'network' ? `${scheme} ` : ''}${LB_TYPE_NAME[type]}) sets PrivateIPv4Address in SubnetMappings: ${problem}.`,
        });
      }
    }
  }
  if (type === 'gateway') {
    const sgs = nonEmptyList(ctx, r, ['Properties', 'SecurityGroups']);
    if (sgs === undefined)
      ctx.unknown(r, { path: ['Properties', 'SecurityGroups'], why: 'the security groups are unknown' });
    if (sgs) {
      ctx.report(r, {
        path: ['Properties', 'SecurityGroups'],
        key: 'gwlb-sg',
        message: `Gateway Load Balancer '${lb.id}' has SecurityGroups. A GWLB is a bump in the wire that forwards every packet to its appliances and cannot have security groups; filter with the appliances' own security groups and the NACLs of the appliance subnets, and remove SecurityGroups.`,
      });
    }
  }
  for (const a of lb.attributes.items ?? []) {
    const key = knownString(a.key);
    const allowed = key === undefined ? undefined : LOAD_BALANCER_ATTRIBUTES[key];
    if (!key || !allowed || !certainlyUnsupported(allowed, type)) continue;
    ctx.report(r, {
      path: [...a.path, 'Key'],
      key: `attr-${key}`,
      message: `Load balancer '${lb.id}' is a${type === 'application' ? 'n' : ''} ${LB_TYPE_NAME[type]} but sets attribute ${key}, which exists only for ${allowed.map((x) => LB_TYPE_NAME[x]).join(' and ')}s, so the update fails. Remove the attribute, or use the load balancer type that has this feature.`,
    });
  }
}

// ------------------------------------------------------------------------------------------ target group attributes

function checkTargetGroup(r: Resource, ctx: RuleContext, view: LoadBalancingView): void {
  const tg = view.targetGroups.get(r.logicalId);
  if (!tg) return;
  const tt = targetTypeOf(tg);
  const protocol = protocolOf(knownString(tg.protocol));
  const family: LbType | undefined = tt === 'lambda' ? 'application' : lbTypeOfTargetProtocol(protocol);
  if (!family) return;
  const what = `${LB_TYPE_NAME[family]} target group${tt === 'lambda' ? ' (lambda)' : protocol ? ` (${protocol})` : ''}`;
  for (const a of tg.attributes.items ?? []) {
    const key = knownString(a.key);
    if (!key) continue;
    if (key === 'stickiness.type') {
      const value = knownString(a.value)?.trim().toLowerCase();
      const owners = value === undefined ? undefined : STICKINESS_TYPES[value];
      if (!value || !owners || owners.includes(family)) continue;
      const fix =
        family === 'network'
          ? 'NLB stickiness is source_ip only; cookies need an ALB, whose target group can sit behind the NLB as an `alb` target'
          : family === 'application'
            ? 'ALB stickiness uses cookies: lb_cookie (generated by the load balancer) or app_cookie (your application cookie)'
            : 'GWLB stickiness is source_ip_dest_ip or source_ip_dest_ip_proto';
      ctx.report(r, {
        path: [...a.path, 'Value'],
        key: 'stickiness-type',
        message: `Target group '${tg.id}' is a${family === 'application' ? 'n' : ''} ${what} but sets stickiness.type ${value}, which belongs to ${owners.map((o) => LB_TYPE_NAME[o]).join(' and ')}s. ${fix}.`,
      });
      continue;
    }
    const allowed = TARGET_GROUP_ATTRIBUTES[key];
    if (!allowed || !certainlyUnsupported(allowed, family)) continue;
    ctx.report(r, {
      path: [...a.path, 'Key'],
      key: `attr-${key}`,
      message: `Target group '${tg.id}' is a${family === 'application' ? 'n' : ''} ${what} but sets attribute ${key}, which exists only for ${allowed.map((x) => LB_TYPE_NAME[x]).join(' and ')} target groups, so the deployment fails. Remove the attribute, or use the load balancer type that has this feature.`,
    });
  }
}

// ------------------------------------------------------------------------------------------ PrivateLink, Global Accelerator

function checkEndpointService(r: Resource, ctx: RuleContext, view: LoadBalancingView): void {
  for (const { lb, attachment } of view.attachmentsOf.get(r.logicalId) ?? []) {
    const att = attachment as EndpointServiceAttachment;
    const type = certainType(ctx, r, att.path, lb);
    if (!type) continue;
    const wanted: LbType = att.property === 'NetworkLoadBalancerArns' ? 'network' : 'gateway';
    if (type === wanted) continue;
    const fix =
      type === 'gateway'
        ? 'a Gateway Load Balancer belongs in GatewayLoadBalancerArns'
        : type === 'network'
          ? 'a Network Load Balancer belongs in NetworkLoadBalancerArns'
          : 'PrivateLink endpoint services front an NLB (or a GWLB for appliances), never an ALB. Put an NLB in front of the ALB (an `alb` target group) and list the NLB';
    ctx.report(r, {
      path: att.path,
      key: `${att.property}-${lb.id}`,
      related: [lbRelated(lb, type)],
      message: `VPC endpoint service '${r.logicalId}' lists ${LB_TYPE_NAME[type]} '${lb.id}' in ${att.property}: ${fix}.`,
    });
  }
}

function checkAcceleratorEndpoints(r: Resource, ctx: RuleContext, view: LoadBalancingView): void {
  for (const { lb, attachment } of view.attachmentsOf.get(r.logicalId) ?? []) {
    const att = attachment as AcceleratorAttachment;
    const listener = att.listener.target;
    if (!listener) {
      ctx.unknown(r, { path: att.path, why: att.listener.why ?? 'unknown listener' });
      continue;
    }
    const protocol = protocolOf(knownString(ctx.value(listener, ['Properties', 'Protocol'])));
    if (protocol !== 'UDP') continue;
    const type = certainType(ctx, r, att.path, lb);
    if (type !== 'application') continue;
    if (maybeExisting(ctx, [listener]) && ctx.exists(r) === 'yes') continue;
    ctx.report(r, {
      path: att.path,
      key: `ga-udp-${lb.id}`,
      related: [
        { logicalId: listener.logicalId, path: ['Properties', 'Protocol'], message: 'UDP accelerator listener' },
        lbRelated(lb, type),
      ],
      message: `Global Accelerator endpoint group '${r.logicalId}' sends the UDP traffic of listener '${listener.logicalId}' to Application Load Balancer '${lb.id}'. An ALB cannot receive UDP; use a Network Load Balancer (UDP listener) or instances and Elastic IPs as the endpoints of a UDP accelerator listener.`,
    });
  }
}

export default defineRule({
  id: 'elb-feature-lb-type-mismatch',
  title: 'Use the load balancer type that owns the feature',
  severity: 'error',
  pillar: ['security', 'reliability'],
  tier: 'H',
  scope: 'graph',
  resourceTypes: [
    'AWS::ElasticLoadBalancingV2::LoadBalancer',
    'AWS::ElasticLoadBalancingV2::Listener',
    'AWS::ElasticLoadBalancingV2::ListenerRule',
    'AWS::ElasticLoadBalancingV2::TargetGroup',
    'AWS::WAFv2::WebACLAssociation',
    'AWS::WAFRegional::WebACLAssociation',
    'AWS::EC2::VPCEndpointService',
    'AWS::GlobalAccelerator::EndpointGroup',
  ],
  rationale:
    'Each feature exists on one load balancer type. Layer-7 features (WAF, listener rules, redirect, fixed-response and authenticate actions, cookie stickiness, HTTP attributes) need an Application Load Balancer; Elastic IPs, fixed private IPs, PrivateLink endpoint services and UDP need a Network Load Balancer (or a Gateway Load Balancer for appliance services). Choosing the wrong type fails at deploy time or, worse, silently gives no protection.',
  remediation:
    'Use the type that owns the feature, or combine them: an NLB with an ALB as its `alb` target gives static IPs plus layer-7 routing; CloudFront or an ALB in front gives WAF protection; an NLB fronts a PrivateLink endpoint service.',
  citations: [
    'notes/000_93fa618f25815812.txt:836-841',
    'notes/000_93fa618f25815812.txt:866',
    'notes/000_93fa618f25815812.txt:882',
    'notes/001_599d008610d64701.txt:711-729',
    'notes/001_599d008610d64701.txt:745',
    'notes/001_599d008610d64701.txt:754',
    'notes/000_93fa618f25815812.txt:5062-5066',
    'notes/004_de69dd7c5fb67669.txt:996',
    'https://docs.aws.amazon.com/waf/latest/developerguide/waf-chapter.html',
    'https://docs.aws.amazon.com/elasticloadbalancing/latest/network/network-load-balancers.html',
    'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html',
    'https://docs.aws.amazon.com/vpc/latest/privatelink/create-endpoint-service.html',
    'https://docs.aws.amazon.com/global-accelerator/latest/dg/about-endpoints.html',
  ],
  check(r, ctx) {
    const view = ctx.view(loadBalancingView);
    switch (r.type) {
      case 'AWS::WAFv2::WebACLAssociation':
      case 'AWS::WAFRegional::WebACLAssociation':
        return checkWebAcl(r, ctx, view);
      case 'AWS::ElasticLoadBalancingV2::Listener':
        return checkListener(r, ctx, view);
      case 'AWS::ElasticLoadBalancingV2::ListenerRule':
        return checkListenerRule(r, ctx, view);
      case 'AWS::ElasticLoadBalancingV2::LoadBalancer':
        return checkLoadBalancer(r, ctx, view);
      case 'AWS::ElasticLoadBalancingV2::TargetGroup':
        return checkTargetGroup(r, ctx, view);
      case 'AWS::EC2::VPCEndpointService':
        return checkEndpointService(r, ctx, view);
      case 'AWS::GlobalAccelerator::EndpointGroup':
        return checkAcceleratorEndpoints(r, ctx, view);
    }
  },
});
