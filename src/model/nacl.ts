/**
 * The NACL decision model of catalog 2.1.1.
 *
 * A rule set is the list of entries of one NACL in one direction. `decide()` splits a box
 * (peer addresses A) x (destination ports P) for one protocol into the parts each entry decides, in
 * ascending rule-number order, first match wins, with the implicit final `*` DENY for whatever is left.
 * IPv4 and IPv6 are independent rule sets: entries of the other family never match.
 */
import { AddressSet, EPHEMERAL, PortSet, type Family } from './cidr';

export type Direction = 'inbound' | 'outbound';
export type Action = 'allow' | 'deny';

export const PROTOCOL_NAMES: Readonly<Record<number, string>> = {
  [-1]: 'all',
  1: 'ICMP',
  6: 'TCP',
  17: 'UDP',
  58: 'ICMPv6',
};

export function protocolName(p: number): string {
  return PROTOCOL_NAMES[p] ?? `protocol ${p}`;
}

/** Whether packets of a protocol carry ports that NACL port ranges apply to. */
export function hasPorts(protocol: number): boolean {
  return protocol === 6 || protocol === 17;
}

/** Whether the protocol is ICMP/ICMPv6 (type and code are encoded in the port dimension). */
export function isIcmp(protocol: number): boolean {
  return protocol === 1 || protocol === 58;
}

/**
 * ICMP type/code as a set in the port dimension: type t, code c -> t*256 + c. Type -1 means every type,
 * code -1 every code of the type.
 */
export function icmpSet(type: number, code: number): PortSet {
  if (type === -1) return PortSet.all();
  if (type < 0 || type > 255) return PortSet.empty();
  if (code === -1) return PortSet.range(type * 256, type * 256 + 255);
  if (code < 0 || code > 255) return PortSet.empty();
  return PortSet.of(type * 256 + code);
}

/** One entry, as decide() sees it. `source` carries whatever the caller wants back (the template entry). */
export interface AclRule<S = unknown> {
  readonly number: number;
  readonly action: Action;
  /** -1 = every protocol. */
  readonly protocol: number;
  readonly family: Family;
  readonly addrs: AddressSet;
  /** Destination ports (TCP/UDP), ICMP type/code (see icmpSet), or every port for other protocols and -1. */
  readonly ports: PortSet;
  readonly source?: S;
}

/** A product of an address set and a port set. */
export interface Box {
  readonly addrs: AddressSet;
  readonly ports: PortSet;
}

/**
 * A union of disjoint boxes, kept canonical: boxes with the same port set are merged into one (which keeps them
 * disjoint), so a region never holds more boxes than it has distinct port sets. Without this, repeated
 * subtractions fragment a region exponentially.
 */
export class Region {
  readonly boxes: readonly Box[];
  constructor(
    readonly family: Family,
    boxes: readonly Box[] = [],
  ) {
    this.boxes = boxes.length > 1 ? mergeByPorts(boxes) : boxes;
  }

  static box(addrs: AddressSet, ports: PortSet): Region {
    return new Region(addrs.family, addrs.isEmpty() || ports.isEmpty() ? [] : [{ addrs, ports }]);
  }

  isEmpty(): boolean {
    return this.boxes.length === 0;
  }

  intersectBox(b: Box): Region {
    const out: Box[] = [];
    for (const x of this.boxes) {
      const addrs = x.addrs.intersect(b.addrs);
      if (addrs.isEmpty()) continue;
      const ports = x.ports.intersect(b.ports);
      if (!ports.isEmpty()) out.push({ addrs, ports });
    }
    return new Region(this.family, out);
  }

  subtractBox(b: Box): Region {
    const out: Box[] = [];
    for (const x of this.boxes) {
      const inside = x.addrs.intersect(b.addrs);
      if (inside.isEmpty()) {
        out.push(x);
        continue;
      }
      const outside = x.addrs.subtract(b.addrs);
      if (!outside.isEmpty()) out.push({ addrs: outside, ports: x.ports });
      const rest = x.ports.subtract(b.ports);
      if (!rest.isEmpty()) out.push({ addrs: inside, ports: rest });
    }
    return new Region(this.family, out);
  }

  union(other: Region): Region {
    let boxes: readonly Box[] = this.boxes;
    for (const b of other.boxes) boxes = new Region(this.family, boxes).subtractBox(b).boxes;
    return new Region(this.family, [...boxes, ...other.boxes]);
  }

  /** Every address that appears in some box. */
  addresses(): AddressSet {
    let a = AddressSet.empty(this.family);
    for (const b of this.boxes) a = a.union(b.addrs);
    return a;
  }

  /** Every port that appears in some box. */
  ports(): PortSet {
    let p = PortSet.empty();
    for (const b of this.boxes) p = p.union(b.ports);
    return p;
  }
}

function mergeByPorts(boxes: readonly Box[]): Box[] {
  const byPorts = new Map<string, Box>();
  for (const b of boxes) {
    const k = b.ports.toString();
    const g = byPorts.get(k);
    byPorts.set(k, g ? { addrs: g.addrs.union(b.addrs), ports: g.ports } : b);
  }
  return byPorts.size === boxes.length ? [...boxes] : [...byPorts.values()];
}

export interface DecisionPart<S> {
  /** The deciding entry; undefined for the implicit final `*` DENY. */
  readonly rule?: AclRule<S>;
  readonly action: Action;
  readonly region: Region;
}

export interface Decision<S> {
  readonly allowed: Region;
  readonly denied: Region;
  /** Non-empty parts, in evaluation order (the implicit DENY last). */
  readonly parts: readonly DecisionPart<S>[];
}

/** Whether an entry applies to packets of a protocol. `protocol` -1 asks for rules matching every protocol. */
export function matchesProtocol(rule: { protocol: number }, protocol: number): boolean {
  return rule.protocol === -1 || rule.protocol === protocol;
}

/** Entries sorted by rule number (stable for equal numbers, which are invalid anyway). */
export function sortRules<S>(rules: readonly AclRule<S>[]): AclRule<S>[] {
  return rules
    .map((r, i) => [r, i] as const)
    .sort((a, b) => a[0].number - b[0].number || a[1] - b[1])
    .map(([r]) => r);
}

/**
 * decide(rules, protocol p, peer set A, port set P): which parts of A x P the rules allow and deny.
 * `rules` are one NACL's entries for one direction (any order, both families; other families are ignored).
 */
export function decide<S>(
  rules: readonly AclRule<S>[],
  protocol: number,
  addrs: AddressSet,
  ports: PortSet,
): Decision<S> {
  const family = addrs.family;
  let remaining = Region.box(addrs, ports);
  let allowed = new Region(family);
  let denied = new Region(family);
  const parts: DecisionPart<S>[] = [];
  for (const rule of sortRules(rules)) {
    if (remaining.isEmpty()) break;
    if (rule.family !== family || !matchesProtocol(rule, protocol)) continue;
    const box: Box = { addrs: rule.addrs, ports: rule.ports };
    const hit = remaining.intersectBox(box);
    if (hit.isEmpty()) continue;
    parts.push({ rule, action: rule.action, region: hit });
    if (rule.action === 'allow') allowed = allowed.union(hit);
    else denied = denied.union(hit);
    remaining = remaining.subtractBox(box);
  }
  if (!remaining.isEmpty()) {
    parts.push({ action: 'deny', region: remaining });
    denied = denied.union(remaining);
  }
  return { allowed, denied, parts };
}

/** The part of one rule's own box that the rule itself decides (what is left after lower numbers). */
export function effectiveRegion<S>(rules: readonly AclRule<S>[], rule: AclRule<S>): Region {
  const d = decide(rules, rule.protocol, rule.addrs, rule.ports);
  const parts = d.parts.filter((p) => p.rule === rule);
  let r = new Region(rule.family);
  for (const p of parts) r = r.union(p.region);
  return r;
}

/** One cell of a peer set with the ports the rules allow for every address in it. */
export interface PortCell {
  readonly addrs: AddressSet;
  /** Ports allowed for every address of `addrs` (within the asked port set). */
  readonly allowed: PortSet;
  /** Index of the first extra split that covers `addrs`, when one does. */
  readonly firstSplit?: number;
}

/**
 * Split a peer set into cells with a uniform allowed port set (catalog 2.1.3: "compute R per sub-CIDR of C
 * wherever entries split C"). Cells with equal port sets are merged.
 */
export function allowedPortsByAddress(
  allowed: Region,
  peer: AddressSet,
  extraSplits: readonly AddressSet[] = [],
): PortCell[] {
  // A sweep over the boundaries of the peer set, the boxes and the extra splits: each elementary interval gets
  // the ports of the boxes that cover it and the set of splits that cover it, in time linear in the boundaries
  // (times the number of boxes, which is small), never in splits x intervals.
  type Event = { at: bigint; kind: 0 | 1 | 2; idx: number; delta: 1 | -1 };
  const events: Event[] = [];
  const add = (s: AddressSet, kind: 0 | 1 | 2, idx: number): void => {
    for (const [a, b] of s.ranges) {
      events.push({ at: a, kind, idx, delta: 1 }, { at: b + 1n, kind, idx, delta: -1 });
    }
  };
  add(peer, 0, 0);
  allowed.boxes.forEach((b, i) => add(b.addrs, 1, i));
  extraSplits.forEach((s, i) => add(s, 2, i));
  events.sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : 0));
  let inPeer = 0;
  const activeBoxes = new Set<number>();
  const activeSplits = new Set<number>();
  const portsCache = new Map<string, PortSet>();
  const cells = new Map<string, { ports: PortSet; firstSplit?: number; ranges: Array<[bigint, bigint]> }>();
  for (let i = 0; i < events.length;) {
    const at = events[i]!.at;
    for (; i < events.length && events[i]!.at === at; i++) {
      const e = events[i]!;
      if (e.kind === 0) inPeer += e.delta;
      else {
        const set = e.kind === 1 ? activeBoxes : activeSplits;
        if (e.delta > 0) set.add(e.idx);
        else set.delete(e.idx);
      }
    }
    if (inPeer <= 0 || i >= events.length) continue;
    const next = events[i]!.at;
    const boxKey = [...activeBoxes].sort((a, b) => a - b).join(',');
    let ports = portsCache.get(boxKey);
    if (!ports) {
      ports = PortSet.empty();
      for (const b of activeBoxes) ports = ports.union(allowed.boxes[b]!.ports);
      portsCache.set(boxKey, ports);
    }
    const splits = [...activeSplits].sort((a, b) => a - b);
    const key = `${ports.describe()}|${splits.join(',')}`;
    const cell = cells.get(key);
    const lo = at;
    const hi = next - 1n;
    if (cell) {
      const last = cell.ranges[cell.ranges.length - 1]!;
      if (last[1] + 1n === lo) last[1] = hi;
      else cell.ranges.push([lo, hi]);
    } else cells.set(key, { ports, firstSplit: splits[0], ranges: [[lo, hi]] });
  }
  return [...cells.values()].map((c) => ({
    addrs: AddressSet.fromRanges(peer.family, c.ranges),
    allowed: c.ports,
    ...(c.firstSplit !== undefined ? { firstSplit: c.firstSplit } : {}),
  }));
}

/** The return-port grade of catalog 2.1.3 for one cell. */
export type PortGrade = 'full' | 'none' | 'managed-partial' | 'class-partial' | 'wide-partial' | 'narrow-partial';

/** Grade an allowed return port set R for a client class whose ephemeral range is `range`. */
const gradeMemo = new WeakMap<PortSet, WeakMap<object, PortGrade>>();

/** Grade of a return port set for a client class; memoised per (port set, class) object pair. */
export function gradePorts(R: PortSet, cls: { name: string; range: PortSet }): PortGrade {
  let byClass = gradeMemo.get(R);
  if (!byClass) gradeMemo.set(R, (byClass = new WeakMap()));
  let g = byClass.get(cls);
  if (!g) byClass.set(cls, (g = computeGrade(R, cls)));
  return g;
}

function computeGrade(R: PortSet, cls: { name: string; range: PortSet }): PortGrade {
  const r = R.intersect(EPHEMERAL.all);
  if (r.covers(EPHEMERAL.all) || r.covers(cls.range)) return 'full';
  const linux = r.covers(EPHEMERAL.linux);
  const windows = r.covers(EPHEMERAL.windows);
  if (cls.name === 'aws-managed') return !linux && !windows ? 'none' : 'managed-partial';
  if (cls.name === 'unknown') {
    if (!linux && !windows) return 'none';
    if (r.covers(EPHEMERAL.modern)) return 'wide-partial';
    return 'narrow-partial';
  }
  // A declared class (linux, windows or a configured range): nothing of its range is none, a part of it
  // fails a share of connections at random, like managed-partial.
  return r.overlaps(cls.range) ? 'class-partial' : 'none';
}

/**
 * Whether `rules` allow at least one port of `ports` for every address of `peer` (true), for none of them (false),
 * or only for some addresses (undefined: the answer differs per address).
 */
export function allowsSomePort<S>(
  rules: readonly AclRule<S>[],
  protocol: number,
  peer: AddressSet,
  ports: PortSet,
): boolean | undefined {
  const { allowed } = decide(rules, protocol, peer, ports);
  if (allowed.isEmpty()) return false;
  return allowedPortsByAddress(allowed, peer).every((c) => !c.allowed.isEmpty()) ? true : undefined;
}
