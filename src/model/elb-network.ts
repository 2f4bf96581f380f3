/**
 * The security-group facts the load-balancer rules need: security-group rules of an in-template group, and the
 * security groups and subnets of load-balancer targets. Everything answers three-valued: a definite answer, or
 * `undefined` when an input is unknown.
 *
 * Subnets, their NACLs and NACL decisions are not here: they come from the network view (`network.ts`) and
 * `decide()` (`nacl.ts`).
 */
import type { TemplateContext } from '../engine/context';
import type { PathSegment } from '../types';
import type { Resource } from './template';
import { itemCount, knownString, refOf } from './loadbalancing';
import { toNumber, type Value } from './values';

export type Proto = 'tcp' | 'udp';

/** One security-group rule (inline entry or standalone Ingress/Egress resource). */
export interface SgRule {
  readonly resource: Resource;
  /** Path of the rule below its resource's node. */
  readonly path: readonly PathSegment[];
  readonly protocol: Value;
  readonly fromPort: Value;
  readonly toPort: Value;
  readonly cidrIp: Value;
  readonly cidrIpv6: Value;
  /** SourceSecurityGroupId / DestinationSecurityGroupId. */
  readonly peerGroup: Value;
  /** SourcePrefixListId / DestinationPrefixListId. */
  readonly prefixList: Value;
}

export type Direction = 'ingress' | 'egress';

function readRule(tctx: TemplateContext, r: Resource, path: readonly PathSegment[], dir: Direction): SgRule {
  const v = (k: string): Value => tctx.value(r, [...path, k]);
  return {
    resource: r,
    path,
    protocol: v('IpProtocol'),
    fromPort: v('FromPort'),
    toPort: v('ToPort'),
    cidrIp: v('CidrIp'),
    cidrIpv6: v('CidrIpv6'),
    peerGroup: v(dir === 'ingress' ? 'SourceSecurityGroupId' : 'DestinationSecurityGroupId'),
    prefixList: v(dir === 'ingress' ? 'SourcePrefixListId' : 'DestinationPrefixListId'),
  };
}

/**
 * The rules of an in-template security group in one direction: its inline list plus standalone
 * `AWS::EC2::SecurityGroupIngress/Egress` resources attached to it. `allowAll` is true for the default egress
 * (no inline SecurityGroupEgress). Undefined when the group is not in the template or a list is unknown.
 */
export function securityGroupRules(
  tctx: TemplateContext,
  sgId: string,
  dir: Direction,
): { rules: SgRule[]; allowAll: boolean } | undefined {
  const sg = tctx.model.resources.get(sgId);
  if (!sg || sg.type !== 'AWS::EC2::SecurityGroup' || tctx.exists(sg) !== 'yes') return undefined;
  const prop = dir === 'ingress' ? 'SecurityGroupIngress' : 'SecurityGroupEgress';
  const inline = itemCount(tctx, sg, ['Properties', prop]);
  if (!inline.items) return undefined;
  const rules = inline.items.map((i) => readRule(tctx, sg, ['Properties', prop, i], dir));
  // CloudFormation keeps the default allow-all egress rule unless at least one egress rule is given inline
  // (an empty list counts as none: that is why the CDK writes a "disallow all" dummy rule).
  const allowAll = dir === 'egress' && inline.items.length === 0;
  const standaloneType = dir === 'ingress' ? 'AWS::EC2::SecurityGroupIngress' : 'AWS::EC2::SecurityGroupEgress';
  for (const e of tctx.graph.referrers(sgId)) {
    const from = tctx.model.resources.get(e.from);
    if (!from || from.type !== standaloneType || e.path[1] !== 'GroupId') continue;
    const exists = tctx.exists(from);
    if (exists === 'no') continue;
    if (exists === 'maybe' || refOf(tctx.value(from, ['Properties', 'GroupId'])) !== sgId) return undefined;
    rules.push(readRule(tctx, from, ['Properties'], dir));
  }
  return { rules, allowAll };
}

/** Whether a rule's protocol and port range certainly cover (proto, port): true, false, or undefined. */
export function coversPort(rule: SgRule, proto: Proto, port: number): boolean | undefined {
  const p = knownString(rule.protocol)?.trim().toLowerCase();
  if (p === undefined) return undefined;
  if (p === '-1' || p === 'all') return true;
  const number = proto === 'tcp' ? '6' : '17';
  if (p !== proto && p !== number) return false;
  const from = toNumber(knownString(rule.fromPort));
  const to = toNumber(knownString(rule.toPort));
  if (from === undefined || to === undefined) return undefined;
  if (from === -1 || to === -1) return true;
  return from <= port && port <= to;
}

/** Whether a rule's source/destination is the whole internet (0.0.0.0/0 or ::/0). */
export function openToInternet(rule: SgRule): { open: boolean; field?: 'CidrIp' | 'CidrIpv6' } | undefined {
  const v4 = rule.cidrIp.kind === 'missing' ? null : knownString(rule.cidrIp);
  const v6 = rule.cidrIpv6.kind === 'missing' ? null : knownString(rule.cidrIpv6);
  if (v4 === undefined || v6 === undefined) return undefined;
  if (v4 !== null && v4.trim() === '0.0.0.0/0') return { open: true, field: 'CidrIp' };
  if (v6 !== null && /^::(0)?\/0$/.test(v6.trim())) return { open: true, field: 'CidrIpv6' };
  return { open: false };
}

// --------------------------------------------------------------------------------------------- targets

/** Security group logical ids (or undefined when one is not resolvable) written at the given list paths. */
function groupsAt(
  tctx: TemplateContext,
  r: Resource,
  paths: readonly (readonly PathSegment[])[],
): string[] | undefined {
  const out: string[] = [];
  for (const path of paths) {
    const count = itemCount(tctx, r, path);
    if (!count.items) return undefined;
    for (const i of count.items) {
      const id = refOf(tctx.value(r, [...path, i]));
      if (id === undefined) return undefined;
      out.push(id);
    }
  }
  return out;
}

/** The network interface entries of an instance or launch template data (their count). */
function interfacePaths(
  tctx: TemplateContext,
  r: Resource,
  base: readonly PathSegment[],
  groupsKey: string,
): PathSegment[][] | undefined {
  const count = itemCount(tctx, r, [...base, 'NetworkInterfaces']);
  if (!count.items) return undefined;
  return count.items.map((i) => [...base, 'NetworkInterfaces', i, groupsKey]);
}

/**
 * The in-template security groups and subnets of a compute resource that can be a load-balancer target
 * (EC2 instance, Auto Scaling group through its launch template or configuration, ECS service). Undefined fields
 * are unknown; no security group at all means the VPC default group, whose rules are not in the template, so it
 * is unknown too.
 */
export function computeNetwork(
  tctx: TemplateContext,
  r: Resource,
): { groups?: string[]; subnets?: Value[]; resources: Resource[] } {
  const net = computeNetworkRaw(tctx, r);
  return net.groups && !net.groups.length ? { ...net, groups: undefined } : net;
}

/**
 * The in-template security groups and subnets of a compute resource that can be a load-balancer target
 * (EC2 instance, Auto Scaling group through its launch template or configuration, ECS service). Undefined fields
 * are unknown.
 */
function computeNetworkRaw(
  tctx: TemplateContext,
  r: Resource,
): { groups?: string[]; subnets?: Value[]; resources: Resource[] } {
  if (r.type === 'AWS::EC2::Instance') {
    const nics = interfacePaths(tctx, r, ['Properties'], 'GroupSet');
    // An attached existing interface (NetworkInterfaceId) brings security groups defined elsewhere.
    const attached = nics?.some((p) => tctx.value(r, [...p.slice(0, -1), 'NetworkInterfaceId']).kind !== 'missing');
    const groups =
      nics && !attached
        ? groupsAt(tctx, r, [['Properties', 'SecurityGroupIds'], ['Properties', 'SecurityGroups'], ...nics])
        : undefined;
    const subnets: Value[] = [];
    const direct = tctx.value(r, ['Properties', 'SubnetId']);
    if (direct.kind !== 'missing') subnets.push(direct);
    for (const i of itemCount(tctx, r, ['Properties', 'NetworkInterfaces']).items ?? []) {
      const s = tctx.value(r, ['Properties', 'NetworkInterfaces', i, 'SubnetId']);
      if (s.kind !== 'missing') subnets.push(s);
    }
    return { groups, subnets: subnets.length ? subnets : undefined, resources: [r] };
  }
  if (r.type === 'AWS::AutoScaling::AutoScalingGroup') {
    const subnetCount = itemCount(tctx, r, ['Properties', 'VPCZoneIdentifier']);
    const subnets = subnetCount.items?.map((i) => tctx.value(r, ['Properties', 'VPCZoneIdentifier', i]));
    let groups: string[] | undefined;
    const resources: Resource[] = [r];
    const ltId = refOf(tctx.value(r, ['Properties', 'LaunchTemplate', 'LaunchTemplateId']));
    const lcId = refOf(tctx.value(r, ['Properties', 'LaunchConfigurationName']));
    const lt = ltId ? tctx.model.resources.get(ltId) : undefined;
    const lc = lcId ? tctx.model.resources.get(lcId) : undefined;
    const hasMixed = r.properties.MixedInstancesPolicy !== undefined;
    if (lt?.type === 'AWS::EC2::LaunchTemplate' && !hasMixed) {
      const base = ['Properties', 'LaunchTemplateData'];
      const nics = interfacePaths(tctx, lt, base, 'Groups');
      groups = nics && groupsAt(tctx, lt, [[...base, 'SecurityGroupIds'], [...base, 'SecurityGroups'], ...nics]);
      resources.push(lt);
    } else if (lc?.type === 'AWS::AutoScaling::LaunchConfiguration' && !hasMixed) {
      groups = groupsAt(tctx, lc, [['Properties', 'SecurityGroups']]);
      resources.push(lc);
    }
    return { groups, subnets, resources };
  }
  if (r.type === 'AWS::ECS::Service') {
    const base = ['Properties', 'NetworkConfiguration', 'AwsvpcConfiguration'];
    if (tctx.value(r, base).kind === 'missing') return { resources: [r] };
    const groups = groupsAt(tctx, r, [[...base, 'SecurityGroups']]);
    const count = itemCount(tctx, r, [...base, 'Subnets']);
    return { groups, subnets: count.items?.map((i) => tctx.value(r, [...base, 'Subnets', i])), resources: [r] };
  }
  return { resources: [r] };
}
