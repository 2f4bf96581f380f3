/**
 * The network domain view of one template (DESIGN.md "graph"): VPCs, subnets with AZ and CIDR, route
 * tables and their routes, public/private classification, network ACLs with their entries and
 * associations (including each VPC's default NACL), NAT gateways, and the subnets that load balancers
 * and VPC Lambda functions sit in. Built once per template through `ctx.view(networkView)`.
 *
 * Everything is three-valued: an input that cannot be resolved is recorded with the reason (`why`), so that
 * rules can report an unknown outcome naming the missing input instead of guessing.
 */
import { defineView, type TemplateContext } from '../engine/context';
import { isRecord } from '../parse/parse';
import type { Resource } from './template';
import {
  alternatives,
  cidrSubnets,
  intrinsicName,
  ResourceRef,
  SymbolicAz,
  toBool,
  toNumber,
  type Value,
} from './values';
import { AddressSet, PortSet, type Family } from './cidr';
import { icmpSet, hasPorts, type AclRule, type Action, type Direction } from './nacl';
import type { PathSegment } from '../types';

export type Tri = 'yes' | 'no' | 'maybe';

/** What a reference property (SubnetId, NetworkAclId, VpcId, ...) points at. */
export type RefTarget =
  | { readonly kind: 'resource'; readonly logicalId: string }
  /** `Fn::GetAtt <VPC>.DefaultNetworkAcl` */
  | { readonly kind: 'default-nacl'; readonly vpc: string }
  /** A literal id, a parameter, an import: something outside the template. */
  | { readonly kind: 'external'; readonly why: string; readonly literal?: string }
  /** Cannot be resolved (unknown condition with differing branches, malformed). `options` are the branch targets. */
  | { readonly kind: 'unknown'; readonly why: string; readonly options?: readonly RefTarget[] };

/** A property value of a normalised resource. */
export type Field<T> =
  | { readonly state: 'known'; readonly value: T }
  | { readonly state: 'missing' }
  /** Set, but not a valid value (`raw` is the evaluated value). */
  | { readonly state: 'invalid'; readonly raw: unknown }
  /** Depends on an unknown input; `options` are the values of the branches when they are all known. */
  | { readonly state: 'unknown'; readonly why: string; readonly options?: readonly T[] };

export interface VpcInfo {
  readonly resource: Resource;
  readonly exists: Tri;
  /** Every IPv4 block of the VPC (primary and VPCCidrBlock), or undefined when one is unknown. */
  readonly cidr4?: AddressSet;
  readonly cidr4Why?: string;
  /** The primary block as written (for Fn::GetAtt VPC.CidrBlock). */
  readonly primaryCidr?: string;
  /** Whether the VPC has an IPv6 block. */
  readonly ipv6: Tri;
  /** Known IPv6 blocks (Amazon-provided blocks are not known before deployment). */
  readonly cidr6?: AddressSet;
  /** Key of the VPC's default NACL in `NetworkView.nacls`. */
  readonly defaultNacl: string;
}

export type SubnetRouteTable =
  | { readonly kind: 'table'; readonly logicalId: string }
  /** No association in the template: the VPC main route table, which the template cannot describe. */
  | { readonly kind: 'main' }
  | { readonly kind: 'unknown'; readonly why: string };

export type SubnetNacl =
  { readonly kind: 'nacl'; readonly key: string } | { readonly kind: 'unknown'; readonly why: string };

export interface SubnetInfo {
  readonly resource: Resource;
  readonly exists: Tri;
  readonly vpc: RefTarget;
  /** Literal AZ name, a symbolic `az[i]`, or undefined when unknown/absent. */
  readonly az?: string | SymbolicAz;
  readonly azWhy?: string;
  readonly cidr4?: AddressSet;
  /** Why cidr4 is undefined (unknown input, or 'no IPv4 block'). */
  readonly cidr4Why?: string;
  /** Whether the subnet has IPv6 addresses. */
  readonly ipv6: Tri;
  readonly cidr6?: AddressSet;
  readonly routeTable: SubnetRouteTable;
  /** public: default route to an internet gateway; private: default route to a NAT gateway or other target; isolated: no default route. */
  readonly tier: 'public' | 'private' | 'isolated' | 'unknown';
  /** NAT gateways (logical ids) the subnet's IPv4 default route points at. */
  readonly natGateways: readonly string[];
  readonly nacl: SubnetNacl;
  /** Association resources that (may) associate a NACL with this subnet. */
  readonly naclAssociations: readonly Resource[];
  readonly tags: Readonly<Record<string, string>>;
}

export type RouteTargetKind =
  | 'igw'
  | 'egress-only-igw'
  | 'nat'
  | 'instance'
  | 'eni'
  | 'peering'
  | 'transit-gateway'
  | 'vpn-gateway'
  | 'vpc-endpoint'
  | 'local'
  | 'other'
  | 'unknown';

export interface RouteInfo {
  readonly resource: Resource;
  readonly exists: Tri;
  readonly routeTable?: string;
  /** Destination as written: an IPv4 or IPv6 CIDR, a prefix list, or undefined when unknown. */
  readonly destination?: string;
  readonly target: { readonly kind: RouteTargetKind; readonly logicalId?: string };
}

export interface RouteTableInfo {
  readonly resource: Resource;
  readonly exists: Tri;
  readonly vpc: RefTarget;
  readonly routes: readonly RouteInfo[];
  /** Subnets (logical ids) explicitly associated with this table. */
  readonly subnets: readonly string[];
}

/** One `AWS::EC2::NetworkAclEntry`, normalised as in catalog 2.1.1. */
export interface NaclEntry {
  readonly resource: Resource;
  readonly exists: Tri;
  readonly naclRef: RefTarget;
  /** Keys of the NACLs this entry belongs to (`certain` false when it depends on a condition). */
  readonly nacls: readonly { readonly key: string; readonly certain: boolean }[];
  /** true: outbound. Absent means inbound. */
  readonly egress: Field<boolean>;
  readonly ruleNumber: Field<number>;
  readonly action: Field<Action>;
  /** Integer IP protocol, -1 for all. */
  readonly protocol: Field<number>;
  readonly portFrom: Field<number>;
  readonly portTo: Field<number>;
  readonly icmpType: Field<number>;
  readonly icmpCode: Field<number>;
  /** IPv4 CidrBlock; IPv6 Ipv6CidrBlock. */
  readonly cidr4: Field<AddressSet>;
  readonly cidr6: Field<AddressSet>;
  /** The entry as decide() sees it, when every field it needs is known and valid. */
  readonly rule?: AclRule<NaclEntry>;
  /** Why `rule` is undefined (the unknown or invalid inputs). */
  readonly problems: readonly string[];
  /** A value is certainly invalid: CloudFormation rejects the entry, so it never filters anything. */
  readonly invalid: boolean;
}

export interface NaclInfo {
  readonly key: string;
  /** The `AWS::EC2::NetworkAcl`, or the VPC for a default NACL. */
  readonly resource: Resource;
  readonly isDefault: boolean;
  readonly exists: Tri;
  readonly vpc: RefTarget;
  /** Entries that belong (or may belong) to this NACL. */
  readonly entries: readonly NaclEntry[];
  /** `AWS::EC2::SubnetNetworkAclAssociation` resources naming this NACL. */
  readonly associations: readonly Resource[];
  /** In-template subnets whose NACL is certainly this one. */
  readonly subnets: readonly string[];
  /** Referenced from an Output, so it may be associated with subnets outside this template. */
  readonly exported: boolean;
  /** Human-readable name for messages. */
  readonly label: string;
}

export interface NatGatewayInfo {
  readonly resource: Resource;
  readonly exists: Tri;
  readonly subnet: RefTarget;
  /** 'public' when ConnectivityType is absent or public. undefined when unknown. */
  readonly connectivity?: 'public' | 'private';
}

export type LoadBalancerKind = 'application' | 'network' | 'gateway' | 'classic';

export interface LoadBalancerInfo {
  readonly resource: Resource;
  readonly exists: Tri;
  readonly kind?: LoadBalancerKind;
  readonly scheme?: 'internet-facing' | 'internal';
  /** Whether the load balancer has IPv6 addresses (dualstack). */
  readonly dualstack: Tri;
  /** In-template subnets the load balancer sits in. */
  readonly subnets: readonly string[];
  /** Why the subnet list is incomplete (a parameter, an import, an unknown condition); undefined when complete. */
  readonly subnetsWhy?: string;
  /** The property holding the subnets (for locations). */
  readonly subnetsPath: readonly PathSegment[];
}

export interface VpcLambdaInfo {
  readonly resource: Resource;
  readonly exists: Tri;
  readonly subnets: readonly string[];
  readonly subnetsWhy?: string;
  readonly subnetsPath: readonly PathSegment[];
}

export interface NetworkView {
  readonly vpcs: ReadonlyMap<string, VpcInfo>;
  readonly subnets: ReadonlyMap<string, SubnetInfo>;
  readonly routeTables: ReadonlyMap<string, RouteTableInfo>;
  readonly nacls: ReadonlyMap<string, NaclInfo>;
  /** Every NetworkAclEntry by logical id (also those whose NACL is outside the template). */
  readonly naclEntries: ReadonlyMap<string, NaclEntry>;
  readonly natGateways: ReadonlyMap<string, NatGatewayInfo>;
  readonly loadBalancers: ReadonlyMap<string, LoadBalancerInfo>;
  readonly lambdas: ReadonlyMap<string, VpcLambdaInfo>;
  /** Resolve a reference property value (raw node) to a target. */
  resolve(raw: unknown): RefTarget;
}

// ------------------------------------------------------------------ helpers

const ID_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/^subnet-[0-9a-f]+$/, 'subnet'],
  [/^acl-[0-9a-f]+$/, 'network ACL'],
  [/^vpc-[0-9a-f]+$/, 'VPC'],
];

function describeValue(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : (JSON.stringify(v) ?? String(v));
}

/** Resolve one evaluated value to a reference target. */
function targetOfValue(tctx: TemplateContext, v: unknown, raw: unknown): RefTarget {
  if (v instanceof ResourceRef) {
    const r = tctx.model.resources.get(v.logicalId);
    if (!r) return { kind: 'external', why: `${v.logicalId} is not in the template` };
    if (v.attribute === 'DefaultNetworkAcl' && r.type === 'AWS::EC2::VPC')
      return { kind: 'default-nacl', vpc: r.logicalId };
    return { kind: 'resource', logicalId: r.logicalId };
  }
  if (typeof v === 'string') {
    const kind = ID_PATTERNS.find(([re]) => re.test(v))?.[1];
    // A Ref to a parameter evaluates to its value: name the parameter, not the value.
    const p = isRecord(raw) && typeof raw.Ref === 'string' && tctx.model.parameters.has(raw.Ref) ? raw.Ref : undefined;
    return {
      kind: 'external',
      literal: v,
      why: p
        ? `parameter ${p} names a ${kind ?? 'resource'} outside the template`
        : `${kind ?? 'resource'} ${describeValue(v)} is outside the template`,
    };
  }
  return { kind: 'unknown', why: `cannot resolve ${describeValue(v)}` };
}

function resolveRef(tctx: TemplateContext, raw: unknown): RefTarget {
  if (raw === undefined) return { kind: 'unknown', why: 'the property is not set' };
  const v = tctx.evaluator.value(raw);
  if (v.kind === 'known') return targetOfValue(tctx, v.value, raw);
  if (v.kind === 'missing') return { kind: 'unknown', why: 'the property is not set' };
  const alts = alternatives(v);
  if (alts) {
    const options = alts.map((a) =>
      a === undefined
        ? ({ kind: 'unknown', why: 'not set in one branch' } as const)
        : targetOfValue(tctx, a, undefined),
    );
    return { kind: 'unknown', why: v.why, options };
  }
  // Parameters without a value that name an id are outside the template.
  if (isRecord(raw) && typeof raw.Ref === 'string' && tctx.model.parameters.has(raw.Ref)) {
    return { kind: 'external', why: `${v.why} (a resource outside the template)` };
  }
  if (intrinsicName(raw) === 'Fn::ImportValue') return { kind: 'external', why: v.why };
  return { kind: 'unknown', why: v.why };
}

/** The logical ids a target may be, with whether it is certain. */
function possibleIds(t: RefTarget): Array<{ id: string; certain: boolean; isDefault: boolean }> {
  if (t.kind === 'resource') return [{ id: t.logicalId, certain: true, isDefault: false }];
  if (t.kind === 'default-nacl') return [{ id: t.vpc, certain: true, isDefault: true }];
  if (t.kind === 'unknown' && t.options) {
    return t.options.flatMap((o) => possibleIds(o).map((x) => ({ ...x, certain: false })));
  }
  return [];
}

export function sameTarget(a: RefTarget, b: RefTarget): boolean | undefined {
  if (a.kind === 'resource' && b.kind === 'resource') return a.logicalId === b.logicalId;
  if (a.kind === 'default-nacl' && b.kind === 'default-nacl') return a.vpc === b.vpc;
  if (a.kind === 'external' && b.kind === 'external' && a.literal !== undefined && b.literal !== undefined)
    return a.literal === b.literal;
  if ((a.kind === 'resource' && b.kind === 'external') || (a.kind === 'external' && b.kind === 'resource'))
    return false;
  return undefined;
}

function field<T>(
  tctx: TemplateContext,
  r: Resource,
  path: readonly PathSegment[],
  parse: (v: unknown) => T | undefined,
): Field<T> {
  const v = tctx.evaluator.at(r, path);
  return fieldOfValue(v, parse);
}

function fieldOfValue<T>(v: Value, parse: (v: unknown) => T | undefined): Field<T> {
  if (v.kind === 'missing') return { state: 'missing' };
  if (v.kind === 'known') {
    const p = parse(v.value);
    return p === undefined ? { state: 'invalid', raw: v.value } : { state: 'known', value: p };
  }
  const alts = alternatives(v);
  if (alts && alts.every((a) => a !== undefined)) {
    const parsed = alts.map(parse);
    if (parsed.every((p): p is T => p !== undefined)) return { state: 'unknown', why: v.why, options: parsed };
  }
  return { state: 'unknown', why: v.why };
}

/** The value when known, else undefined. */
function knownValue(v: Value): unknown {
  return v.kind === 'known' ? v.value : undefined;
}

const int = (v: unknown): number | undefined => {
  const n = toNumber(v);
  return n !== undefined && Number.isInteger(n) ? n : undefined;
};

function tagsOf(tctx: TemplateContext, r: Resource): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = r.properties.Tags;
  if (!Array.isArray(raw)) return out;
  for (const t of raw) {
    if (!isRecord(t)) continue;
    const k = tctx.evaluator.value(t.Key);
    const v = tctx.evaluator.value(t.Value);
    if (
      k.kind === 'known' &&
      typeof k.value === 'string' &&
      v.kind === 'known' &&
      (typeof v.value === 'string' || typeof v.value === 'number')
    )
      out[k.value] = String(v.value);
  }
  return out;
}

/** The list value of a property: each item's raw node, or why it cannot be listed. */
function listItems(
  tctx: TemplateContext,
  r: Resource,
  path: readonly PathSegment[],
): { items: unknown[] } | { why: string } | undefined {
  let raw: unknown = r.node;
  for (const seg of path) {
    if (!isRecord(raw) && !Array.isArray(raw)) return undefined;
    raw = (raw as Record<string | number, unknown>)[seg as never];
  }
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) return { items: raw };
  const v = tctx.evaluator.value(raw);
  if (v.kind === 'known' && Array.isArray(v.value))
    return { items: v.value.map((x) => (x instanceof ResourceRef ? { Ref: x.logicalId } : x)) };
  if (v.kind === 'missing') return undefined;
  return { why: v.kind === 'unknown' ? v.why : 'not a list' };
}

// ------------------------------------------------------------------ the view

export const networkView = defineView<NetworkView>('network', (tctx) => buildNetworkView(tctx));

export function buildNetworkView(tctx: TemplateContext): NetworkView {
  const { model } = tctx;
  const of = (type: string): readonly Resource[] =>
    (model.byType.get(type) ?? []).filter((r) => tctx.exists(r) !== 'no');
  const resolve = (raw: unknown): RefTarget => resolveRef(tctx, raw);
  const isType = (id: string, type: string): boolean => model.resources.get(id)?.type === type;

  // ---- VPCs
  const secondary = new Map<string, Resource[]>();
  for (const b of of('AWS::EC2::VPCCidrBlock')) {
    const t = resolve(b.properties.VpcId);
    if (t.kind !== 'resource') continue;
    const list = secondary.get(t.logicalId) ?? [];
    list.push(b);
    secondary.set(t.logicalId, list);
  }
  const vpcs = new Map<string, VpcInfo>();
  for (const r of of('AWS::EC2::VPC')) {
    const cidr = tctx.evaluator.at(r, ['Properties', 'CidrBlock']);
    let cidr4: AddressSet | undefined;
    let cidr4Why: string | undefined;
    let primaryCidr: string | undefined;
    if (cidr.kind === 'known' && typeof cidr.value === 'string') {
      primaryCidr = cidr.value;
      cidr4 = AddressSet.parse(cidr.value);
      if (!cidr4 || cidr4.family !== 4) {
        cidr4 = undefined;
        cidr4Why = `VPC ${r.logicalId} has an invalid CidrBlock`;
      }
    } else {
      cidr4Why = cidr.kind === 'unknown' ? cidr.why : `VPC ${r.logicalId} takes its CIDR from IPAM`;
    }
    let ipv6: Tri = 'no';
    let cidr6: AddressSet | undefined;
    for (const b of secondary.get(r.logicalId) ?? []) {
      const ex = tctx.exists(b);
      const p = b.properties;
      const isV6 =
        p.Ipv6CidrBlock !== undefined ||
        p.Ipv6Pool !== undefined ||
        p.Ipv6IpamPoolId !== undefined ||
        p.AmazonProvidedIpv6CidrBlock !== undefined;
      if (isV6) {
        const amazon =
          p.AmazonProvidedIpv6CidrBlock === undefined
            ? true
            : toBool(knownValue(tctx.evaluator.value(p.AmazonProvidedIpv6CidrBlock)));
        const has: Tri =
          amazon === false && p.Ipv6CidrBlock === undefined && p.Ipv6IpamPoolId === undefined
            ? 'no'
            : amazon === undefined
              ? 'maybe'
              : ex;
        if (has === 'yes') ipv6 = 'yes';
        else if (has === 'maybe' && ipv6 === 'no') ipv6 = 'maybe';
        const c6 = tctx.evaluator.at(b, ['Properties', 'Ipv6CidrBlock']);
        if (ex === 'yes' && c6.kind === 'known' && typeof c6.value === 'string') {
          const s = AddressSet.parse(c6.value);
          if (s?.family === 6) cidr6 = cidr6 ? cidr6.union(s) : s;
        }
        continue;
      }
      if (!cidr4) continue;
      const c = tctx.evaluator.at(b, ['Properties', 'CidrBlock']);
      if (ex !== 'yes' || c.kind !== 'known' || typeof c.value !== 'string') {
        cidr4 = undefined;
        cidr4Why =
          ex !== 'yes'
            ? `secondary block ${b.logicalId} exists only when condition ${b.condition} holds`
            : c.kind === 'unknown'
              ? c.why
              : `secondary block ${b.logicalId} takes its CIDR from IPAM`;
        continue;
      }
      const s = AddressSet.parse(c.value);
      if (s?.family === 4) cidr4 = cidr4.union(s);
    }
    vpcs.set(r.logicalId, {
      resource: r,
      exists: tctx.exists(r),
      cidr4,
      cidr4Why,
      primaryCidr,
      ipv6,
      cidr6,
      defaultNacl: `${r.logicalId}.DefaultNetworkAcl`,
    });
  }

  /** CIDR text of a node; follows Fn::GetAtt VPC.CidrBlock and Fn::Select over Fn::Cidr of it. */
  const cidrText = (raw: unknown, depth = 0): Value => {
    const v = tctx.evaluator.value(raw);
    if (v.kind === 'known' && v.value instanceof ResourceRef) {
      const ref = v.value;
      const target = model.resources.get(ref.logicalId);
      if (ref.attribute === 'CidrBlock' && target?.type === 'AWS::EC2::VPC') {
        const vpc = vpcs.get(ref.logicalId);
        if (vpc?.primaryCidr) return { kind: 'known', value: vpc.primaryCidr };
        return { kind: 'unknown', why: `the CIDR of VPC ${ref.logicalId} is unknown` };
      }
      if (ref.attribute === 'CidrBlock' && target?.type === 'AWS::EC2::Subnet' && depth < 4)
        return cidrText(target.properties.CidrBlock, depth + 1);
      return { kind: 'unknown', why: `${ref.toString()} is known only after deployment` };
    }
    if (v.kind === 'unknown' && isRecord(raw) && intrinsicName(raw) === 'Fn::Select') {
      const arg = raw['Fn::Select'];
      const listValue = Array.isArray(arg) && arg.length === 2 ? knownValue(tctx.evaluator.value(arg[1])) : undefined;
      if (listValue instanceof ResourceRef)
        return { kind: 'unknown', why: `${listValue.toString()} is known only after deployment` };
      if (Array.isArray(arg) && arg.length === 2 && isRecord(arg[1]) && intrinsicName(arg[1]) === 'Fn::Cidr') {
        const c = arg[1]['Fn::Cidr'];
        if (Array.isArray(c) && c.length === 3) {
          const block = cidrText(c[0], depth + 1);
          const idx = int(knownValue(tctx.evaluator.value(arg[0])));
          const count = tctx.evaluator.value(c[1]);
          const bits = tctx.evaluator.value(c[2]);
          if (
            block.kind === 'known' &&
            typeof block.value === 'string' &&
            idx !== undefined &&
            count.kind === 'known' &&
            bits.kind === 'known'
          ) {
            const list = cidrSubnets(block.value, Number(count.value), Number(bits.value));
            if (list && idx >= 0 && idx < list.length) return { kind: 'known', value: list[idx] };
          }
        }
      }
    }
    return v;
  };
  const cidrField = (r: Resource, key: string, family: Family): Field<AddressSet> => {
    const raw = r.properties[key];
    if (raw === undefined) return { state: 'missing' };
    return fieldOfValue(cidrText(raw), (x) => {
      if (typeof x !== 'string') return undefined;
      const s = AddressSet.parse(x);
      return s && s.family === family ? s : undefined;
    });
  };

  // ---- route tables, routes, subnet associations
  const routeTables = new Map<string, RouteTableInfo & { routes: RouteInfo[]; subnets: string[] }>();
  for (const r of of('AWS::EC2::RouteTable')) {
    routeTables.set(r.logicalId, {
      resource: r,
      exists: tctx.exists(r),
      vpc: resolve(r.properties.VpcId),
      routes: [],
      subnets: [],
    });
  }
  const targetOf = (r: Resource): RouteInfo['target'] => {
    const p = r.properties;
    const pick = (key: string, kind: RouteTargetKind, type?: string): RouteInfo['target'] | undefined => {
      if (p[key] === undefined) return undefined;
      const t = resolve(p[key]);
      if (t.kind === 'resource') {
        if (key === 'GatewayId') {
          const ty = model.resources.get(t.logicalId)?.type;
          if (ty === 'AWS::EC2::InternetGateway') return { kind: 'igw', logicalId: t.logicalId };
          if (ty === 'AWS::EC2::VPNGateway') return { kind: 'vpn-gateway', logicalId: t.logicalId };
          return { kind: 'other', logicalId: t.logicalId };
        }
        if (type && !isType(t.logicalId, type)) return { kind: 'other', logicalId: t.logicalId };
        return { kind, logicalId: t.logicalId };
      }
      if (t.kind === 'external' && t.literal) {
        if (key === 'GatewayId') {
          if (t.literal.startsWith('igw-')) return { kind: 'igw' };
          if (t.literal.startsWith('vgw-')) return { kind: 'vpn-gateway' };
          if (t.literal === 'local') return { kind: 'local' };
          return { kind: 'other' };
        }
        return { kind };
      }
      return t.kind === 'external' ? { kind } : { kind: 'unknown' };
    };
    return (
      pick('NatGatewayId', 'nat', 'AWS::EC2::NatGateway') ??
      pick('GatewayId', 'igw') ??
      pick('EgressOnlyInternetGatewayId', 'egress-only-igw') ??
      pick('InstanceId', 'instance') ??
      pick('NetworkInterfaceId', 'eni') ??
      pick('VpcPeeringConnectionId', 'peering') ??
      pick('TransitGatewayId', 'transit-gateway') ??
      pick('VpcEndpointId', 'vpc-endpoint') ??
      pick('CarrierGatewayId', 'other') ??
      pick('LocalGatewayId', 'other') ??
      pick('CoreNetworkArn', 'other') ?? { kind: 'unknown' }
    );
  };
  for (const r of of('AWS::EC2::Route')) {
    const rt = resolve(r.properties.RouteTableId);
    const d4 = tctx.evaluator.at(r, ['Properties', 'DestinationCidrBlock']);
    const d6 = tctx.evaluator.at(r, ['Properties', 'DestinationIpv6CidrBlock']);
    const dpl = r.properties.DestinationPrefixListId;
    const destination =
      d4.kind === 'known' && typeof d4.value === 'string'
        ? d4.value
        : d6.kind === 'known' && typeof d6.value === 'string'
          ? d6.value
          : dpl !== undefined
            ? 'prefix-list'
            : undefined;
    const info: RouteInfo = {
      resource: r,
      exists: tctx.exists(r),
      routeTable: rt.kind === 'resource' ? rt.logicalId : undefined,
      destination,
      target: targetOf(r),
    };
    if (rt.kind === 'resource') routeTables.get(rt.logicalId)?.routes.push(info);
  }
  const rtAssoc = new Map<string, Array<{ r: Resource; table: RefTarget }>>();
  for (const r of of('AWS::EC2::SubnetRouteTableAssociation')) {
    const s = resolve(r.properties.SubnetId);
    for (const { id } of possibleIds(s)) {
      const list = rtAssoc.get(id) ?? [];
      list.push({ r, table: resolve(r.properties.RouteTableId) });
      rtAssoc.set(id, list);
    }
  }

  // ---- NACLs and entries
  const nacls = new Map<string, NaclInfo & { entries: NaclEntry[]; associations: Resource[]; subnets: string[] }>();
  const exportedIds = new Set<string>();
  for (const o of model.outputs.values()) {
    const walk = (n: unknown): void => {
      if (Array.isArray(n)) n.forEach(walk);
      else if (isRecord(n)) {
        if (typeof n.Ref === 'string') exportedIds.add(n.Ref);
        const ga = n['Fn::GetAtt'];
        if (Array.isArray(ga) && typeof ga[0] === 'string') exportedIds.add(ga[0]);
        if (typeof ga === 'string') exportedIds.add(ga.split('.')[0]!);
        if (typeof n['Fn::Sub'] === 'string')
          for (const m of n['Fn::Sub'].matchAll(/\$\{([^!}.]+)/g)) exportedIds.add(m[1]!);
        Object.values(n).forEach(walk);
      }
    };
    walk(o.value);
  }
  for (const r of of('AWS::EC2::NetworkAcl')) {
    nacls.set(r.logicalId, {
      key: r.logicalId,
      resource: r,
      isDefault: false,
      exists: tctx.exists(r),
      vpc: resolve(r.properties.VpcId),
      entries: [],
      associations: [],
      subnets: [],
      exported: exportedIds.has(r.logicalId),
      label: `NACL ${r.logicalId}`,
    });
  }
  for (const v of vpcs.values()) {
    nacls.set(v.defaultNacl, {
      key: v.defaultNacl,
      resource: v.resource,
      isDefault: true,
      exists: v.exists,
      vpc: { kind: 'resource', logicalId: v.resource.logicalId },
      entries: [],
      associations: [],
      subnets: [],
      exported: false,
      label: `the default NACL of VPC ${v.resource.logicalId}`,
    });
  }
  const naclEntries = new Map<string, NaclEntry>();
  for (const r of of('AWS::EC2::NetworkAclEntry')) {
    const e = normaliseEntry(tctx, r, resolve(r.properties.NetworkAclId), cidrField, nacls);
    naclEntries.set(r.logicalId, e);
    for (const n of e.nacls) nacls.get(n.key)?.entries.push(e);
  }

  // ---- subnets
  const naclAssoc = new Map<string, Array<{ r: Resource; nacl: RefTarget; certainSubnet: boolean }>>();
  for (const r of of('AWS::EC2::SubnetNetworkAclAssociation')) {
    const s = resolve(r.properties.SubnetId);
    const nacl = resolve(r.properties.NetworkAclId);
    for (const { id, certain } of possibleIds(s)) {
      const list = naclAssoc.get(id) ?? [];
      list.push({ r, nacl, certainSubnet: certain });
      naclAssoc.set(id, list);
    }
    for (const { id, isDefault } of possibleIds(nacl)) {
      nacls.get(isDefault ? `${id}.DefaultNetworkAcl` : id)?.associations.push(r);
    }
  }
  // IPv6 blocks added to subnets by separate resources.
  const subnetV6 = new Map<string, { exists: Tri; cidr?: AddressSet }>();
  for (const r of of('AWS::EC2::SubnetCidrBlock')) {
    const t = resolve(r.properties.SubnetId);
    if (t.kind !== 'resource') continue;
    const c = tctx.evaluator.at(r, ['Properties', 'Ipv6CidrBlock']);
    const cidr = c.kind === 'known' && typeof c.value === 'string' ? AddressSet.parse(c.value) : undefined;
    const prev = subnetV6.get(t.logicalId);
    const exists = tctx.exists(r);
    subnetV6.set(t.logicalId, {
      exists: prev?.exists === 'yes' || exists === 'yes' ? 'yes' : 'maybe',
      cidr: cidr?.family === 6 ? (prev?.cidr ? prev.cidr.union(cidr) : cidr) : prev?.cidr,
    });
  }
  const subnets = new Map<string, SubnetInfo>();
  for (const r of of('AWS::EC2::Subnet')) {
    const vpc = resolve(r.properties.VpcId);
    const azv = tctx.evaluator.at(r, ['Properties', 'AvailabilityZone']);
    let az: string | SymbolicAz | undefined;
    let azWhy: string | undefined;
    if (azv.kind === 'known' && (typeof azv.value === 'string' || azv.value instanceof SymbolicAz)) az = azv.value;
    else if (azv.kind === 'unknown') azWhy = azv.why;
    else if (azv.kind === 'missing')
      azWhy =
        r.properties.AvailabilityZoneId !== undefined
          ? 'set by AvailabilityZoneId'
          : 'AvailabilityZone is not set (EC2 picks one)';
    const c4 = cidrField(r, 'CidrBlock', 4);
    const c6 = cidrField(r, 'Ipv6CidrBlock', 6);
    const native = toBool(knownValue(tctx.evaluator.at(r, ['Properties', 'Ipv6Native'])));
    let cidr4: AddressSet | undefined;
    let cidr4Why: string | undefined;
    if (c4.state === 'known') cidr4 = c4.value;
    else if (c4.state === 'unknown') cidr4Why = c4.why;
    else if (c4.state === 'missing')
      cidr4Why =
        native === true
          ? 'the subnet is IPv6-only'
          : r.properties.Ipv4IpamPoolId !== undefined
            ? `subnet ${r.logicalId} takes its CIDR from IPAM`
            : 'CidrBlock is not set';
    else cidr4Why = `subnet ${r.logicalId} has an invalid CidrBlock`;
    const extra6 = subnetV6.get(r.logicalId);
    const ipv6Own: Tri =
      c6.state === 'known'
        ? 'yes'
        : c6.state === 'missing'
          ? r.properties.Ipv6IpamPoolId !== undefined || native === true
            ? 'yes'
            : 'no'
          : c6.state === 'unknown'
            ? c6.options?.length
              ? 'yes'
              : 'maybe'
            : 'maybe';
    const ipv6: Tri =
      ipv6Own === 'yes' || extra6?.exists === 'yes' ? 'yes' : ipv6Own === 'maybe' || extra6 ? 'maybe' : 'no';

    // Route table.
    let routeTable: SubnetRouteTable;
    const rts = (rtAssoc.get(r.logicalId) ?? []).filter((a) => tctx.exists(a.r) !== 'no');
    if (!rts.length) routeTable = { kind: 'main' };
    else if (rts.length > 1 || tctx.exists(rts[0]!.r) !== 'yes')
      routeTable = {
        kind: 'unknown',
        why:
          rts.length > 1
            ? `subnet ${r.logicalId} has ${rts.length} route table associations`
            : `route table association ${rts[0]!.r.logicalId} depends on condition ${rts[0]!.r.condition}`,
      };
    else {
      const t = rts[0]!.table;
      routeTable =
        t.kind === 'resource' && routeTables.has(t.logicalId)
          ? { kind: 'table', logicalId: t.logicalId }
          : {
              kind: 'unknown',
              why: t.kind === 'unknown' || t.kind === 'external' ? t.why : 'route table is not a RouteTable',
            };
    }
    let tier: SubnetInfo['tier'] = 'unknown';
    const natGateways: string[] = [];
    if (routeTable.kind === 'table') {
      const routes = routeTables.get(routeTable.logicalId)!.routes.filter((x) => x.exists !== 'no');
      const defaults = routes.filter((x) => x.destination === '0.0.0.0/0');
      const uncertain = routes.some((x) => x.destination === undefined || x.exists === 'maybe');
      if (defaults.some((d) => d.target.kind === 'igw' && d.exists === 'yes')) tier = 'public';
      else if (defaults.some((d) => d.exists === 'yes' && d.target.kind !== 'unknown' && d.target.kind !== 'igw'))
        tier = 'private';
      else if (!defaults.length && !uncertain) tier = 'isolated';
      for (const d of defaults)
        if (d.exists === 'yes' && d.target.kind === 'nat' && d.target.logicalId) natGateways.push(d.target.logicalId);
    }

    // NACL (catalog 2.1.1 item 2).
    const assocs = (naclAssoc.get(r.logicalId) ?? []).filter((a) => tctx.exists(a.r) !== 'no');
    let nacl: SubnetNacl;
    if (!assocs.length) {
      nacl =
        vpc.kind === 'resource' && vpcs.has(vpc.logicalId)
          ? { kind: 'nacl', key: `${vpc.logicalId}.DefaultNetworkAcl` }
          : { kind: 'unknown', why: `subnet ${r.logicalId} uses the default NACL of a VPC outside the template` };
    } else if (assocs.length > 1) {
      nacl = {
        kind: 'unknown',
        why: `subnet ${r.logicalId} has ${assocs.length} NACL associations (${assocs.map((a) => a.r.logicalId).join(', ')})`,
      };
    } else {
      const a = assocs[0]!;
      if (tctx.exists(a.r) !== 'yes')
        nacl = {
          kind: 'unknown',
          why: `NACL association ${a.r.logicalId} exists only when condition ${a.r.condition} holds`,
        };
      else if (!a.certainSubnet)
        nacl = { kind: 'unknown', why: `the subnet of NACL association ${a.r.logicalId} depends on a condition` };
      else if (a.nacl.kind === 'resource' && nacls.has(a.nacl.logicalId))
        nacl = { kind: 'nacl', key: a.nacl.logicalId };
      else if (a.nacl.kind === 'default-nacl' && nacls.has(`${a.nacl.vpc}.DefaultNetworkAcl`))
        nacl = { kind: 'nacl', key: `${a.nacl.vpc}.DefaultNetworkAcl` };
      else
        nacl = {
          kind: 'unknown',
          why:
            a.nacl.kind === 'external' || a.nacl.kind === 'unknown'
              ? `NACL of association ${a.r.logicalId}: ${a.nacl.why}`
              : `association ${a.r.logicalId} names a resource that is not a NetworkAcl`,
        };
    }
    if (nacl.kind === 'nacl') nacls.get(nacl.key)?.subnets.push(r.logicalId);

    subnets.set(r.logicalId, {
      resource: r,
      exists: tctx.exists(r),
      vpc,
      az,
      azWhy,
      cidr4,
      cidr4Why,
      ipv6,
      cidr6: c6.state === 'known' ? (extra6?.cidr ? c6.value.union(extra6.cidr) : c6.value) : extra6?.cidr,
      routeTable,
      tier,
      natGateways,
      nacl,
      naclAssociations: assocs.map((a) => a.r),
      tags: tagsOf(tctx, r),
    });
  }
  for (const [id, list] of rtAssoc) {
    for (const a of list) if (a.table.kind === 'resource') routeTables.get(a.table.logicalId)?.subnets.push(id);
  }

  // ---- NAT gateways
  const natGateways = new Map<string, NatGatewayInfo>();
  for (const r of of('AWS::EC2::NatGateway')) {
    const ct = tctx.evaluator.at(r, ['Properties', 'ConnectivityType']);
    const connectivity =
      ct.kind === 'missing'
        ? 'public'
        : ct.kind === 'known' && (ct.value === 'public' || ct.value === 'private')
          ? ct.value
          : undefined;
    natGateways.set(r.logicalId, {
      resource: r,
      exists: tctx.exists(r),
      subnet: resolve(r.properties.SubnetId),
      connectivity,
    });
  }

  // ---- subnet lists (load balancers, Lambda)
  const subnetList = (
    r: Resource,
    path: readonly PathSegment[],
    itemKey?: string,
  ): { subnets: string[]; why?: string } => {
    const l = listItems(tctx, r, path);
    if (!l) return { subnets: [], why: `${path[path.length - 1]} is not set` };
    if ('why' in l) return { subnets: [], why: l.why };
    const out: string[] = [];
    let why: string | undefined;
    for (const item of l.items) {
      const raw = itemKey ? (isRecord(item) ? item[itemKey] : undefined) : item;
      if (raw === undefined) continue;
      const t = resolve(raw);
      if (t.kind === 'resource' && subnets.has(t.logicalId)) out.push(t.logicalId);
      else
        why ??=
          t.kind === 'external' || t.kind === 'unknown'
            ? t.why
            : `${t.kind === 'resource' ? t.logicalId : 'item'} is not a subnet of this template`;
    }
    return { subnets: out, why };
  };
  const loadBalancers = new Map<string, LoadBalancerInfo>();
  for (const r of of('AWS::ElasticLoadBalancingV2::LoadBalancer')) {
    const typ = tctx.evaluator.at(r, ['Properties', 'Type']);
    const kind: LoadBalancerKind | undefined =
      typ.kind === 'missing'
        ? 'application'
        : typ.kind === 'known' && ['application', 'network', 'gateway'].includes(String(typ.value))
          ? (typ.value as LoadBalancerKind)
          : undefined;
    const sch = tctx.evaluator.at(r, ['Properties', 'Scheme']);
    const scheme =
      sch.kind === 'missing'
        ? 'internet-facing'
        : sch.kind === 'known' && (sch.value === 'internal' || sch.value === 'internet-facing')
          ? sch.value
          : undefined;
    const ipt = tctx.evaluator.at(r, ['Properties', 'IpAddressType']);
    const dualstack: Tri =
      ipt.kind === 'missing'
        ? 'no'
        : ipt.kind === 'known'
          ? String(ipt.value).startsWith('dualstack')
            ? 'yes'
            : 'no'
          : 'maybe';
    const useMappings = r.properties.Subnets === undefined && r.properties.SubnetMappings !== undefined;
    const path = useMappings ? ['Properties', 'SubnetMappings'] : ['Properties', 'Subnets'];
    const s = subnetList(r, path, useMappings ? 'SubnetId' : undefined);
    loadBalancers.set(r.logicalId, {
      resource: r,
      exists: tctx.exists(r),
      kind,
      scheme: scheme as LoadBalancerInfo['scheme'],
      dualstack,
      subnets: s.subnets,
      subnetsWhy: s.why,
      subnetsPath: path,
    });
  }
  for (const r of of('AWS::ElasticLoadBalancing::LoadBalancer')) {
    const sch = tctx.evaluator.at(r, ['Properties', 'Scheme']);
    const scheme =
      sch.kind === 'missing'
        ? 'internet-facing'
        : sch.kind === 'known' && (sch.value === 'internal' || sch.value === 'internet-facing')
          ? sch.value
          : undefined;
    const path = ['Properties', 'Subnets'];
    const s =
      r.properties.Subnets === undefined
        ? { subnets: [], why: 'the classic load balancer is not in a VPC subnet list (AvailabilityZones)' }
        : subnetList(r, path);
    loadBalancers.set(r.logicalId, {
      resource: r,
      exists: tctx.exists(r),
      kind: 'classic',
      scheme: scheme as LoadBalancerInfo['scheme'],
      dualstack: 'no',
      subnets: s.subnets,
      subnetsWhy: s.why,
      subnetsPath: path,
    });
  }
  const lambdas = new Map<string, VpcLambdaInfo>();
  for (const type of ['AWS::Lambda::Function', 'AWS::Serverless::Function']) {
    for (const r of of(type)) {
      const vc = r.properties.VpcConfig;
      if (vc === undefined) continue;
      const path = ['Properties', 'VpcConfig', 'SubnetIds'];
      const s = subnetList(r, path);
      if (!s.subnets.length && !s.why) continue;
      lambdas.set(r.logicalId, {
        resource: r,
        exists: tctx.exists(r),
        subnets: s.subnets,
        subnetsWhy: s.why,
        subnetsPath: path,
      });
    }
  }

  return { vpcs, subnets, routeTables, nacls, naclEntries, natGateways, loadBalancers, lambdas, resolve };
}

function normaliseEntry(
  tctx: TemplateContext,
  r: Resource,
  naclRef: RefTarget,
  cidrField: (r: Resource, key: string, family: Family) => Field<AddressSet>,
  nacls: ReadonlyMap<string, NaclInfo>,
): NaclEntry {
  const P = (k: string): PathSegment[] => ['Properties', k];
  const egress = field(tctx, r, P('Egress'), toBool);
  const ruleNumber = field(tctx, r, P('RuleNumber'), int);
  const action = field(tctx, r, P('RuleAction'), (v) => {
    const s = typeof v === 'string' ? v.toLowerCase() : undefined;
    return s === 'allow' || s === 'deny' ? (s as Action) : undefined;
  });
  const protocol = field(tctx, r, P('Protocol'), (v) => {
    const n = int(v);
    return n !== undefined && n >= -1 && n <= 255 ? n : undefined;
  });
  const portFrom = field(tctx, r, ['Properties', 'PortRange', 'From'], int);
  const portTo = field(tctx, r, ['Properties', 'PortRange', 'To'], int);
  const icmpType = field(tctx, r, ['Properties', 'Icmp', 'Type'], int);
  const icmpCode = field(tctx, r, ['Properties', 'Icmp', 'Code'], int);
  const cidr4 = cidrField(r, 'CidrBlock', 4);
  const cidr6 = cidrField(r, 'Ipv6CidrBlock', 6);

  const nacls_: Array<{ key: string; certain: boolean }> = [];
  for (const { id, certain, isDefault } of possibleIds(naclRef)) {
    const key = isDefault ? `${id}.DefaultNetworkAcl` : id;
    if (nacls.has(key)) nacls_.push({ key, certain });
  }

  const problems: string[] = [];
  let invalid = false;
  const need = <T>(name: string, f: Field<T>, required = true): T | undefined => {
    if (f.state === 'known') return f.value;
    if (f.state === 'unknown') problems.push(`${name} ${f.why}`);
    else if (f.state === 'invalid') {
      problems.push(`${name} is invalid (${describeValue(f.raw)})`);
      invalid = true;
    } else if (required) {
      problems.push(`${name} is not set`);
      invalid = true;
    }
    return undefined;
  };
  const eg = egress.state === 'missing' ? false : need('Egress', egress);
  const num = need('RuleNumber', ruleNumber);
  const act = need('RuleAction', action);
  const proto = need('Protocol', protocol);
  let ports: PortSet | undefined;
  if (proto !== undefined) {
    if (hasPorts(proto)) {
      const f = need('PortRange.From', portFrom);
      const t = need('PortRange.To', portTo);
      if (f !== undefined && t !== undefined) {
        if (f > t || f < 0 || t > 65535) {
          problems.push(`PortRange ${f}–${t} is invalid`);
          invalid = true;
        } else ports = PortSet.range(f, t);
      }
    } else if (proto === 1 || proto === 58) {
      // ICMP: type and code in the port dimension. Icmp is required for protocol 1.
      const ty = icmpType.state === 'missing' && proto === 58 ? -1 : need('Icmp.Type', icmpType);
      const co = icmpCode.state === 'missing' && proto === 58 ? -1 : need('Icmp.Code', icmpCode);
      if (ty !== undefined && co !== undefined) ports = icmpSet(ty, co);
    } else ports = PortSet.all();
  }
  let family: Family | undefined;
  let addrs: AddressSet | undefined;
  const has4 = cidr4.state !== 'missing';
  const has6 = cidr6.state !== 'missing';
  if (has4 && has6) {
    problems.push('both CidrBlock and Ipv6CidrBlock are set');
    invalid = true;
  } else if (!has4 && !has6) {
    problems.push('neither CidrBlock nor Ipv6CidrBlock is set');
    invalid = true;
  } else if (has4) {
    family = 4;
    addrs = need('CidrBlock', cidr4);
  } else {
    family = 6;
    addrs = need('Ipv6CidrBlock', cidr6);
  }
  const entry: NaclEntry & { rule?: AclRule<NaclEntry> } = {
    resource: r,
    exists: tctx.exists(r),
    naclRef,
    nacls: nacls_,
    egress,
    ruleNumber,
    action,
    protocol,
    portFrom,
    portTo,
    icmpType,
    icmpCode,
    cidr4,
    cidr6,
    problems,
    invalid,
  };
  if (
    eg !== undefined &&
    num !== undefined &&
    act !== undefined &&
    proto !== undefined &&
    ports &&
    family &&
    addrs &&
    !problems.length
  ) {
    entry.rule = { number: num, action: act, protocol: proto, family, addrs, ports, source: entry };
  }
  return entry;
}

// ------------------------------------------------------------------ queries used by rules

/** The direction of an entry, when known. */
export function entryDirection(e: NaclEntry): Direction | undefined {
  if (e.egress.state === 'missing') return 'inbound';
  if (e.egress.state === 'known') return e.egress.value ? 'outbound' : 'inbound';
  return undefined;
}

/** Every direction an entry may be in. */
export function entryDirections(e: NaclEntry): Direction[] {
  const d = entryDirection(e);
  if (d) return [d];
  if (e.egress.state === 'unknown' && e.egress.options)
    return [...new Set(e.egress.options.map((o) => (o ? 'outbound' : 'inbound') as Direction))];
  return ['inbound', 'outbound'];
}

/** A subnet's label for messages. */
export function subnetLabel(s: SubnetInfo): string {
  const name = s.tags.Name;
  return name && name !== s.resource.logicalId ? `${s.resource.logicalId} (${name})` : s.resource.logicalId;
}
