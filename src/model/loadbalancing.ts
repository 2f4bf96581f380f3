/**
 * The load-balancing domain view (DESIGN.md "graph"; catalog 2.4): load balancers, their listeners and listener
 * rules, the actions of both, the target groups those actions reach, the targets and registrars of each target
 * group, and what attaches to a load balancer from outside (WAF web ACL associations, VPC endpoint services,
 * Global Accelerator endpoint groups, Elastic IPs in subnet mappings, NLB `alb` target groups).
 *
 * The view records edges and raw values; it decides nothing. Anything it cannot resolve (a load balancer or target
 * group given as a parameter or an import, a list built by an unknown intrinsic) is kept with the reason, so that
 * rules can turn it into an unknown outcome.
 */
import { defineView, type TemplateContext } from '../engine/context';
import { isRecord } from '../parse/parse';
import type { PathSegment } from '../types';
import { KNOWN_ACTIONS, lbTypeOf, type LbType } from '../data/elb';
import type { Resource } from './template';
import { alternatives, intrinsicName, possibleValues, ResourceRef, toNumber, type Value } from './values';

export const LOAD_BALANCER = 'AWS::ElasticLoadBalancingV2::LoadBalancer';
export const LISTENER = 'AWS::ElasticLoadBalancingV2::Listener';
export const LISTENER_RULE = 'AWS::ElasticLoadBalancingV2::ListenerRule';
export const TARGET_GROUP = 'AWS::ElasticLoadBalancingV2::TargetGroup';
export const WEB_ACL_ASSOCIATION_TYPES: readonly string[] = [
  'AWS::WAFv2::WebACLAssociation',
  'AWS::WAFRegional::WebACLAssociation',
];
export const VPC_ENDPOINT_SERVICE = 'AWS::EC2::VPCEndpointService';
export const ACCELERATOR_ENDPOINT_GROUP = 'AWS::GlobalAccelerator::EndpointGroup';
export const ACCELERATOR_LISTENER = 'AWS::GlobalAccelerator::Listener';

/** A resolved edge to a resource of the template, or the reason it could not be resolved. */
export type Edge<T> =
  { readonly target: T; readonly why?: undefined } | { readonly target?: undefined; readonly why: string };

/** A list property: its items, or why its length is unknown. */
export type List<T> =
  { readonly items: readonly T[]; readonly why?: undefined } | { readonly items?: undefined; readonly why: string };

export interface KeyValue {
  readonly index: number;
  /** Path of the entry below the resource node. */
  readonly path: readonly PathSegment[];
  readonly key: Value;
  readonly value: Value;
}

export interface SubnetMapping {
  readonly index: number;
  readonly path: readonly PathSegment[];
  readonly subnetId: Value;
  readonly allocationId: Value;
  readonly privateIPv4Address: Value;
  readonly ipv6Address: Value;
}

/** Something outside the load-balancing chain that refers to a load balancer. */
export interface Attachment {
  readonly resource: Resource;
  /** Path of the reference below the attaching resource's node. */
  readonly path: readonly PathSegment[];
}

export interface EndpointServiceAttachment extends Attachment {
  readonly property: 'NetworkLoadBalancerArns' | 'GatewayLoadBalancerArns';
}

export interface AcceleratorAttachment extends Attachment {
  /** The Global Accelerator listener of the endpoint group, when it is in the template. */
  readonly listener: Edge<Resource>;
}

export interface LoadBalancer {
  readonly resource: Resource;
  readonly id: string;
  /** Raw `Type` value; `typeOf()` interprets it (absent means application). */
  readonly typeValue: Value;
  readonly scheme: Value;
  readonly ipAddressType: Value;
  readonly securityGroups: Value;
  /** Subnets from `Subnets` or `SubnetMappings[].SubnetId`, as values (ResourceRef or literal id). */
  readonly subnets: List<{ readonly path: readonly PathSegment[]; readonly value: Value }>;
  readonly subnetMappings: List<SubnetMapping>;
  readonly attributes: List<KeyValue>;
  readonly listeners: Listener[];
  readonly webAclAssociations: Attachment[];
  readonly endpointServices: EndpointServiceAttachment[];
  readonly acceleratorEndpoints: AcceleratorAttachment[];
  /** NLB target groups of `TargetType: alb` that register this load balancer as a target. */
  readonly targetOf: TargetGroupTarget[];
}

export interface Listener {
  readonly resource: Resource;
  readonly id: string;
  readonly loadBalancer: Edge<LoadBalancer>;
  readonly protocol: Value;
  readonly port: Value;
  readonly defaultActions: List<Action>;
  readonly rules: ListenerRule[];
}

export interface ListenerRule {
  readonly resource: Resource;
  readonly id: string;
  readonly listener: Edge<Listener>;
  readonly actions: List<Action>;
  readonly conditions: Value;
}

export interface Action {
  /** The listener or listener rule that owns the action. */
  readonly owner: Resource;
  readonly index: number;
  readonly path: readonly PathSegment[];
  readonly type: Value;
  /** Target groups this action forwards to (`TargetGroupArn` and `ForwardConfig.TargetGroups[]`). */
  readonly forwards: List<Forward>;
}

export interface Forward {
  readonly action: Action;
  /** Path of the `TargetGroupArn` below the owner's node. */
  readonly path: readonly PathSegment[];
  readonly targetGroup: Edge<TargetGroup>;
}

export interface Target {
  readonly index: number;
  readonly path: readonly PathSegment[];
  readonly id: Value;
  readonly port: Value;
  readonly availabilityZone: Value;
}

export interface TargetGroupTarget {
  readonly targetGroup: TargetGroup;
  readonly target: Target;
}

/** A resource that registers targets with a target group (Auto Scaling group, ECS service). */
export interface Registrar {
  readonly resource: Resource;
  readonly path: readonly PathSegment[];
}

export interface TargetGroup {
  readonly resource: Resource;
  readonly id: string;
  readonly protocol: Value;
  readonly port: Value;
  readonly protocolVersion: Value;
  /** Raw `TargetType`; absent means `instance`. */
  readonly targetType: Value;
  readonly ipAddressType: Value;
  readonly vpcId: Value;
  readonly healthCheck: {
    readonly enabled: Value;
    readonly protocol: Value;
    readonly port: Value;
    readonly path: Value;
    readonly matcher: Value;
  };
  readonly attributes: List<KeyValue>;
  readonly targets: List<Target>;
  /** Every listener or rule action that forwards to this target group. */
  readonly forwardedBy: Forward[];
  readonly registrars: Registrar[];
}

export interface LoadBalancingView {
  readonly loadBalancers: ReadonlyMap<string, LoadBalancer>;
  readonly listeners: ReadonlyMap<string, Listener>;
  readonly rules: ReadonlyMap<string, ListenerRule>;
  readonly targetGroups: ReadonlyMap<string, TargetGroup>;
  /** Listeners whose load balancer is not resolved (outside the template, or unknown). */
  readonly unresolvedListeners: readonly Listener[];
  /** Listener rules whose listener is not resolved (outside the template, or unknown). */
  readonly unresolvedRules: readonly ListenerRule[];
  /** Attachments (WAF, endpoint service, accelerator endpoint group) by the logical id of the attaching resource. */
  readonly attachmentsOf: ReadonlyMap<
    string,
    readonly { readonly lb: LoadBalancer; readonly attachment: Attachment }[]
  >;
}

// ---------------------------------------------------------------------------------------------- helpers

const INTRINSIC = Symbol('intrinsic');

/** The raw node at a path, following literal structure only; INTRINSIC when an intrinsic is in the way. */
function rawAt(node: unknown, path: readonly PathSegment[]): unknown {
  let cur = node;
  for (const seg of path) {
    if (cur === undefined) return undefined;
    if (intrinsicName(cur)) return INTRINSIC;
    if (Array.isArray(cur)) cur = typeof seg === 'number' ? cur[seg] : undefined;
    else if (isRecord(cur)) cur = typeof seg === 'string' && Object.hasOwn(cur, seg) ? cur[seg] : undefined;
    else return undefined;
  }
  if (cur !== undefined && intrinsicName(cur)) return INTRINSIC;
  return cur;
}

/** The number of items of a list property, or why it is unknown. */
export function itemCount(tctx: TemplateContext, r: Resource, path: readonly PathSegment[]): List<number> {
  const raw = rawAt(r.node, path);
  if (raw === undefined) return { items: [] };
  if (Array.isArray(raw)) return { items: raw.map((_, i) => i) };
  const v = tctx.value(r, path);
  if (v.kind === 'missing') return { items: [] };
  if (v.kind === 'known') return { items: Array.isArray(v.value) ? v.value.map((_, i) => i) : [] };
  return { why: v.why };
}

function mapList<T>(count: List<number>, f: (i: number) => T): List<T> {
  return count.why !== undefined ? { why: count.why } : { items: count.items.map(f) };
}

/** The logical id of the template resource a value refers to (Ref / Fn::GetAtt), if any. */
export function refOf(v: Value): string | undefined {
  return v.kind === 'known' && v.value instanceof ResourceRef ? v.value.logicalId : undefined;
}

/** The Edge to a resource of the given map a property refers to. */
function edgeTo<T>(
  tctx: TemplateContext,
  v: Value,
  map: ReadonlyMap<string, T>,
  what: string,
  property: string,
): Edge<T> {
  if (v.kind === 'missing') return { why: `${property} is not set` };
  if (v.kind === 'unknown') return { why: `${what}: ${v.why}` };
  const id = refOf(v);
  if (id !== undefined) {
    const t = map.get(id);
    if (t) return { target: t };
    if (tctx.exists(id) === 'no') return { why: `${what} ${id} does not exist under the evaluated conditions` };
    return { why: `${property} refers to ${id}, which is not a ${what}` };
  }
  const literal = typeof v.value === 'string' ? ` ${v.value}` : '';
  return { why: `${what}${literal} is not in the template` };
}

// ---------------------------------------------------------------------------------------------- interpretation

/** The type of a load balancer: application when absent; undefined (with why) when unknown or unrecognised. */
export function typeOf(lb: LoadBalancer): { type: LbType; why?: undefined } | { type?: undefined; why: string } {
  const v = lb.typeValue;
  if (v.kind === 'missing') return { type: 'application' };
  if (v.kind === 'unknown') return { why: `the type of load balancer ${lb.id} ${v.why}` };
  const t = lbTypeOf(v.value);
  return t ? { type: t } : { why: `load balancer ${lb.id} has an unrecognised Type ${String(v.value)}` };
}

/** The scheme of a load balancer: internet-facing when absent; undefined when unknown. */
export function schemeOf(lb: LoadBalancer): 'internet-facing' | 'internal' | undefined {
  const v = lb.scheme;
  if (v.kind === 'missing') return 'internet-facing';
  if (v.kind !== 'known' || typeof v.value !== 'string') return undefined;
  const s = v.value.trim().toLowerCase();
  return s === 'internal' ? 'internal' : s === 'internet-facing' ? 'internet-facing' : undefined;
}

/** The target type of a target group: instance when absent; undefined when unknown. */
export function targetTypeOf(tg: TargetGroup): string | undefined {
  const v = tg.targetType;
  if (v.kind === 'missing') return 'instance';
  return v.kind === 'known' && typeof v.value === 'string' ? v.value.trim().toLowerCase() : undefined;
}

/**
 * The type of an action (forward, redirect, fixed-response, authenticate-oidc, authenticate-cognito) when it is
 * the same recognised value in every branch; undefined when unknown or unrecognised.
 */
export function actionTypeOf(a: Action): string | undefined {
  const t = knownString(a.type)?.trim().toLowerCase();
  return t !== undefined && KNOWN_ACTIONS.has(t) ? t : undefined;
}

/** The load balancer a listener or rule-owned action finally belongs to. */
export function listenerOfAction(view: LoadBalancingView, action: Action): Edge<Listener> {
  const l = view.listeners.get(action.owner.logicalId);
  if (l) return { target: l };
  const rule = view.rules.get(action.owner.logicalId);
  if (rule) return rule.listener;
  return { why: `${action.owner.logicalId} is not a listener or listener rule` };
}

/** Every (listener, forward) pair that reaches a target group, with the listener's load balancer. */
export function pathsTo(
  view: LoadBalancingView,
  tg: TargetGroup,
): { forward: Forward; listener: Edge<Listener>; loadBalancer: Edge<LoadBalancer> }[] {
  return tg.forwardedBy.map((forward) => {
    const listener = listenerOfAction(view, forward.action);
    const loadBalancer: Edge<LoadBalancer> = listener.target ? listener.target.loadBalancer : { why: listener.why };
    return { forward, listener, loadBalancer };
  });
}

// ---------------------------------------------------------------------------------------------- construction

function present(tctx: TemplateContext, type: string): Resource[] {
  return (tctx.model.byType.get(type) ?? []).filter((r) => tctx.exists(r) !== 'no');
}

function keyValues(tctx: TemplateContext, r: Resource, property: string): List<KeyValue> {
  const base = ['Properties', property];
  return mapList(itemCount(tctx, r, base), (i) => ({
    index: i,
    path: [...base, i],
    key: tctx.value(r, [...base, i, 'Key']),
    value: tctx.value(r, [...base, i, 'Value']),
  }));
}

function readActions(tctx: TemplateContext, owner: Resource, property: string): List<Action> {
  const base = ['Properties', property];
  return mapList(itemCount(tctx, owner, base), (i) => {
    const path = [...base, i];
    const forwards: Forward[] = [];
    const action: Action = {
      owner,
      index: i,
      path,
      type: tctx.value(owner, [...path, 'Type']),
      forwards: { items: forwards },
    };
    if (tctx.value(owner, [...path, 'TargetGroupArn']).kind !== 'missing') {
      forwards.push({ action, path: [...path, 'TargetGroupArn'], targetGroup: { why: 'pending' } });
    }
    const groups = itemCount(tctx, owner, [...path, 'ForwardConfig', 'TargetGroups']);
    if (groups.why !== undefined) {
      (action as { forwards: List<Forward> }).forwards = { why: groups.why };
      return action;
    }
    for (const j of groups.items) {
      forwards.push({
        action,
        path: [...path, 'ForwardConfig', 'TargetGroups', j, 'TargetGroupArn'],
        targetGroup: { why: 'pending' },
      });
    }
    return action;
  });
}

/** Build the load-balancing view of one template. */
export function buildLoadBalancingView(tctx: TemplateContext): LoadBalancingView {
  const loadBalancers = new Map<string, LoadBalancer>();
  const listeners = new Map<string, Listener>();
  const rules = new Map<string, ListenerRule>();
  const targetGroups = new Map<string, TargetGroup>();
  const unresolvedListeners: Listener[] = [];
  const unresolvedRules: ListenerRule[] = [];

  for (const r of present(tctx, LOAD_BALANCER)) {
    const p = (k: string): Value => tctx.value(r, ['Properties', k]);
    const subnetMappings = mapList(itemCount(tctx, r, ['Properties', 'SubnetMappings']), (i) => {
      const path = ['Properties', 'SubnetMappings', i];
      return {
        index: i,
        path,
        subnetId: tctx.value(r, [...path, 'SubnetId']),
        allocationId: tctx.value(r, [...path, 'AllocationId']),
        privateIPv4Address: tctx.value(r, [...path, 'PrivateIPv4Address']),
        ipv6Address: tctx.value(r, [...path, 'IPv6Address']),
      };
    });
    const subnetsCount = itemCount(tctx, r, ['Properties', 'Subnets']);
    let subnets: LoadBalancer['subnets'];
    if (subnetsCount.why !== undefined) subnets = { why: subnetsCount.why };
    else if (subnetsCount.items.length) {
      subnets = {
        items: subnetsCount.items.map((i) => ({
          path: ['Properties', 'Subnets', i],
          value: tctx.value(r, ['Properties', 'Subnets', i]),
        })),
      };
    } else if (subnetMappings.why !== undefined) subnets = { why: subnetMappings.why };
    else subnets = { items: subnetMappings.items.map((m) => ({ path: [...m.path, 'SubnetId'], value: m.subnetId })) };
    loadBalancers.set(r.logicalId, {
      resource: r,
      id: r.logicalId,
      typeValue: p('Type'),
      scheme: p('Scheme'),
      ipAddressType: p('IpAddressType'),
      securityGroups: p('SecurityGroups'),
      subnets,
      subnetMappings,
      attributes: keyValues(tctx, r, 'LoadBalancerAttributes'),
      listeners: [],
      webAclAssociations: [],
      endpointServices: [],
      acceleratorEndpoints: [],
      targetOf: [],
    });
  }

  for (const r of present(tctx, TARGET_GROUP)) {
    const p = (k: string): Value => tctx.value(r, ['Properties', k]);
    targetGroups.set(r.logicalId, {
      resource: r,
      id: r.logicalId,
      protocol: p('Protocol'),
      port: p('Port'),
      protocolVersion: p('ProtocolVersion'),
      targetType: p('TargetType'),
      ipAddressType: p('IpAddressType'),
      vpcId: p('VpcId'),
      healthCheck: {
        enabled: p('HealthCheckEnabled'),
        protocol: p('HealthCheckProtocol'),
        port: p('HealthCheckPort'),
        path: p('HealthCheckPath'),
        matcher: p('Matcher'),
      },
      attributes: keyValues(tctx, r, 'TargetGroupAttributes'),
      targets: mapList(itemCount(tctx, r, ['Properties', 'Targets']), (i) => ({
        index: i,
        path: ['Properties', 'Targets', i],
        id: tctx.value(r, ['Properties', 'Targets', i, 'Id']),
        port: tctx.value(r, ['Properties', 'Targets', i, 'Port']),
        availabilityZone: tctx.value(r, ['Properties', 'Targets', i, 'AvailabilityZone']),
      })),
      forwardedBy: [],
      registrars: [],
    });
  }

  for (const r of present(tctx, LISTENER)) {
    const l: Listener = {
      resource: r,
      id: r.logicalId,
      loadBalancer: edgeTo(
        tctx,
        tctx.value(r, ['Properties', 'LoadBalancerArn']),
        loadBalancers,
        'load balancer',
        'LoadBalancerArn',
      ),
      protocol: tctx.value(r, ['Properties', 'Protocol']),
      port: tctx.value(r, ['Properties', 'Port']),
      defaultActions: readActions(tctx, r, 'DefaultActions'),
      rules: [],
    };
    listeners.set(r.logicalId, l);
    if (l.loadBalancer.target) l.loadBalancer.target.listeners.push(l);
    else unresolvedListeners.push(l);
  }

  for (const r of present(tctx, LISTENER_RULE)) {
    const rule: ListenerRule = {
      resource: r,
      id: r.logicalId,
      listener: edgeTo(tctx, tctx.value(r, ['Properties', 'ListenerArn']), listeners, 'listener', 'ListenerArn'),
      actions: readActions(tctx, r, 'Actions'),
      conditions: tctx.value(r, ['Properties', 'Conditions']),
    };
    rules.set(r.logicalId, rule);
    if (rule.listener.target) rule.listener.target.rules.push(rule);
    else unresolvedRules.push(rule);
  }

  // Resolve forwards now that every target group is known.
  const resolveForwards = (actions: List<Action>): void => {
    for (const a of actions.items ?? []) {
      for (const f of a.forwards.items ?? []) {
        const edge = edgeTo(tctx, tctx.value(a.owner, f.path), targetGroups, 'target group', 'TargetGroupArn');
        (f as { targetGroup: Edge<TargetGroup> }).targetGroup = edge;
        edge.target?.forwardedBy.push(f);
      }
    }
  };
  for (const l of listeners.values()) resolveForwards(l.defaultActions);
  for (const rule of rules.values()) resolveForwards(rule.actions);

  // Targets that are load balancers (NLB -> ALB).
  for (const tg of targetGroups.values()) {
    for (const t of tg.targets.items ?? []) {
      const lb = loadBalancers.get(refOf(t.id) ?? '');
      if (lb) lb.targetOf.push({ targetGroup: tg, target: t });
    }
  }

  // Registrars: Auto Scaling groups and ECS services.
  for (const r of present(tctx, 'AWS::AutoScaling::AutoScalingGroup')) {
    const list = itemCount(tctx, r, ['Properties', 'TargetGroupARNs']);
    for (const i of list.items ?? []) {
      const path = ['Properties', 'TargetGroupARNs', i];
      targetGroups.get(refOf(tctx.value(r, path)) ?? '')?.registrars.push({ resource: r, path });
    }
  }
  for (const r of present(tctx, 'AWS::ECS::Service')) {
    const list = itemCount(tctx, r, ['Properties', 'LoadBalancers']);
    for (const i of list.items ?? []) {
      const path = ['Properties', 'LoadBalancers', i, 'TargetGroupArn'];
      targetGroups.get(refOf(tctx.value(r, path)) ?? '')?.registrars.push({ resource: r, path });
    }
  }

  // Attachments from outside the chain.
  for (const type of WEB_ACL_ASSOCIATION_TYPES) {
    for (const r of present(tctx, type)) {
      const path = ['Properties', 'ResourceArn'];
      loadBalancers.get(refOf(tctx.value(r, path)) ?? '')?.webAclAssociations.push({ resource: r, path });
    }
  }
  for (const r of present(tctx, VPC_ENDPOINT_SERVICE)) {
    for (const property of ['NetworkLoadBalancerArns', 'GatewayLoadBalancerArns'] as const) {
      const list = itemCount(tctx, r, ['Properties', property]);
      for (const i of list.items ?? []) {
        const path = ['Properties', property, i];
        loadBalancers.get(refOf(tctx.value(r, path)) ?? '')?.endpointServices.push({ resource: r, path, property });
      }
    }
  }
  const gaListeners = new Map(present(tctx, ACCELERATOR_LISTENER).map((r) => [r.logicalId, r]));
  for (const r of present(tctx, ACCELERATOR_ENDPOINT_GROUP)) {
    const listener = edgeTo(
      tctx,
      tctx.value(r, ['Properties', 'ListenerArn']),
      gaListeners,
      'Global Accelerator listener',
      'ListenerArn',
    );
    const list = itemCount(tctx, r, ['Properties', 'EndpointConfigurations']);
    for (const i of list.items ?? []) {
      const path = ['Properties', 'EndpointConfigurations', i, 'EndpointId'];
      loadBalancers.get(refOf(tctx.value(r, path)) ?? '')?.acceleratorEndpoints.push({ resource: r, path, listener });
    }
  }

  const attachmentsOf = new Map<string, { lb: LoadBalancer; attachment: Attachment }[]>();
  for (const lb of loadBalancers.values()) {
    for (const attachment of [...lb.webAclAssociations, ...lb.endpointServices, ...lb.acceleratorEndpoints]) {
      const list = attachmentsOf.get(attachment.resource.logicalId);
      if (list) list.push({ lb, attachment });
      else attachmentsOf.set(attachment.resource.logicalId, [{ lb, attachment }]);
    }
  }

  return { loadBalancers, listeners, rules, targetGroups, unresolvedListeners, unresolvedRules, attachmentsOf };
}

/** The memoised load-balancing view: `ctx.view(loadBalancingView)`. */
export const loadBalancingView = defineView<LoadBalancingView>('loadbalancing', buildLoadBalancingView);

// ---------------------------------------------------------------------------------------------- rule helpers

/**
 * The string values a property may take across Fn::If branches (undefined for an absent branch), or undefined
 * when any branch is unknown or not a string.
 */
export function stringAlternatives(v: Value): (string | undefined)[] | undefined {
  const alts = alternatives(v);
  if (!alts) return undefined;
  const out: (string | undefined)[] = [];
  for (const a of alts) {
    if (a === undefined) out.push(undefined);
    else if (typeof a === 'string') out.push(a);
    else if (typeof a === 'number' || typeof a === 'boolean') out.push(String(a));
    else return undefined;
  }
  return out;
}

/** The single known string of a value (same in every branch), or undefined. */
export function knownString(v: Value): string | undefined {
  const alts = stringAlternatives(v);
  if (!alts || !alts.length) return undefined;
  const first = alts[0];
  return first !== undefined && alts.every((a) => a === first) ? first : undefined;
}

/** The single known number of a value (CloudFormation string normalisation), or undefined. */
export function knownNumber(v: Value): number | undefined {
  const s = knownString(v);
  return s === undefined ? undefined : toNumber(s);
}

/** A related resource whose Condition is unknown (so a cross-resource finding is only Unknown), if any. */
export function maybeExisting(tctx: TemplateContext, resources: readonly Resource[]): Resource | undefined {
  return resources.find((r) => tctx.exists(r) === 'maybe');
}

/** Whether a list property is certainly non-empty (true), certainly empty or absent (false), or unknown. */
export function nonEmptyList(tctx: TemplateContext, r: Resource, path: readonly PathSegment[]): boolean | undefined {
  const count = itemCount(tctx, r, path);
  if (count.items) return count.items.length > 0;
  const alts = alternatives(tctx.value(r, path));
  if (!alts) return undefined;
  const results = alts.map((a) => Array.isArray(a) && a.length > 0);
  if (results.every(Boolean)) return true;
  if (!results.some(Boolean)) return false;
  return undefined;
}

/** Whether a property is set (to any value, known or not) in every branch (true), in none (false), or it depends. */
export function isSet(v: Value): boolean | undefined {
  const set = possibleValues(v).map((p) => p.kind !== 'missing');
  if (set.every(Boolean)) return true;
  if (!set.some(Boolean)) return false;
  return undefined;
}

/** The longest prefix of a path that exists in the raw resource node (findings must point at written text). */
export function existingPath(r: Resource, path: readonly PathSegment[]): PathSegment[] {
  const out: PathSegment[] = [];
  let cur: unknown = r.node;
  for (const seg of path) {
    if (Array.isArray(cur) && typeof seg === 'number' && seg < cur.length) cur = cur[seg];
    else if (isRecord(cur) && !Array.isArray(cur) && typeof seg === 'string' && Object.hasOwn(cur, seg)) cur = cur[seg];
    else break;
    out.push(seg);
  }
  return out;
}
