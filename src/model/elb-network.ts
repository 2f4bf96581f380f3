/**
 * The network facts the load-balancer rules need: security-group rules of an in-template group, the security
 * groups and subnets of load-balancer targets, and a conservative NACL decision for one protocol, peer CIDR and
 * port. Everything answers three-valued: a definite answer, or `undefined` when an input is unknown.
 *
 * This is deliberately small and certain-only; the full network view (NACL grading of catalog 2.1) lives with the
 * NACL rules.
 */
import type { TemplateContext } from '../engine/context';
import { isRecord } from '../parse/parse';
import type { PathSegment } from '../types';
import type { Resource } from './template';
import { itemCount, knownString, refOf } from './loadbalancing';
import { parseIpv4, toNumber, type Value } from './values';

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

// --------------------------------------------------------------------------------------------- CIDR arithmetic

export interface Cidr4 {
  readonly base: number;
  readonly bits: number;
}

export function parseCidr4(s: string | undefined): Cidr4 | undefined {
  if (!s) return undefined;
  const [addr, len] = s.trim().split('/');
  const base = addr === undefined ? undefined : parseIpv4(addr);
  const bits = Number(len);
  if (base === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return undefined;
  return { base: mask(base, bits), bits };
}

function mask(ip: number, bits: number): number {
  if (bits === 0) return 0;
  return (ip & (~(0xffffffff >>> bits) >>> 0)) >>> 0;
}

/** outer contains inner entirely. */
export function cidrContains(outer: Cidr4, inner: Cidr4): boolean {
  return outer.bits <= inner.bits && mask(inner.base, outer.bits) === outer.base;
}

export function cidrOverlaps(a: Cidr4, b: Cidr4): boolean {
  return cidrContains(a, b) || cidrContains(b, a);
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

// --------------------------------------------------------------------------------------------- NACLs

export interface NaclEntry {
  readonly resource: Resource;
  readonly ruleNumber: number;
  readonly egress: boolean;
  readonly allow: boolean;
  /** 'all' for -1, else the IP protocol number. */
  readonly protocol: 'all' | number;
  readonly from: number;
  readonly to: number;
  readonly cidr: Cidr4 | 'ipv6';
}

/**
 * The NACL a subnet uses: a custom NACL's logical id, 'default' for the VPC default NACL, or undefined when it is
 * unknown (two associations, an association to something outside the template, a condition).
 */
export function naclOfSubnet(tctx: TemplateContext, subnetId: string): string | 'default' | undefined {
  const found: string[] = [];
  for (const e of tctx.graph.referrers(subnetId)) {
    const from = tctx.model.resources.get(e.from);
    if (!from || from.type !== 'AWS::EC2::SubnetNetworkAclAssociation' || e.path[1] !== 'SubnetId') continue;
    const exists = tctx.exists(from);
    if (exists === 'no') continue;
    if (exists === 'maybe') return undefined;
    const v = tctx.value(from, ['Properties', 'NetworkAclId']);
    const acl = refOf(v);
    const aclRes = acl ? tctx.model.resources.get(acl) : undefined;
    if (!aclRes || aclRes.type !== 'AWS::EC2::NetworkAcl') return undefined;
    found.push(acl!);
  }
  if (found.length > 1) return undefined;
  return found[0] ?? 'default';
}

/** The entries of an in-template custom NACL, or undefined when any is unknown. */
export function naclEntries(tctx: TemplateContext, aclId: string): NaclEntry[] | undefined {
  const out: NaclEntry[] = [];
  for (const e of tctx.graph.referrers(aclId)) {
    const r = tctx.model.resources.get(e.from);
    if (!r || r.type !== 'AWS::EC2::NetworkAclEntry' || e.path[1] !== 'NetworkAclId') continue;
    const exists = tctx.exists(r);
    if (exists === 'no') continue;
    if (exists === 'maybe') return undefined;
    const v = (k: string): string | undefined => knownString(tctx.value(r, ['Properties', k]));
    const ruleNumber = toNumber(v('RuleNumber'));
    const egressRaw = tctx.value(r, ['Properties', 'Egress']);
    const egress = egressRaw.kind === 'missing' ? false : (v('Egress') ?? '').toLowerCase() === 'true';
    if (egressRaw.kind !== 'missing' && !['true', 'false'].includes((v('Egress') ?? '').toLowerCase()))
      return undefined;
    const action = v('RuleAction')?.toLowerCase();
    const protoText = v('Protocol');
    const proto = toNumber(protoText);
    if (ruleNumber === undefined || (action !== 'allow' && action !== 'deny') || proto === undefined) return undefined;
    let from = 0;
    let to = 65535;
    if (proto === 6 || proto === 17) {
      const pr = tctx.value(r, ['Properties', 'PortRange']);
      if (pr.kind !== 'known' || !isRecord(pr.value)) return undefined;
      const f = toNumber(pr.value.From);
      const t = toNumber(pr.value.To);
      if (f === undefined || t === undefined) return undefined;
      from = f;
      to = t;
    }
    let cidr: Cidr4 | 'ipv6';
    if (tctx.value(r, ['Properties', 'Ipv6CidrBlock']).kind !== 'missing') cidr = 'ipv6';
    else {
      const c = parseCidr4(v('CidrBlock'));
      if (!c) return undefined;
      cidr = c;
    }
    out.push({
      resource: r,
      ruleNumber,
      egress,
      allow: action === 'allow',
      protocol: proto === -1 ? 'all' : proto,
      from,
      to,
      cidr,
    });
  }
  return out.sort((a, b) => a.ruleNumber - b.ruleNumber);
}

/**
 * The ports in [lo, hi] that a NACL allows for protocol `proto` in one direction for every address of `peer`,
 * as a sorted list of closed ranges; undefined when an entry only partly overlaps the peer (the answer would
 * differ per address) - callers then report Unknown.
 */
export function naclAllowedPorts(
  entries: readonly NaclEntry[],
  egress: boolean,
  proto: number,
  peer: Cidr4,
  lo: number,
  hi: number,
): [number, number][] | undefined {
  let remaining: [number, number][] = [[lo, hi]];
  const allowed: [number, number][] = [];
  for (const e of entries) {
    if (e.egress !== egress || e.cidr === 'ipv6') continue;
    if (e.protocol !== 'all' && e.protocol !== proto) continue;
    if (!cidrOverlaps(e.cidr, peer)) continue;
    if (!cidrContains(e.cidr, peer)) return undefined;
    const [from, to] = e.protocol === 'all' ? [0, 65535] : [e.from, e.to];
    const next: [number, number][] = [];
    for (const [a, b] of remaining) {
      const x = Math.max(a, from);
      const y = Math.min(b, to);
      if (x > y) {
        next.push([a, b]);
        continue;
      }
      if (e.allow) allowed.push([x, y]);
      if (a < x) next.push([a, x - 1]);
      if (y < b) next.push([y + 1, b]);
    }
    remaining = next;
    if (!remaining.length) break;
  }
  return allowed.sort((p, q) => p[0] - q[0]);
}
