/**
 * Return-path analysis for stateless NACLs (catalog 2.1.2 to 2.1.5).
 *
 * Flows come from the entries (service-looking ALLOWs) and from the architecture (NAT gateways and the
 * subnets routed to them, load balancers and their targets, VPC Lambda functions). Each flow is analysed per
 * (NACL, subnet) pair: the allowed return ports R are computed with decide() for every address of the peer,
 * cell by cell, and graded against the client class of those addresses.
 *
 * Pure: takes the template context and the network view, returns findings and unknown outcomes.
 */
import type { RelatedInput, TemplateContext } from '../engine/context';
import type { PathSegment, Severity } from '../types';
import { isRecord } from '../parse/parse';
import type { Resource } from './template';
import { toBool, toNumber, type Value } from './values';
import { AddressSet, EPHEMERAL, PortSet, parseAddress, parseCidr, type Family } from './cidr';
import {
  allowedPortsByAddress,
  decide,
  effectiveRegion,
  gradePorts,
  protocolName,
  type Decision,
  type Direction,
  type PortGrade,
} from './nacl';
import {
  naclRules,
  ruleLabel,
  suggestNumber,
  usedNumbers,
  isCertain,
  type NaclRule,
  type RuleSource,
} from './nacl-rules';
import {
  entryDirection,
  subnetLabel,
  type LoadBalancerInfo,
  type NaclEntry,
  type NaclInfo,
  type NetworkView,
  type SubnetInfo,
} from './network';
import {
  loadBalancingView,
  refOf,
  TARGET_GROUP,
  type Action as LbAction,
  type List,
  type TargetGroup,
} from './loadbalancing';

// ------------------------------------------------------------------ client classes and options

export interface ClientClass {
  readonly name: string;
  readonly range: PortSet;
}

export const CLIENT_CLASSES: Readonly<Record<string, ClientClass>> = {
  'aws-managed': { name: 'aws-managed', range: EPHEMERAL.all },
  linux: { name: 'linux', range: EPHEMERAL.linux },
  windows: { name: 'windows', range: EPHEMERAL.windows },
  unknown: { name: 'unknown', range: EPHEMERAL.all },
};

/** UDP services known to answer requests (a UDP entry for another port may be one-way, e.g. syslog). */
export const UDP_REQUEST_RESPONSE = PortSet.of(
  53,
  69,
  88,
  123,
  137,
  161,
  389,
  443,
  464,
  1194,
  1812,
  1813,
  3478,
  5060,
  11211,
  51820,
);
/** UDP services whose peers use the service port as source port (IKE, NAT-T) or that NACLs never filter (DHCP). */
const UDP_NO_EPHEMERAL = PortSet.of(67, 68, 500, 4500);
/** UDP services often run in symmetric mode (source port = service port): NTP. */
const UDP_SYMMETRIC = PortSet.of(123);

/** Addresses NACLs never filter (catalog 2.1.1 item 6), besides the VPC resolver at base + 2. */
const NEVER_FILTERED: Readonly<Record<Family, AddressSet>> = {
  4: AddressSet.parseAll(['169.254.169.253/32', '169.254.169.254/32', '169.254.169.123/32', '169.254.169.250/31'])!,
  6: AddressSet.parseAll(['fd00:ec2::253/128', 'fd00:ec2::254/128', 'fd00:ec2::123/128'])!,
};

/** Public IPv4 space: everything but private, shared, loopback, link-local, multicast and reserved blocks. */
const PUBLIC_IPV4 = AddressSet.all(4).subtract(
  AddressSet.parseAll([
    '0.0.0.0/8',
    '10.0.0.0/8',
    '100.64.0.0/10',
    '127.0.0.0/8',
    '169.254.0.0/16',
    '172.16.0.0/12',
    '192.168.0.0/16',
    '224.0.0.0/3',
  ])!,
);

/** The largest possible subnet: a VPC IPv4 block is at most /16; IPv6 subnets are /44 to /64. */
const MAX_SUBNET_PREFIX: Readonly<Record<Family, number>> = { 4: 16, 6: 44 };

export interface ReturnTrafficOptions {
  /** Client class of every host in this project's subnets and VPCs (catalog 2.1.3 "the whole project"). */
  readonly project?: ClientClass;
  /** Class per subnet logical id or Name tag. */
  readonly subnets: ReadonlyMap<string, ClientClass>;
  /** Class per subnet tag. */
  readonly tags: readonly { key: string; value?: string; cls: ClientClass }[];
  /** Class of outside client networks. */
  readonly peers: readonly { addrs: AddressSet; cls: ClientClass }[];
  /** Peer CIDRs that are expected not to get replies (deny lists). */
  readonly exclusions: readonly AddressSet[];
  /** UDP ports treated as request/response services. */
  readonly udpServices: PortSet;
}

/** Parse `rules.nacl-ephemeral-return-traffic.options`. Invalid parts are left out and described. */
export function resolveOptions(raw: Readonly<Record<string, unknown>>): {
  options: ReturnTrafficOptions;
  problems: string[];
} {
  const problems: string[] = [];
  const KNOWN = ['clientClass', 'subnets', 'tags', 'peers', 'classes', 'expectedExclusions', 'udpServices'];
  for (const k of Object.keys(raw))
    if (!KNOWN.includes(k)) problems.push(`unknown option ${k} (known: ${KNOWN.join(', ')})`);
  const classes = new Map<string, ClientClass>(Object.entries(CLIENT_CLASSES));
  const parseRange = (v: unknown): PortSet | undefined => {
    if (Array.isArray(v) && v.length === 2) {
      const a = toNumber(v[0]);
      const b = toNumber(v[1]);
      return a !== undefined && b !== undefined && a <= b && a >= 0 && b <= 65535 ? PortSet.range(a, b) : undefined;
    }
    if (typeof v === 'string') {
      const m = /^\s*(\d+)\s*[-–]\s*(\d+)\s*$/.exec(v);
      if (m && Number(m[1]) <= Number(m[2]) && Number(m[2]) <= 65535) return PortSet.range(Number(m[1]), Number(m[2]));
    }
    return undefined;
  };
  if (isRecord(raw.classes)) {
    for (const [name, v] of Object.entries(raw.classes)) {
      const range = parseRange(v);
      if (range) classes.set(name, { name, range });
      else problems.push(`classes.${name} must be a port range such as "32768-60999"`);
    }
  }
  const cls = (where: string, v: unknown): ClientClass | undefined => {
    if (typeof v === 'string' && classes.has(v)) return classes.get(v);
    const range = parseRange(v);
    if (range) return { name: range.describe(), range };
    problems.push(
      `${where}: unknown client class ${JSON.stringify(v)} (use aws-managed, linux, windows, unknown, a name from classes, or a range)`,
    );
    return undefined;
  };
  const project = raw.clientClass === undefined ? undefined : cls('clientClass', raw.clientClass);
  const subnets = new Map<string, ClientClass>();
  if (isRecord(raw.subnets)) {
    for (const [k, v] of Object.entries(raw.subnets)) {
      const c = cls(`subnets.${k}`, v);
      if (c) subnets.set(k, c);
    }
  } else if (raw.subnets !== undefined)
    problems.push('subnets must map subnet logical ids or Name tags to client classes');
  const tags: Array<{ key: string; value?: string; cls: ClientClass }> = [];
  if (Array.isArray(raw.tags)) {
    raw.tags.forEach((t, i) => {
      if (!isRecord(t) || typeof t.key !== 'string') {
        problems.push(`tags[${i}] must be { key, value?, class }`);
        return;
      }
      const c = cls(`tags[${i}]`, t.class);
      if (c) tags.push({ key: t.key, value: t.value === undefined ? undefined : String(t.value), cls: c });
    });
  } else if (raw.tags !== undefined) problems.push('tags must be a list of { key, value?, class }');
  const peers: Array<{ addrs: AddressSet; cls: ClientClass }> = [];
  if (Array.isArray(raw.peers)) {
    raw.peers.forEach((p, i) => {
      const addrs = isRecord(p) && typeof p.cidr === 'string' ? AddressSet.parse(p.cidr) : undefined;
      if (!addrs) {
        problems.push(`peers[${i}] must be { cidr, class }`);
        return;
      }
      const c = cls(`peers[${i}]`, (p as Record<string, unknown>).class);
      if (c) peers.push({ addrs, cls: c });
    });
  } else if (raw.peers !== undefined) problems.push('peers must be a list of { cidr, class }');
  const exclusions: AddressSet[] = [];
  const ex = raw.expectedExclusions;
  for (const [i, c] of (Array.isArray(ex) ? ex : ex === undefined ? [] : [ex]).entries()) {
    const s = typeof c === 'string' ? AddressSet.parse(c) : undefined;
    if (s) exclusions.push(s);
    else problems.push(`expectedExclusions[${i}] is not a CIDR`);
  }
  let udpServices = UDP_REQUEST_RESPONSE;
  if (raw.udpServices !== undefined) {
    for (const p of Array.isArray(raw.udpServices) ? raw.udpServices : [raw.udpServices]) {
      const n = toNumber(p);
      if (n !== undefined && Number.isInteger(n) && n >= 0 && n <= 65535)
        udpServices = udpServices.union(PortSet.of(n));
      else problems.push(`udpServices: ${JSON.stringify(p)} is not a port`);
    }
  }
  return { options: { project, subnets, tags, peers, exclusions, udpServices }, problems };
}

// ------------------------------------------------------------------ flows

export type Role = 'server' | 'client';

export type FlowSource =
  | { readonly kind: 'entry'; readonly entry: NaclEntry; readonly rule: NaclRule; readonly ports: PortSet }
  | { readonly kind: 'nat-client'; readonly nat: Resource; readonly clients: readonly string[] }
  | { readonly kind: 'nat-server'; readonly nat: Resource; readonly client: string }
  | { readonly kind: 'lambda'; readonly fn: Resource }
  | { readonly kind: 'lb-listener'; readonly lb: Resource; readonly ports: PortSet }
  | { readonly kind: 'lb-node'; readonly lb: Resource; readonly targets: readonly string[] }
  | { readonly kind: 'lb-target'; readonly lb: Resource; readonly lbSubnets: readonly string[] }
  | { readonly kind: 'nlb-client-ip'; readonly lb: Resource };

export interface Flow {
  readonly role: Role;
  readonly protocol: 6 | 17;
  readonly family: Family;
  readonly peer: AddressSet;
  readonly ports: PortSet;
  readonly sources: readonly FlowSource[];
  /** Fixed client class of the whole peer; otherwise the class comes from the address zones. */
  readonly cls?: ClientClass;
}

/** One outcome to report. */
export interface ReturnFinding {
  readonly resource: Resource;
  readonly path: readonly PathSegment[];
  readonly severity: Severity;
  readonly message: string;
  readonly related: readonly RelatedInput[];
  readonly key: string;
  readonly grade: string;
}

export interface ReturnUnknown {
  readonly resource?: Resource;
  readonly path?: readonly PathSegment[];
  readonly why: string;
}

export interface ReturnAnalysis {
  readonly findings: readonly ReturnFinding[];
  readonly unknowns: readonly ReturnUnknown[];
}

/** Where the addresses of an unknown subnet or VPC may lie (they are exempt from filtering). */
interface UnknownExemption {
  /** An unknown subnet: an aligned block of at most this prefix length... */
  readonly blockPrefix?: number;
  /** ...inside these addresses, when known. */
  readonly within?: AddressSet;
  /** One unknown address (the VPC resolver when the VPC CIDR is unknown). */
  readonly singleAddress?: boolean;
  readonly why: string;
}

interface Zone {
  readonly addrs: AddressSet;
  readonly cls: ClientClass;
  readonly why: string;
}

/** A cell of the peer set with its allowed return ports, client class and grade. */
interface GradedCell {
  readonly addrs: AddressSet;
  readonly allowed: PortSet;
  readonly cls: ClientClass;
  readonly zone?: Zone;
  readonly grade: PortGrade;
}

/** One (NACL, subnet) pair. `subnet` undefined: the NACL is associated outside the template. */
interface PairContext {
  readonly nacl: NaclInfo;
  readonly subnet?: SubnetInfo;
}

const RESOURCE_NOUN: Readonly<Record<string, string>> = {
  'AWS::EC2::NatGateway': 'NAT gateway',
  'AWS::Lambda::Function': 'VPC Lambda',
  'AWS::Serverless::Function': 'VPC Lambda',
  'AWS::ElasticLoadBalancingV2::LoadBalancer': 'load balancer',
  'AWS::ElasticLoadBalancing::LoadBalancer': 'load balancer',
};

function list(items: readonly string[], max = 6): string {
  const u = [...new Set(items)];
  if (u.length <= 1) return u.join('');
  const shown = u.length > max ? [...u.slice(0, max), `${u.length - max} more`] : u;
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

function portsText(p: PortSet): string {
  return p.size() === 1 ? `port ${p.describe()}` : `ports ${p.describe()}`;
}

function pct(n: number): string {
  if (n >= 10) return `${Math.round(n)}`;
  return n.toFixed(1).replace(/\.0$/, '');
}

/** Whether an unknown subnet/VPC address could make a whole group of addresses exempt. */
export function canVanish(g: AddressSet, unknowns: readonly UnknownExemption[]): boolean {
  const single = unknowns.some((u) => u.singleAddress);
  /** Whether a rest of addresses can be the unknown VPC resolver (base + 2 of a block of /28 or larger). */
  const resolverOnly = (rest: AddressSet): boolean => {
    const n = rest.size();
    if (n === 0n) return true;
    if (n > 1n || !single) return false;
    return rest.family === 6 || rest.ranges[0]![0] % 16n === 2n;
  };
  if (resolverOnly(g)) return true;
  const blocks = unknowns.filter((u) => u.blockPrefix !== undefined);
  const bits = g.family === 4 ? 32 : 128;
  for (const u of blocks) {
    const host = BigInt(bits - u.blockPrefix!);
    const touched = new Set<bigint>();
    for (const [a, b] of g.ranges) {
      for (let k = a >> host; k <= b >> host && touched.size <= 2; k++) touched.add(k);
      if (touched.size > 2) break;
    }
    if (touched.size > 2) continue;
    for (const k of touched) {
      const block = AddressSet.fromCidr({ family: g.family, base: k << host, prefix: u.blockPrefix! });
      const inside = g.intersect(block);
      if (u.within && !u.within.covers(inside)) continue;
      if (resolverOnly(g.subtract(block))) return true;
    }
  }
  return false;
}

// ------------------------------------------------------------------ the analysis

export function analyseReturnTraffic(
  tctx: TemplateContext,
  view: NetworkView,
  options: ReturnTrafficOptions,
): ReturnAnalysis {
  return new Analysis(tctx, view, options).run();
}

class Analysis {
  private readonly findings: ReturnFinding[] = [];
  private readonly unknowns: ReturnUnknown[] = [];
  private readonly noted = new Set<string>();
  /** Architecture flows by subnet logical id. */
  private readonly archFlows = new Map<string, Flow[]>();
  /** VPC Lambda functions by subnet. */
  private readonly lambdasIn = new Map<string, Resource[]>();
  /** Load balancers by subnet. */
  private readonly lbsIn = new Map<string, Resource[]>();
  private readonly zoneCache = new Map<Family, Zone[]>();

  constructor(
    private readonly tctx: TemplateContext,
    private readonly view: NetworkView,
    private readonly options: ReturnTrafficOptions,
  ) {}

  run(): ReturnAnalysis {
    this.collectHosts();
    this.natFlows();
    this.loadBalancerFlows();
    const pending: Array<{ ctx: PairContext; f: ReturnFinding; template: string }> = [];
    for (const nacl of this.view.nacls.values()) {
      if (nacl.exists === 'no') continue;
      const contexts: PairContext[] = [];
      for (const id of nacl.subnets) {
        const s = this.view.subnets.get(id)!;
        if (s.exists === 'yes') contexts.push({ nacl, subnet: s });
        else
          this.note(`maybe:${id}`, {
            resource: s.resource,
            why: `subnet ${id} exists only when condition ${s.resource.condition} holds`,
          });
      }
      if (!nacl.isDefault && nacl.exported && !nacl.associations.length) contexts.push({ nacl });
      // Catalog 2.1.4: an entry CloudFormation rejects (PortRange missing for TCP/UDP, ...) makes the NACL unknown.
      const broken = nacl.entries.find((e) => e.invalid && e.exists !== 'no');
      if (broken && contexts.length) {
        this.note(`invalid:${nacl.key}`, {
          resource: broken.resource,
          why: `${capital(nacl.label)} cannot be analysed: entry ${broken.resource.logicalId} is invalid (${broken.problems.join('; ')})`,
        });
        continue;
      }
      for (const ctx of contexts) {
        for (const family of [4, 6] as const) {
          for (const out of this.analysePair(ctx, family)) pending.push({ ctx, ...out });
        }
      }
    }
    // Subnets whose NACL is unknown but that carry certain architecture flows.
    for (const [id, flows] of this.archFlows) {
      const s = this.view.subnets.get(id);
      if (s && s.nacl.kind === 'unknown' && flows.length)
        this.note(`nacl:${id}`, { resource: s.resource, why: `the NACL of subnet ${id} is unknown: ${s.nacl.why}` });
    }
    // One finding per location and message when several subnets share a NACL and the outcome.
    const groups = new Map<string, Array<{ ctx: PairContext; f: ReturnFinding; template: string }>>();
    for (const p of pending) {
      const k = `${p.f.resource.logicalId}\0${p.f.path.join('/')}\0${p.template}`;
      const g = groups.get(k) ?? [];
      g.push(p);
      groups.set(k, g);
    }
    for (const g of groups.values()) {
      const first = g[0]!;
      const subnets = g.map((x) => x.ctx.subnet).filter((s): s is SubnetInfo => !!s);
      const label = subnets.length
        ? `${subnets.length > 1 ? 'subnets' : 'subnet'} ${list(subnets.map(subnetLabel), 8)}`
        : `associated with subnets outside this template`;
      const related = [...first.f.related];
      for (const s of subnets.slice(1))
        related.push({ logicalId: s.resource.logicalId, message: `subnet ${s.resource.logicalId} uses this NACL too` });
      this.findings.push({
        ...first.f,
        message: first.template
          .replaceAll('{SUBNETS}', label)
          .replaceAll('{SUBNET}', subnets.length ? list(subnets.map(subnetLabel), 8) : 'outside this template'),
        related,
      });
    }
    return { findings: this.findings, unknowns: this.unknowns };
  }

  private note(key: string, u: ReturnUnknown): void {
    if (this.noted.has(key)) return;
    this.noted.add(key);
    this.unknowns.push(u);
  }

  // ---------------------------------------------------------------- hosts and architecture flows

  private collectHosts(): void {
    const add = (m: Map<string, Resource[]>, id: string, r: Resource): void => {
      const l = m.get(id) ?? [];
      if (!l.includes(r)) l.push(r);
      m.set(id, l);
    };
    for (const fn of this.view.lambdas.values()) {
      if (fn.exists !== 'yes') {
        this.note(`maybe:${fn.resource.logicalId}`, {
          resource: fn.resource,
          why: `Lambda ${fn.resource.logicalId} exists only when condition ${fn.resource.condition} holds`,
        });
        continue;
      }
      if (fn.subnetsWhy)
        this.note(`subnets:${fn.resource.logicalId}`, {
          resource: fn.resource,
          path: fn.subnetsPath,
          why: `some subnets of Lambda ${fn.resource.logicalId} are unknown: ${fn.subnetsWhy}`,
        });
      for (const s of fn.subnets) add(this.lambdasIn, s, fn.resource);
    }
    for (const lb of this.view.loadBalancers.values()) {
      if (lb.exists !== 'yes') continue;
      for (const s of lb.subnets) add(this.lbsIn, s, lb.resource);
    }
  }

  private addArch(subnet: string, flow: Flow): void {
    const l = this.archFlows.get(subnet) ?? [];
    l.push(flow);
    this.archFlows.set(subnet, l);
  }

  /** The client class of the hosts of a subnet when they open connections. */
  private subnetClass(s: SubnetInfo): { cls: ClientClass; lambdas: Resource[] } {
    const lambdas = this.lambdasIn.get(s.resource.logicalId) ?? [];
    if (lambdas.length) return { cls: CLIENT_CLASSES['aws-managed']!, lambdas };
    return { cls: this.configuredClass(s)?.cls ?? this.options.project ?? CLIENT_CLASSES.unknown!, lambdas };
  }

  private configuredClass(s: SubnetInfo): { cls: ClientClass; why: string } | undefined {
    const byId = this.options.subnets.get(s.resource.logicalId);
    if (byId) return { cls: byId, why: `subnet ${s.resource.logicalId}` };
    const name = s.tags.Name;
    const byName = name !== undefined ? this.options.subnets.get(name) : undefined;
    if (byName) return { cls: byName, why: `subnet ${name}` };
    for (const t of this.options.tags) {
      const v = s.tags[t.key];
      if (v !== undefined && (t.value === undefined || t.value === v))
        return { cls: t.cls, why: `tag ${t.key}${t.value === undefined ? '' : `=${t.value}`}` };
    }
    return undefined;
  }

  private zones(family: Family): Zone[] {
    let z = this.zoneCache.get(family);
    if (z) return z;
    z = [];
    const cidrOf = (s: SubnetInfo): AddressSet | undefined => (family === 4 ? s.cidr4 : s.cidr6);
    // Subnets of AWS-managed clients: VPC Lambda functions and load balancer nodes.
    const managed: Array<[ReadonlyMap<string, Resource[]>, (ids: string) => string]> = [
      [this.lambdasIn, (ids) => `VPC Lambda ${ids}`],
      [this.lbsIn, (ids) => `the nodes of load balancer ${ids}`],
    ];
    for (const [bySubnet, what] of managed) {
      for (const [id, resources] of bySubnet) {
        const s = this.view.subnets.get(id);
        const c = s && cidrOf(s);
        if (c)
          z.push({
            addrs: c,
            cls: CLIENT_CLASSES['aws-managed']!,
            why: `${what(list(resources.map((r) => r.logicalId)))} in subnet ${id}`,
          });
      }
    }
    for (const s of this.view.subnets.values()) {
      const c = cidrOf(s);
      const conf = this.configuredClass(s);
      if (c && conf)
        z.push({ addrs: c, cls: conf.cls, why: `clients declared ${conf.cls.name} in archlint config (${conf.why})` });
    }
    for (const p of this.options.peers) {
      if (p.addrs.family === family)
        z.push({
          addrs: p.addrs,
          cls: p.cls,
          why: `clients declared ${p.cls.name} in archlint config (${p.addrs.toCidrs().join(', ')})`,
        });
    }
    if (this.options.project) {
      for (const s of this.view.subnets.values()) {
        const c = cidrOf(s);
        if (c)
          z.push({
            addrs: c,
            cls: this.options.project,
            why: `project clients declared ${this.options.project.name} in archlint config`,
          });
      }
      for (const v of this.view.vpcs.values()) {
        const c = family === 4 ? v.cidr4 : v.cidr6;
        if (c)
          z.push({
            addrs: c,
            cls: this.options.project,
            why: `project clients declared ${this.options.project.name} in archlint config`,
          });
      }
    }
    this.zoneCache.set(family, z);
    return z;
  }

  private natFlows(): void {
    const { view } = this;
    for (const nat of view.natGateways.values()) {
      if (nat.exists === 'no') continue;
      const id = nat.resource.logicalId;
      const clients = [...view.subnets.values()].filter((q) => q.natGateways.includes(id) && q.exists !== 'no');
      if (!clients.length) continue;
      if (nat.exists === 'maybe') {
        this.note(`maybe:${id}`, {
          resource: nat.resource,
          why: `NAT gateway ${id} exists only when condition ${nat.resource.condition} holds`,
        });
        continue;
      }
      if (nat.connectivity !== 'public') {
        if (nat.connectivity === undefined)
          this.note(`ct:${id}`, {
            resource: nat.resource,
            path: ['Properties', 'ConnectivityType'],
            why: `ConnectivityType of NAT gateway ${id} is unknown`,
          });
        continue;
      }
      if (nat.subnet.kind !== 'resource' || !view.subnets.has(nat.subnet.logicalId)) {
        this.note(`natsubnet:${id}`, {
          resource: nat.resource,
          path: ['Properties', 'SubnetId'],
          why: `the subnet of NAT gateway ${id} is not in the template`,
        });
        continue;
      }
      const n = view.subnets.get(nat.subnet.logicalId)!;
      const vpc = n.vpc.kind === 'resource' ? view.vpcs.get(n.vpc.logicalId) : undefined;
      // The remote servers: public address space (a NAT gateway reaches nothing else through the IGW).
      const internet = vpc?.cidr4 ? PUBLIC_IPV4.subtract(vpc.cidr4) : PUBLIC_IPV4;
      const protocols = new Map<6 | 17, string[]>();
      for (const q of clients) {
        if (q.resource.logicalId === n.resource.logicalId) continue;
        if (q.exists !== 'yes') {
          this.note(`maybe:${q.resource.logicalId}`, {
            resource: q.resource,
            why: `subnet ${q.resource.logicalId} exists only when condition ${q.resource.condition} holds`,
          });
          continue;
        }
        if (q.nacl.kind !== 'nacl') {
          this.note(`nacl:${q.resource.logicalId}`, {
            resource: q.resource,
            why: `the NACL of subnet ${q.resource.logicalId} is unknown: ${q.nacl.why}`,
          });
          continue;
        }
        const qn = view.nacls.get(q.nacl.key)!;
        this.natForwarding(nat.resource, n, q, qn, internet);
        const out = naclRules(view, qn, 'outbound', 'min').rules;
        for (const p of [6, 17] as const) {
          const d = decide(out, p, internet, PortSet.all());
          // TCP: any allowed egress to the internet goes through the NAT gateway. UDP: only request/response
          // services allowed by a UDP entry (an allow-all entry says nothing about UDP use).
          const certain =
            p === 6
              ? !d.allowed.isEmpty()
              : d.parts.some(
                  (x) =>
                    x.action === 'allow' &&
                    x.rule?.protocol === 17 &&
                    x.region.ports().overlaps(this.options.udpServices.subtract(UDP_NO_EPHEMERAL)),
                );
          if (!certain) continue;
          const l = protocols.get(p) ?? [];
          l.push(q.resource.logicalId);
          protocols.set(p, l);
          // N is a server towards Q's CIDR: Q's clients' class (from the zones).
          if (q.cidr4)
            this.addArch(n.resource.logicalId, {
              role: 'server',
              protocol: p,
              family: 4,
              peer: q.cidr4,
              ports: PortSet.all(),
              sources: [{ kind: 'nat-server', nat: nat.resource, client: q.resource.logicalId }],
            });
          else
            this.note(`cidr:${q.resource.logicalId}`, {
              resource: q.resource,
              why: `the CIDR of subnet ${q.resource.logicalId} is unknown: ${q.cidr4Why}`,
            });
        }
      }
      // N is a client towards the internet with class aws-managed.
      for (const [p, qs] of protocols) {
        this.addArch(n.resource.logicalId, {
          role: 'client',
          protocol: p,
          family: 4,
          peer: AddressSet.all(4),
          ports: PortSet.all(),
          sources: [{ kind: 'nat-client', nat: nat.resource, clients: qs }],
          cls: CLIENT_CLASSES['aws-managed'],
        });
      }
    }
  }

  /**
   * Catalog 2.1.2 (b) 1: N must also forward what Q's outbound entries send to the internet: inbound from Q's CIDR
   * and outbound to the destination, on the service ports. Reported only when N's NACL certainly lets none of it
   * through; when Q's NACL allows every port, the service ports and so the forwarding are unknown.
   */
  private natForwarding(nat: Resource, n: SubnetInfo, q: SubnetInfo, qn: NaclInfo, internet: AddressSet): void {
    const { view } = this;
    if (n.nacl.kind !== 'nacl' || !q.cidr4) return;
    const nn = view.nacls.get(n.nacl.key)!;
    if (nn.entries.some((e) => e.invalid && e.exists !== 'no')) return;
    const outMin = naclRules(view, qn, 'outbound', 'min').rules;
    let declared = false;
    let everyPort = qn.isDefault;
    for (const e of qn.entries) {
      if (!isCertain(e, qn.key) || entryDirection(e) !== 'outbound') continue;
      const r0 = e.rule!;
      if (r0.family !== 4 || r0.action !== 'allow' || !r0.addrs.overlaps(internet)) continue;
      if (r0.protocol === -1 || ((r0.protocol === 6 || r0.protocol === 17) && classifyRange(r0.ports) === 'wide')) {
        everyPort = true;
        continue;
      }
      if ((r0.protocol !== 6 && r0.protocol !== 17) || classifyRange(r0.ports) !== 'service') continue;
      const rule = outMin.find((r) => r.source?.entry === e && !r.source.assumed);
      if (!rule) continue;
      const eff = effectiveRegion(outMin, rule);
      const dest = eff.addresses().intersect(internet);
      if (dest.isEmpty()) continue;
      let ports = eff.ports();
      if (r0.protocol === 17) ports = ports.subtract(UDP_NO_EPHEMERAL).intersect(this.options.udpServices);
      if (ports.isEmpty()) continue;
      declared = true;
      const P = protocolName(r0.protocol);
      // The destination as the entry writes it; only its public part goes through the NAT gateway.
      const destText = dest.equals(r0.addrs) ? dest.describe() : `the public addresses of ${r0.addrs.describe()}`;
      const legs: Array<[Direction, AddressSet]> = [
        ['inbound', q.cidr4],
        ['outbound', dest],
      ];
      for (const [dir, peer] of legs) {
        const d = decide(naclRules(view, nn, dir, 'max').rules, r0.protocol, peer, ports);
        if (!d.allowed.isEmpty()) continue;
        const deny = d.parts
          .filter((x) => x.rule)
          .map((x) => x.rule!)
          .sort((a, b) => a.number - b.number)[0];
        const k = suggestNumber(usedNumbers(view, nn, dir), deny?.number);
        const where =
          dir === 'inbound' ? `in from subnet ${q.resource.logicalId} (${peer.describe()})` : `out to ${destText}`;
        const why = deny
          ? `denied first by ${deny.source?.builtin ?? `rule ${deny.number} (${deny.source?.entry?.resource.logicalId})`}`
          : 'no entry allows it';
        const related: RelatedInput[] = [
          {
            logicalId: q.resource.logicalId,
            message: `subnet ${q.resource.logicalId} routes 0.0.0.0/0 to NAT gateway ${nat.logicalId}`,
          },
          {
            logicalId: e.resource.logicalId,
            message: `entry ${e.resource.logicalId} (rule ${r0.number}) allows the request out of ${q.resource.logicalId}`,
          },
          { logicalId: n.resource.logicalId, message: `subnet ${n.resource.logicalId} uses ${nn.label}` },
          { logicalId: nn.resource.logicalId, message: capital(nn.label) },
        ];
        if (deny?.source?.entry)
          related.push({
            logicalId: deny.source.entry.resource.logicalId,
            message: `${ruleLabel(deny)} denies it first`,
          });
        this.findings.push({
          resource: nat,
          path: ['Properties', 'SubnetId'],
          severity: 'error',
          grade: 'nat-forwarding',
          key: `nat-forwarding|${q.resource.logicalId}|${e.resource.logicalId}|${dir}`,
          related,
          message: `NAT gateway ${nat.logicalId} (subnet ${subnetLabel(n)}) cannot forward what subnet ${subnetLabel(q)} sends to the internet: its NACL allows outbound ${P} ${portsText(ports)} to ${r0.addrs.describe()} (entry ${e.resource.logicalId}, rule ${r0.number}), but ${nn.label} does not let that traffic ${where} (${why}). Add an ${dir} ALLOW ${P} ${dir === 'inbound' ? `from ${peer.describe()}` : `to ${r0.addrs.describe()}`} for ${portsText(ports)}${k === undefined ? '' : ` with rule number ${k}`}.`,
        });
      }
    }
    if (everyPort && !declared)
      this.note(`fwd:${nat.logicalId}:${q.resource.logicalId}`, {
        resource: nat,
        why: `the ports NAT gateway ${nat.logicalId} forwards for subnet ${q.resource.logicalId} are unknown (its NACL allows every port out), so the forwarding through ${nn.label} is not checked`,
      });
  }

  private loadBalancerFlows(): void {
    const { view } = this;
    for (const lb of view.loadBalancers.values()) {
      if (lb.exists !== 'yes' || lb.kind === 'gateway' || lb.kind === undefined) continue;
      const id = lb.resource.logicalId;
      if (lb.subnetsWhy && lb.subnets.length)
        this.note(`subnets:${id}`, {
          resource: lb.resource,
          path: lb.subnetsPath,
          why: `some subnets of load balancer ${id} are unknown: ${lb.subnetsWhy}`,
        });
      if (!lb.subnets.length) continue;
      const wiring = lbWiring(this.tctx, view, lb);
      for (const why of wiring.unknown) this.note(`lbw:${id}:${why}`, { resource: lb.resource, why });
      // L is a server towards internet clients on the listener ports.
      if (lb.scheme === undefined)
        this.note(`scheme:${id}`, {
          resource: lb.resource,
          path: ['Properties', 'Scheme'],
          why: `the scheme of load balancer ${id} is unknown`,
        });
      if (lb.scheme === 'internet-facing') {
        for (const [p, ports] of wiring.listeners) {
          const families: Family[] = lb.dualstack === 'yes' ? [4, 6] : [4];
          for (const s of lb.subnets) {
            for (const f of families)
              this.addArch(s, {
                role: 'server',
                protocol: p,
                family: f,
                peer: AddressSet.all(f),
                ports,
                sources: [{ kind: 'lb-listener', lb: lb.resource, ports }],
              });
          }
        }
      }
      // L is a client towards its targets T; T is a server towards L's subnets.
      const lbCidrs = new Map<Family, AddressSet>();
      for (const s of lb.subnets) {
        const info = view.subnets.get(s)!;
        for (const [f, c] of [
          [4, info.cidr4],
          [6, info.cidr6],
        ] as const) {
          if (!c) continue;
          lbCidrs.set(f, lbCidrs.get(f)?.union(c) ?? c);
        }
        if (!info.cidr4)
          this.note(`cidr:${s}`, {
            resource: info.resource,
            why: `the CIDR of subnet ${s} is unknown: ${info.cidr4Why}`,
          });
      }
      // One flow per load balancer subnet towards all target subnets (the own subnet is exempt later).
      for (const p of wiring.targetProtocols) {
        for (const f of [4, 6] as const) {
          if (f === 6 && lb.dualstack !== 'yes') continue;
          let peer = AddressSet.empty(f);
          const targets: string[] = [];
          for (const t of wiring.targetSubnets) {
            const ts = view.subnets.get(t)!;
            const tc = f === 4 ? ts.cidr4 : ts.cidr6;
            if (tc) {
              peer = peer.union(tc);
              targets.push(t);
            } else if (f === 4)
              this.note(`cidr:${t}`, {
                resource: ts.resource,
                why: `the CIDR of subnet ${t} is unknown: ${ts.cidr4Why}`,
              });
          }
          if (peer.isEmpty()) continue;
          for (const s of lb.subnets) {
            this.addArch(s, {
              role: 'client',
              protocol: p,
              family: f,
              peer,
              ports: wiring.targetPorts,
              sources: [{ kind: 'lb-node', lb: lb.resource, targets }],
              cls: CLIENT_CLASSES['aws-managed'],
            });
          }
        }
      }
      for (const t of wiring.targetSubnets) {
        const ts = view.subnets.get(t)!;
        for (const p of wiring.targetProtocols) {
          for (const f of [4, 6] as const) {
            const tc = f === 4 ? ts.cidr4 : ts.cidr6;
            const lc = lbCidrs.get(f);
            if (!tc || !lc || (f === 6 && lb.dualstack !== 'yes')) continue;
            const peer = lc.subtract(tc);
            if (!peer.isEmpty())
              this.addArch(t, {
                role: 'server',
                protocol: p,
                family: f,
                peer,
                ports: wiring.targetPorts,
                sources: [{ kind: 'lb-target', lb: lb.resource, lbSubnets: lb.subnets }],
                cls: CLIENT_CLASSES['aws-managed'],
              });
          }
          // An NLB that preserves client addresses: T answers the clients directly.
          if (lb.kind === 'network' && lb.scheme === 'internet-facing' && (wiring.preserveClientIp || p === 17)) {
            this.addArch(t, {
              role: 'server',
              protocol: p,
              family: 4,
              peer: AddressSet.all(4),
              ports: wiring.targetPorts,
              sources: [{ kind: 'nlb-client-ip', lb: lb.resource }],
            });
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------- one (NACL, subnet) pair

  private analysePair(ctx: PairContext, family: Family): Array<{ f: ReturnFinding; template: string }> {
    const { subnet } = ctx;
    if (subnet) {
      if (family === 6 && subnet.ipv6 === 'no') return [];
      if (family === 4 && !subnet.cidr4 && subnet.cidr4Why === 'the subnet is IPv6-only') return [];
    }
    const flows: Flow[] = [...this.declaredFlows(ctx, family)];
    if (subnet)
      for (const f of this.archFlows.get(subnet.resource.logicalId) ?? []) {
        if (f.family !== family) continue;
        const admitted = this.admitted(ctx, f);
        if (admitted) flows.push(admitted);
      }
    if (!flows.length) return [];
    if (subnet && family === 6 && subnet.ipv6 === 'maybe') {
      this.note(`ipv6:${subnet.resource.logicalId}`, {
        resource: subnet.resource,
        path: ['Properties', 'Ipv6CidrBlock'],
        why: `whether subnet ${subnet.resource.logicalId} has IPv6 addresses is unknown, so its IPv6 flows are not checked`,
      });
      return [];
    }
    const merged = mergeFlows(flows);
    const exempt = this.exemptions(ctx, family);
    const out: Array<{ f: ReturnFinding; template: string }> = [];
    for (const flow of merged) {
      const r = this.grade(ctx, flow, exempt);
      if (r) out.push(r);
    }
    return out;
  }

  /**
   * An architecture flow restricted to the peers whose requests the NACL certainly lets through (least permissive
   * reading). A request the NACL blocks anyway has no reply to return; that is not this rule's finding.
   */
  private admitted(ctx: PairContext, flow: Flow): Flow | undefined {
    const dir: Direction = flow.role === 'server' ? 'inbound' : 'outbound';
    const ports = flow.ports.isEmpty() ? PortSet.all() : flow.ports;
    const min = decide(naclRules(this.view, ctx.nacl, dir, 'min').rules, flow.protocol, flow.peer, ports);
    const peer = min.allowed.addresses();
    if (!peer.isEmpty()) return { ...flow, peer };
    const max = decide(naclRules(this.view, ctx.nacl, dir, 'max').rules, flow.protocol, flow.peer, ports);
    if (!max.allowed.isEmpty()) {
      this.note(`req:${ctx.nacl.key}:${ctx.subnet?.resource.logicalId}:${flowKey(flow)}`, {
        resource: ctx.nacl.resource,
        why: `whether ${ctx.nacl.label} lets ${list(flow.sources.map((x) => archText(x, this.view)))} through depends on ${list(
          naclRules(this.view, ctx.nacl, dir, 'max').uncertain.map((e) => `entry ${e.resource.logicalId}`),
        )}`,
      });
    }
    return undefined;
  }

  /** Known and unknown addresses that the NACL of this pair never filters. */
  private exemptions(ctx: PairContext, family: Family): { known: AddressSet; unknown: UnknownExemption[] } {
    let known = NEVER_FILTERED[family];
    const unknown: UnknownExemption[] = [];
    const vpcRef = ctx.subnet?.vpc ?? ctx.nacl.vpc;
    const vpc = vpcRef.kind === 'resource' ? this.view.vpcs.get(vpcRef.logicalId) : undefined;
    const vpcCidr = family === 4 ? vpc?.cidr4 : vpc?.cidr6;
    if (family === 4) {
      const primary = vpc?.primaryCidr ? parseCidr(vpc.primaryCidr) : undefined;
      if (primary) known = known.union(AddressSet.address(4, primary.base + 2n));
      else unknown.push({ singleAddress: true, why: 'the CIDR of the VPC (its DNS resolver at base + 2) is unknown' });
    }
    const own = ctx.subnet ? (family === 4 ? ctx.subnet.cidr4 : ctx.subnet.cidr6) : undefined;
    if (own) known = known.union(own);
    else {
      const why = ctx.subnet
        ? `the ${family === 4 ? 'IPv4' : 'IPv6'} CIDR of subnet ${ctx.subnet.resource.logicalId} is unknown${family === 4 && ctx.subnet.cidr4Why ? `: ${ctx.subnet.cidr4Why}` : ''}`
        : `${ctx.nacl.label} is associated with subnets outside this template`;
      unknown.push({ blockPrefix: MAX_SUBNET_PREFIX[family], within: vpcCidr, why });
    }
    return { known, unknown };
  }

  /** Catalog 2.1.2 (a): flows declared by effective service-looking ALLOW entries. */
  private *declaredFlows(ctx: PairContext, family: Family): Generator<Flow> {
    const { nacl, subnet } = ctx;
    const client = subnet
      ? this.subnetClass(subnet)
      : { cls: this.options.project ?? CLIENT_CLASSES.unknown!, lambdas: [] };
    for (const e of nacl.entries) {
      const dir = entryDirection(e);
      if (!isCertain(e, nacl.key) || !dir) {
        this.maybeFlowNote(nacl, e);
        continue;
      }
      const rule0 = e.rule!;
      if (rule0.family !== family || rule0.action !== 'allow' || (rule0.protocol !== 6 && rule0.protocol !== 17))
        continue;
      if (classifyRange(rule0.ports) !== 'service') continue;
      const rules = naclRules(this.view, nacl, dir, 'min').rules;
      const rule = rules.find((r) => r.source?.entry === e && !r.source.assumed)!;
      const eff = effectiveRegion(rules, rule);
      if (eff.isEmpty()) continue;
      let ports = eff.ports();
      if (rule.protocol === 17) {
        const wanted = ports.subtract(UDP_NO_EPHEMERAL);
        if (wanted.isEmpty()) continue;
        const known = wanted.intersect(this.options.udpServices);
        if (known.isEmpty()) {
          this.note(`udp:${e.resource.logicalId}`, {
            resource: e.resource,
            why: `UDP ${portsText(wanted)} may be a one-way service (no replies); list it in udpServices to check its return path`,
          });
          continue;
        }
        ports = known;
      }
      const role: Role = dir === 'inbound' ? 'server' : 'client';
      const sources: FlowSource[] = [{ kind: 'entry', entry: e, rule, ports }];
      if (role === 'client') for (const fn of client.lambdas) sources.push({ kind: 'lambda', fn });
      yield {
        role,
        protocol: rule.protocol as 6 | 17,
        family,
        peer: eff.addresses(),
        ports,
        sources,
        cls: role === 'client' ? client.cls : undefined,
      };
    }
  }

  private maybeFlowNote(nacl: NaclInfo, e: NaclEntry): void {
    if (e.action.state === 'known' && e.action.value === 'deny') return;
    if (e.protocol.state === 'known' && e.protocol.value !== 6 && e.protocol.value !== 17) return;
    if (e.invalid) return;
    const why =
      e.exists !== 'yes'
        ? `entry ${e.resource.logicalId} exists only when condition ${e.resource.condition} holds`
        : e.problems.length
          ? e.problems.join('; ')
          : `the NACL or direction of entry ${e.resource.logicalId} depends on a condition`;
    this.note(`entry:${e.resource.logicalId}`, {
      resource: e.resource,
      why: `cannot tell whether entry ${e.resource.logicalId} allows requests that need a return path in ${nacl.label}: ${why}`,
    });
  }

  // ---------------------------------------------------------------- grading

  private grade(
    ctx: PairContext,
    flow: Flow,
    exempt: { known: AddressSet; unknown: UnknownExemption[] },
  ): { f: ReturnFinding; template: string } | undefined {
    const { view, options } = this;
    const { nacl } = ctx;
    let peer = flow.peer.subtract(exempt.known);
    for (const x of options.exclusions) if (x.family === flow.family) peer = peer.subtract(x);
    if (peer.isEmpty()) return undefined;
    const returnDir: Direction = flow.role === 'server' ? 'outbound' : 'inbound';
    const maxSet = naclRules(view, nacl, returnDir, 'max');
    const zones = flow.cls ? [] : this.zones(flow.family);
    const gradeCells = (rules: readonly NaclRule[]) => {
      const d = decide(rules, flow.protocol, peer, EPHEMERAL.all);
      // The common case: every peer address gets every ephemeral port back, whatever its client class.
      const plain = allowedPortsByAddress(d.allowed, peer);
      if (plain.every((c) => c.allowed.covers(EPHEMERAL.all))) {
        const cls = flow.cls ?? CLIENT_CLASSES.unknown!;
        return {
          d,
          cells: plain.map((c) => ({ ...c, cls, zone: undefined as Zone | undefined, grade: 'full' as const })),
        };
      }
      const cells = allowedPortsByAddress(
        d.allowed,
        peer,
        zones.map((z) => z.addrs),
      );
      return {
        d,
        cells: cells.map((c) => {
          const zone = flow.cls || c.firstSplit === undefined ? undefined : zones[c.firstSplit];
          const cls = flow.cls ?? zone?.cls ?? CLIENT_CLASSES.unknown!;
          return { ...c, cls, zone, grade: gradePorts(c.allowed, cls) };
        }),
      };
    };
    const best = gradeCells(maxSet.rules);
    const failing = best.cells.filter((c) => c.grade !== 'full');
    const flowLabel = (): string =>
      `${flow.role === 'server' ? 'replies to' : 'replies from'} ${peer.describeLoosely(exempt.known.intersect(flow.peer), 3)} (${protocolName(flow.protocol)})`;
    if (!failing.length) {
      const minSet = naclRules(view, nacl, returnDir, 'min');
      if (minSet.uncertain.length) {
        const worst = gradeCells(minSet.rules);
        if (worst.cells.some((c) => c.grade !== 'full')) {
          const at = primaryEntry(flow)?.resource ?? nacl.resource;
          this.note(`ret:${nacl.key}:${ctx.subnet?.resource.logicalId}:${flowKey(flow)}`, {
            resource: at,
            why: `the return path for ${flowLabel()} in ${nacl.label} depends on ${list(minSet.uncertain.map((e) => `entry ${e.resource.logicalId} (${e.problems.join('; ') || `condition ${e.resource.condition}`})`))}`,
          });
        }
      }
      return undefined;
    }
    // Findings must hold whatever the unknown subnet or VPC addresses are.
    const groups = groupCells(best.cells);
    if (exempt.unknown.length && groups.some((g) => canVanish(g.addrs, exempt.unknown))) {
      this.note(`sub:${nacl.key}:${ctx.subnet?.resource.logicalId}:${flowKey(flow)}`, {
        resource: primaryEntry(flow)?.resource ?? nacl.resource,
        why: `the return path for ${flowLabel()} depends on addresses that may be exempt: ${exempt.unknown.map((u) => u.why).join('; ')}`,
      });
      return undefined;
    }
    return this.describe(
      ctx,
      flow,
      peer,
      best.d,
      best.cells,
      best.d.parts.some((p) => p.rule?.source?.assumed),
      exempt.known,
    );
  }

  private describe(
    ctx: PairContext,
    flow: Flow,
    peer: AddressSet,
    d: Decision<RuleSource>,
    cells: readonly GradedCell[],
    assumed: boolean,
    exemptKnown: AddressSet,
  ): { f: ReturnFinding; template: string } {
    const { nacl } = ctx;
    const P = protocolName(flow.protocol);
    const server = flow.role === 'server';
    const returnDir: Direction = server ? 'outbound' : 'inbound';
    const toFrom = server ? 'to' : 'from';
    // Describe address sets loosely around the addresses that are never filtered.
    const dontCare = exemptKnown.intersect(flow.peer);
    const show = (s: AddressSet): string => s.describeLoosely(dontCare);
    const none = cells.filter((c) => c.grade === 'none');
    const others = cells.filter((c) => c.grade !== 'none');
    const partial = others.filter((c) => c.grade !== 'full');
    const denyRules = d.parts.filter((p) => p.action === 'deny' && p.rule);
    const allowRules = [...new Set(d.parts.filter((p) => p.action === 'allow' && p.rule).map((p) => p.rule!))];
    /** The ALLOW entries that decide part of the return traffic of some addresses. */
    const allowRulesFor = (cidr: AddressSet): NaclRule[] => [
      ...new Set(
        d.parts
          .filter((p) => p.action === 'allow' && p.rule && p.region.addresses().overlaps(cidr))
          .map((p) => p.rule!),
      ),
    ];
    const firstDenyFor = (cidr: AddressSet): NaclRule | undefined =>
      denyRules
        .filter((p) => p.region.addresses().overlaps(cidr))
        .map((p) => p.rule!)
        .sort((x, y) => x.number - y.number)[0];
    const firstDeny = firstDenyFor(peer);
    const used = usedNumbers(this.view, nacl, returnDir);
    const k = suggestNumber(used, firstDeny?.number);
    const numberText =
      k === undefined
        ? ' (no free rule number is left below the DENY; renumber the entries)'
        : ` with rule number ${k}${firstDeny ? ` (any free number below ${firstDeny.number})` : ''}`;
    const add = (cidr: AddressSet): string =>
      `Add an ${returnDir} ALLOW ${P} ${toFrom} ${show(cidr)} for ports 1024–65535${numberText}.`;
    const denyText = (cidr: AddressSet): string => {
      const r = firstDenyFor(cidr);
      return r
        ? `denied first by ${r.source?.builtin ?? `rule ${r.number} (${r.source?.entry?.resource.logicalId})`}`
        : '';
    };
    const rulesText = (rules: readonly NaclRule[]): string => list(rules.map((r) => ruleLabel(r)));

    // What allows the request, and who the clients are.
    const entrySources = flow.sources
      .filter((x): x is Extract<FlowSource, { kind: 'entry' }> => x.kind === 'entry')
      .sort((x, y) => x.rule.number - y.rule.number);
    const arch = flow.sources.filter((x) => x.kind !== 'entry' && x.kind !== 'lambda');
    const archList = list(arch.map((x) => archText(x, this.view)));
    let lead: string;
    if (entrySources.length) {
      const ports = entrySources.reduce((acc, x) => acc.union(x.ports), PortSet.empty());
      const entries = list(entrySources.map((x) => `entry ${x.entry.resource.logicalId}, rule ${x.rule.number}`));
      lead = `${capital(nacl.label)} ({SUBNETS}) allows ${server ? 'inbound' : 'outbound'} ${P} ${portsText(ports)} ${server ? 'from' : 'to'} ${show(peer)} (${entries})`;
      if (arch.length) lead += `, which ${server ? 'admits' : 'carries'} ${archList}`;
    } else {
      lead = `${capital(nacl.label)} ({SUBNETS}) ${server ? 'receives' : 'carries'} ${archList}`;
    }
    // Who uses source ports 1024-65535 (aws-managed clients), for the messages of managed grades.
    const managedWho: Array<{ text: string; plural: boolean }> = [];
    for (const x of flow.sources) {
      if (x.kind === 'nat-client') managedWho.push({ text: `NAT gateway ${x.nat.logicalId}`, plural: false });
      else if (x.kind === 'lambda') managedWho.push({ text: `VPC Lambda ${x.fn.logicalId}`, plural: false });
      else if (x.kind === 'lb-node' || x.kind === 'lb-target')
        managedWho.push({ text: `the nodes of load balancer ${x.lb.logicalId}`, plural: true });
    }
    const uniqueWho = [...new Map(managedWho.map((w) => [w.text, w])).values()];
    const who = uniqueWho.length
      ? `${capital(list(uniqueWho.map((w) => w.text)))} ${uniqueWho.length > 1 || uniqueWho[0]!.plural ? 'use' : 'uses'} source ports 1024–65535`
      : '';

    const related: RelatedInput[] = [];
    const addRelated = (logicalId: string | undefined, message: string, path?: PathSegment[]): void => {
      if (!logicalId || related.some((r) => r.logicalId === logicalId)) return;
      related.push({ logicalId, message, ...(path ? { path } : {}) });
    };
    if (ctx.subnet)
      addRelated(ctx.subnet.resource.logicalId, `subnet ${ctx.subnet.resource.logicalId} uses ${nacl.label}`);
    addRelated(
      nacl.resource.logicalId,
      nacl.isDefault ? `VPC ${nacl.resource.logicalId} (its default NACL)` : nacl.label,
    );
    for (const x of entrySources.slice(1))
      addRelated(
        x.entry.resource.logicalId,
        `entry ${x.entry.resource.logicalId} (rule ${x.rule.number}) allows the request too`,
      );
    for (const x of flow.sources) {
      const r =
        x.kind === 'nat-client' || x.kind === 'nat-server'
          ? x.nat
          : x.kind === 'lambda'
            ? x.fn
            : x.kind === 'entry'
              ? undefined
              : x.lb;
      if (r) addRelated(r.logicalId, `${RESOURCE_NOUN[r.type] ?? r.type} ${r.logicalId}`);
    }
    if (firstDeny?.source?.entry)
      addRelated(firstDeny.source.entry.resource.logicalId, `${ruleLabel(firstDeny)} denies the return traffic first`, [
        'Properties',
        'RuleNumber',
      ]);
    for (const r of allowRules)
      if (r.source?.entry)
        addRelated(r.source.entry.resource.logicalId, `${ruleLabel(r)} allows part of the return traffic`, [
          'Properties',
          'PortRange',
        ]);

    let grade: string;
    let severity: Severity;
    let message: string;
    let widenFrom: NaclRule[] = allowRules;
    if (!others.length) {
      grade = 'none';
      severity = 'error';
      const allowedSome = cells.some((c) => !c.allowed.intersect(EPHEMERAL.all).isEmpty());
      const reason = allowedSome
        ? `allowed only on ${describeAllowed(cells, show)} (${rulesText(allowRules)}), which covers neither the Linux (32768–60999) nor the Windows (49152–65535) ephemeral range`
        : denyText(peer) || 'not allowed by any entry';
      message = server
        ? `${lead}, but replies cannot leave the subnet: outbound ${P} to ${show(peer)} on ephemeral ports 1024–65535 is ${reason}.`
        : `${lead}, but inbound ${P} replies from ${show(peer)} on the subnet's ephemeral ports 1024–65535 are ${reason}.`;
      if (who) message += ` ${who}.`;
      message += ` NACLs are stateless, so every allowed request needs an allowed return path. ${add(peer)}`;
      if (this.symmetric(ctx, flow, peer)) {
        severity = 'warning';
        grade = 'none-symmetric';
        message += ` Replies do reach clients that send from ${portsText(flow.ports)} themselves (symmetric mode, such as ntpd), but clients that use ephemeral source ports (chrony, systemd-timesyncd, SNTP clients) time out.`;
      }
    } else if (none.length) {
      grade = 'address-partial';
      severity = 'warning';
      const dropped = none.reduce((acc, c) => acc.union(c.addrs), AddressSet.empty(flow.family));
      const deny = denyText(dropped);
      const natNote =
        !server && ctx.subnet?.natGateways.length
          ? ` Subnet ${ctx.subnet.resource.logicalId} reaches the internet through NAT gateway ${list(ctx.subnet.natGateways)}, so replies arrive from the remote servers' addresses, not from the NAT gateway.`
          : '';
      const fix = deny
        ? `Either stop allowing the requests ${toFrom === 'to' ? 'from' : 'to'} ${show(dropped)} as well, or, if this is a deny list, list ${show(dropped)} under expectedExclusions in the archlint config.`
        : `Either narrow the ${server ? 'inbound source' : 'outbound destination'} or widen the return entry: ${lowerFirst(add(peer))}`;
      message = `${lead}, but ${returnDir} replies ${toFrom} ${show(dropped)} are ${deny || 'not allowed by any entry'}: ${server ? 'those clients can connect but never receive a reply' : 'those servers can be reached but their replies never arrive'}.${natNote} ${fix}`;
    } else {
      const worst =
        partial.find((c) => c.grade === 'managed-partial' || c.grade === 'class-partial') ??
        partial.find((c) => c.grade === 'narrow-partial') ??
        partial[0]!;
      grade = worst.grade;
      const ranges = partial.every((c) => c.allowed.equals(worst.allowed))
        ? worst.allowed.describe()
        : describeAllowed(partial, show);
      const worstRules = allowRulesFor(partial.reduce((acc, c) => acc.union(c.addrs), AddressSet.empty(flow.family)));
      const returnEntries = rulesText(worstRules);
      widenFrom = worstRules;
      if (grade === 'managed-partial' || grade === 'class-partial') {
        severity = 'error';
        const range = worst.cls.range;
        const share = (100 * (range.size() - worst.allowed.intersect(range).size())) / range.size();
        const whoText =
          grade === 'managed-partial'
            ? who || `${capital(worst.zone?.why ?? 'these clients')} use source ports 1024–65535`
            : `${capital(worst.zone?.why ?? `the clients are declared ${worst.cls.name} in archlint config`)}, with source ports ${range.describe()}`;
        message = `${lead}. ${whoText}, but the NACL allows ${returnDir} replies ${toFrom} ${show(worst.addrs)} only on ${ranges} (${returnEntries}), so about ${pct(share)}% of connections will time out at random. Widen the ${returnDir} ALLOW to ${grade === 'managed-partial' ? '1024–65535' : `cover ${range.describe()} (1024–65535 covers every client)`}.`;
      } else {
        severity = 'warning';
        const works =
          grade === 'wide-partial'
            ? 'for Linux and Windows clients'
            : worst.allowed.covers(EPHEMERAL.linux)
              ? 'only for Linux clients'
              : 'only for Windows clients';
        message = `${lead}. Replies ${toFrom} ${show(worst.addrs)} are allowed only on ${ranges} (${returnEntries}). This works ${works} with default settings and fails for clients using other ephemeral ports. Use 1024–65535, or declare the client range in archlint config if it is controlled.`;
      }
    }
    if (assumed) message += ' (This assumes that entries whose values are unknown allow as much as they can.)';

    // Location: the request entry; otherwise the return entry to widen; otherwise the NACL (or the VPC).
    let resource: Resource = nacl.resource;
    let path: PathSegment[] = [];
    const req = entrySources[0]?.entry;
    const widenable = new Set(widenFrom.map((r) => r.source?.entry).filter((e): e is NaclEntry => !!e));
    if (req) resource = req.resource;
    else if (grade.endsWith('partial') && grade !== 'address-partial' && widenable.size === 1) {
      resource = [...widenable][0]!.resource;
      path = ['Properties', 'PortRange'];
    }
    const key = `${ctx.subnet?.resource.logicalId ?? '(outside)'}|${flowKey(flow)}`;
    return { f: { resource, path, severity, message, related, key, grade }, template: message };
  }

  /** UDP services often used with the service port as source port (NTP): whether replies to it pass. */
  private symmetric(ctx: PairContext, flow: Flow, peer: AddressSet): boolean {
    if (flow.protocol !== 17 || !UDP_SYMMETRIC.covers(flow.ports)) return false;
    const returnDir: Direction = flow.role === 'server' ? 'outbound' : 'inbound';
    const d = decide(naclRules(this.view, ctx.nacl, returnDir, 'max').rules, 17, peer, flow.ports);
    return d.denied.isEmpty();
  }
}

function capital(s: string): string {
  return s ? s[0]!.toUpperCase() + s.slice(1) : s;
}

function lowerFirst(s: string): string {
  return s ? s[0]!.toLowerCase() + s.slice(1) : s;
}

function flowKey(f: Flow): string {
  return `${f.role}|${f.protocol}|${f.family}|${f.peer.toString()}`;
}

function primaryEntry(f: Flow): NaclEntry | undefined {
  const e = f.sources
    .filter((s): s is Extract<FlowSource, { kind: 'entry' }> => s.kind === 'entry')
    .sort((a, b) => a.rule.number - b.rule.number)[0];
  return e?.entry;
}

/** "32768–65535", or per address group when the groups differ. */
function describeAllowed(
  cells: ReadonlyArray<{ addrs: AddressSet; allowed: PortSet }>,
  show: (s: AddressSet) => string,
): string {
  const byPorts = new Map<string, { ports: PortSet; addrs: AddressSet }>();
  for (const c of cells) {
    const p = c.allowed.intersect(EPHEMERAL.all);
    const k = p.describe();
    const g = byPorts.get(k);
    byPorts.set(k, { ports: p, addrs: g ? g.addrs.union(c.addrs) : c.addrs });
  }
  if (byPorts.size === 1) return [...byPorts.values()][0]!.ports.describe();
  return [...byPorts.values()]
    .map((g) => `${g.ports.isEmpty() ? 'no ports' : g.ports.describe()} for ${show(g.addrs)}`)
    .join('; ');
}

function groupCells<C extends { addrs: AddressSet; grade: string; allowed: PortSet }>(
  cells: readonly C[],
): Array<{ addrs: AddressSet }> {
  const m = new Map<string, AddressSet>();
  for (const c of cells) {
    const k = `${c.grade}|${c.allowed.describe()}`;
    m.set(k, m.get(k)?.union(c.addrs) ?? c.addrs);
  }
  return [...m.values()].map((addrs) => ({ addrs }));
}

function archText(s: FlowSource, view: NetworkView): string {
  switch (s.kind) {
    case 'nat-client':
      return `connections that NAT gateway ${s.nat.logicalId} opens to the internet for subnet${s.clients.length > 1 ? 's' : ''} ${list([...s.clients])}`;
    case 'nat-server':
      return `connections from subnet ${s.client} to NAT gateway ${s.nat.logicalId}`;
    case 'lambda':
      return `connections of VPC Lambda ${s.fn.logicalId}`;
    case 'lb-listener': {
      const lb = view.loadBalancers.get(s.lb.logicalId);
      return `connections from the clients of ${lb?.scheme ?? ''} load balancer ${s.lb.logicalId} on ${portsText(s.ports)}`.replace(
        '  ',
        ' ',
      );
    }
    case 'lb-node':
      return `connections from load balancer ${s.lb.logicalId} to its targets in subnet${s.targets.length > 1 ? 's' : ''} ${list([...s.targets])}`;
    case 'lb-target':
      return `connections from load balancer ${s.lb.logicalId} (subnet${s.lbSubnets.length > 1 ? 's' : ''} ${list([...s.lbSubnets])}) to its targets`;
    case 'nlb-client-ip':
      return `client connections that network load balancer ${s.lb.logicalId} forwards with the client address preserved`;
    case 'entry':
      return `entry ${s.entry.resource.logicalId}`;
  }
}

/** Service-looking, ephemeral-looking or wide (catalog 2.1.2 (a)). */
export function classifyRange(ports: PortSet): 'service' | 'ephemeral' | 'wide' {
  if (ports.covers(EPHEMERAL.all)) return 'wide';
  const from = ports.first() ?? 0;
  if (from >= 1024 && ports.size() >= 16384) return 'ephemeral';
  return 'service';
}

/** Merge flows that need the same return check (same role, protocol, family and peer). */
function mergeFlows(flows: readonly Flow[]): Flow[] {
  const m = new Map<string, Flow>();
  for (const f of flows) {
    const k = flowKey(f);
    const g = m.get(k);
    if (!g) {
      m.set(k, f);
      continue;
    }
    const managed = [g.cls, f.cls].find((c) => c?.name === 'aws-managed');
    m.set(k, {
      ...g,
      ports: g.ports.union(f.ports),
      sources: [...g.sources, ...f.sources.filter((s) => !g.sources.includes(s))],
      cls: managed ?? g.cls ?? f.cls,
    });
  }
  return [...m.values()];
}

// ------------------------------------------------------------------ load balancer wiring

interface LbWiring {
  /** Listener protocol -> ports. */
  readonly listeners: ReadonlyMap<6 | 17, PortSet>;
  readonly targetSubnets: readonly string[];
  readonly targetProtocols: readonly (6 | 17)[];
  readonly targetPorts: PortSet;
  readonly preserveClientIp: boolean;
  readonly unknown: readonly string[];
}

function knownOf(tctx: TemplateContext, r: Resource, path: readonly PathSegment[]): unknown {
  const v = tctx.evaluator.at(r, path);
  return v.kind === 'known' ? v.value : undefined;
}

function protocolsOf(p: unknown): Array<6 | 17> {
  const s = typeof p === 'string' ? p.toUpperCase() : '';
  if (s === 'UDP') return [17];
  if (s === 'TCP_UDP') return [6, 17];
  if (s === 'GENEVE') return [];
  return [6];
}

/**
 * Listeners, target groups and the subnets of their targets: the load-balancing view for Elastic Load Balancing v2,
 * the classic load balancer's own Listeners and Instances (and Auto Scaling groups naming it) otherwise.
 */
function lbWiring(tctx: TemplateContext, view: NetworkView, lb: LoadBalancerInfo): LbWiring {
  const { model } = tctx;
  const id = lb.resource.logicalId;
  const unknown: string[] = [];
  const listeners = new Map<6 | 17, PortSet>();
  const targetSubnets = new Set<string>();
  const protocols = new Set<6 | 17>();
  let targetPorts = PortSet.empty();
  let preserveClientIp = false;
  const addListener = (proto: unknown, port: unknown): void => {
    const n = toNumber(port);
    for (const p of protocolsOf(proto))
      listeners.set(p, (listeners.get(p) ?? PortSet.empty()).union(n === undefined ? PortSet.empty() : PortSet.of(n)));
  };
  /** The subnets of a target that must be an instance of this template (`instanceId`: its logical id). */
  const instanceSubnets = (instanceId: string | undefined, where: string): void => {
    const inst = instanceId === undefined ? undefined : model.resources.get(instanceId);
    if (inst?.type !== 'AWS::EC2::Instance') {
      unknown.push(`a target of ${where} is not an instance of this template`);
      return;
    }
    const nics = inst.properties.NetworkInterfaces;
    const raws =
      inst.properties.SubnetId !== undefined
        ? [inst.properties.SubnetId]
        : Array.isArray(nics)
          ? nics.map((n) => (isRecord(n) ? n.SubnetId : undefined))
          : [];
    let found = false;
    for (const r of raws) {
      const s = r === undefined ? undefined : view.resolve(r);
      if (s?.kind === 'resource' && view.subnets.has(s.logicalId)) {
        targetSubnets.add(s.logicalId);
        found = true;
      }
    }
    if (!found) unknown.push(`the subnet of instance ${inst.logicalId} (a target of ${where}) is unknown`);
  };
  const subnetItems = (r: Resource, path: readonly PathSegment[], where: string): void => {
    let raw: unknown = r.node;
    for (const seg of path)
      raw = isRecord(raw) || Array.isArray(raw) ? (raw as Record<string | number, unknown>)[seg as never] : undefined;
    const items = Array.isArray(raw) ? raw : undefined;
    if (!items) {
      const v = raw === undefined ? undefined : tctx.evaluator.value(raw);
      if (v?.kind === 'known' && Array.isArray(v.value)) {
        for (const x of v.value)
          if (typeof x === 'object' && x && 'logicalId' in x)
            targetSubnets.add(String((x as { logicalId: string }).logicalId));
      } else unknown.push(`the subnets of ${where} are unknown`);
      return;
    }
    for (const it of items) {
      const s = view.resolve(it);
      if (s.kind === 'resource' && view.subnets.has(s.logicalId)) targetSubnets.add(s.logicalId);
      else unknown.push(`a subnet of ${where} is outside the template`);
    }
  };

  const result = (): LbWiring => ({
    listeners,
    targetSubnets: [...targetSubnets],
    targetProtocols: [...protocols],
    targetPorts,
    preserveClientIp,
    unknown,
  });

  if (lb.kind === 'classic') {
    const ls = tctx.evaluator.at(lb.resource, ['Properties', 'Listeners']);
    if (ls.kind === 'known' && Array.isArray(ls.value)) {
      for (const l of ls.value) {
        if (!isRecord(l)) continue;
        addListener(l.Protocol, l.LoadBalancerPort);
        const ip = toNumber(l.InstancePort);
        if (ip !== undefined) targetPorts = targetPorts.union(PortSet.of(ip));
        protocols.add(6);
      }
    } else if (ls.kind === 'unknown') unknown.push(`the listeners of load balancer ${id} are unknown`);
    const inst = lb.resource.properties.Instances;
    if (Array.isArray(inst))
      for (const i of inst) {
        const t = view.resolve(i);
        instanceSubnets(t.kind === 'resource' ? t.logicalId : undefined, `load balancer ${id}`);
      }
    for (const asg of model.byType.get('AWS::AutoScaling::AutoScalingGroup') ?? []) {
      if (tctx.exists(asg) !== 'yes') continue;
      const names = asg.properties.LoadBalancerNames;
      if (
        Array.isArray(names) &&
        names.some((n) => {
          const t = view.resolve(n);
          return t.kind === 'resource' && t.logicalId === id;
        })
      )
        subnetItems(asg, ['Properties', 'VPCZoneIdentifier'], `Auto Scaling group ${asg.logicalId}`);
    }
    return result();
  }

  // Listeners, their target groups, targets and registrars come from the load-balancing view.
  const known = (v: Value): unknown => (v.kind === 'known' ? v.value : undefined);
  const node = tctx.view(loadBalancingView).loadBalancers.get(id);
  const tgs = new Set<TargetGroup>();
  const tgOfActions = (actions: List<LbAction>): void => {
    for (const a of actions.items ?? []) {
      for (const f of a.forwards.items ?? []) {
        if (f.targetGroup.target) tgs.add(f.targetGroup.target);
        // A target group of this template that does not exist under the evaluated conditions forwards nothing.
        else if (model.resources.get(refOf(tctx.value(a.owner, f.path)) ?? '')?.type !== TARGET_GROUP)
          unknown.push(`a target group of load balancer ${id} is outside the template`);
      }
    }
  };
  const myListeners = (node?.listeners ?? []).filter((l) => tctx.exists(l.resource) === 'yes');
  for (const l of myListeners) {
    addListener(known(l.protocol) ?? (lb.kind === 'network' ? 'TCP' : 'HTTP'), known(l.port));
    tgOfActions(l.defaultActions);
  }
  for (const l of myListeners) for (const r of l.rules) if (tctx.exists(r.resource) === 'yes') tgOfActions(r.actions);
  for (const tg of tgs) {
    const tgId = tg.id;
    if (tctx.exists(tg.resource) !== 'yes') continue;
    const type = known(tg.targetType) ?? 'instance';
    if (type !== 'instance' && type !== 'ip') continue;
    const proto = known(tg.protocol) ?? (lb.kind === 'network' ? 'TCP' : 'HTTP');
    for (const p of protocolsOf(proto)) protocols.add(p);
    const port = toNumber(known(tg.port));
    if (port !== undefined) targetPorts = targetPorts.union(PortSet.of(port));
    const hc = toNumber(known(tg.healthCheck.port));
    if (hc !== undefined) targetPorts = targetPorts.union(PortSet.of(hc));
    if (lb.kind === 'network') {
      const attrs = knownOf(tctx, tg.resource, ['Properties', 'TargetGroupAttributes']);
      const attr = Array.isArray(attrs)
        ? attrs.find((a) => isRecord(a) && a.Key === 'preserve_client_ip.enabled')
        : undefined;
      const v = isRecord(attr) ? toBool(attr.Value) : undefined;
      if (v ?? type === 'instance') preserveClientIp = true;
    }
    for (const t of tg.targets.items ?? []) {
      if (type === 'instance') instanceSubnets(refOf(t.id), `target group ${tgId}`);
      else {
        const ip = known(t.id);
        const a = typeof ip === 'string' ? parseAddress(ip) : undefined;
        const hit = a
          ? [...view.subnets.values()].filter((s) =>
              (a.family === 4 ? s.cidr4 : s.cidr6)?.covers(AddressSet.address(a.family, a.value)),
            )
          : [];
        if (hit.length === 1) targetSubnets.add(hit[0]!.resource.logicalId);
        else unknown.push(`the subnet of an ip target of target group ${tgId} is unknown`);
      }
    }
    for (const { resource: reg } of tg.registrars) {
      if (tctx.exists(reg) !== 'yes') continue;
      if (reg.type === 'AWS::AutoScaling::AutoScalingGroup')
        subnetItems(reg, ['Properties', 'VPCZoneIdentifier'], `Auto Scaling group ${reg.logicalId}`);
      else if (isRecord(reg.properties.NetworkConfiguration))
        subnetItems(
          reg,
          ['Properties', 'NetworkConfiguration', 'AwsvpcConfiguration', 'Subnets'],
          `ECS service ${reg.logicalId}`,
        );
      else
        unknown.push(
          `the subnets of ECS service ${reg.logicalId} (a target of ${tgId}) are those of its container instances`,
        );
    }
  }
  return result();
}
