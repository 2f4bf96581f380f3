/**
 * Exact set arithmetic on IP addresses and ports (catalog 2.1.1: "CIDR arithmetic has to be exact").
 *
 * An AddressSet is a set of addresses of ONE family (IPv4 or IPv6), kept as sorted, disjoint, non-adjacent
 * inclusive intervals of bigints. Any set of prefixes is such a union, and every such union converts back
 * to a minimal list of prefixes (`toCidrs`). IPv4 and IPv6 never mix: operations across families throw,
 * because NACLs evaluate them as separate, independent rule sets.
 *
 * A PortSet is the same structure over the integers 0..65535.
 */
import { parseIpv4, parseIpv6, formatIpv4, formatIpv6 } from './values';

export type Family = 4 | 6;
export const FAMILY_BITS: Readonly<Record<Family, number>> = { 4: 32, 6: 128 };

type Interval = readonly [bigint, bigint];

// ------------------------------------------------------------------ generic interval arithmetic
function normalize(list: Interval[]): Interval[] {
  const sorted = list.filter(([a, b]) => a <= b).sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1n) {
      if (b > last[1]) last[1] = b;
    } else out.push([a, b]);
  }
  return out;
}

function intersectIntervals(x: readonly Interval[], y: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const [a1, b1] = x[i]!;
    const [a2, b2] = y[j]!;
    const lo = a1 > a2 ? a1 : a2;
    const hi = b1 < b2 ? b1 : b2;
    if (lo <= hi) out.push([lo, hi]);
    if (b1 < b2) i++;
    else j++;
  }
  return out;
}

function subtractIntervals(x: readonly Interval[], y: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let j = 0;
  for (const [a0, b] of x) {
    let a = a0;
    while (j < y.length && y[j]![1] < a) j++;
    let k = j;
    while (k < y.length && y[k]![0] <= b) {
      const [c, d] = y[k]!;
      if (c > a) out.push([a, c - 1n]);
      if (d + 1n > a) a = d + 1n;
      if (a > b) break;
      k++;
    }
    if (a <= b) out.push([a, b]);
  }
  return out;
}

function sizeOf(list: readonly Interval[]): bigint {
  let n = 0n;
  for (const [a, b] of list) n += b - a + 1n;
  return n;
}

function sameIntervals(x: readonly Interval[], y: readonly Interval[]): boolean {
  return x.length === y.length && x.every(([a, b], i) => a === y[i]![0] && b === y[i]![1]);
}

// ------------------------------------------------------------------ addresses
export interface Cidr {
  readonly family: Family;
  /** Network address (host bits cleared). */
  readonly base: bigint;
  readonly prefix: number;
}

/** Parse `a.b.c.d/n` or an IPv6 prefix. Host bits are cleared, as EC2 does. undefined when malformed. */
export function parseCidr(text: string): Cidr | undefined {
  const s = text.trim();
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const addr = s.slice(0, slash);
  const lenText = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText)) return undefined;
  const prefix = Number(lenText);
  if (addr.includes(':')) {
    const n = parseIpv6(addr);
    if (n === undefined || prefix > 128) return undefined;
    const host = 128n - BigInt(prefix);
    return { family: 6, base: (n >> host) << host, prefix };
  }
  const n = parseIpv4(addr);
  if (n === undefined || prefix > 32) return undefined;
  const host = 32n - BigInt(prefix);
  return { family: 4, base: (BigInt(n) >> host) << host, prefix };
}

/** Parse a single address (no prefix). */
export function parseAddress(text: string): { family: Family; value: bigint } | undefined {
  const s = text.trim();
  if (s.includes(':')) {
    const v = parseIpv6(s);
    return v === undefined ? undefined : { family: 6, value: v };
  }
  const v = parseIpv4(s);
  return v === undefined ? undefined : { family: 4, value: BigInt(v) };
}

export function formatAddress(family: Family, value: bigint): string {
  return family === 4 ? formatIpv4(Number(value)) : formatIpv6(value);
}

/** A set of addresses of one family. Immutable. */
export class AddressSet {
  private constructor(
    readonly family: Family,
    readonly ranges: readonly Interval[],
  ) {}

  static empty(family: Family): AddressSet {
    return new AddressSet(family, []);
  }

  static all(family: Family): AddressSet {
    return new AddressSet(family, [[0n, (1n << BigInt(FAMILY_BITS[family])) - 1n]]);
  }

  static fromCidr(c: Cidr): AddressSet {
    const host = BigInt(FAMILY_BITS[c.family] - c.prefix);
    return new AddressSet(c.family, [[c.base, c.base + (1n << host) - 1n]]);
  }

  /** Parse a CIDR string; undefined when malformed. */
  static parse(text: string): AddressSet | undefined {
    const c = parseCidr(text);
    return c ? AddressSet.fromCidr(c) : undefined;
  }

  /** Parse and union several CIDRs of one family; undefined when any is malformed or families differ. */
  static parseAll(texts: readonly string[]): AddressSet | undefined {
    let out: AddressSet | undefined;
    for (const t of texts) {
      const s = AddressSet.parse(t);
      if (!s || (out && out.family !== s.family)) return undefined;
      out = out ? out.union(s) : s;
    }
    return out;
  }

  static fromRanges(family: Family, ranges: readonly Interval[]): AddressSet {
    return new AddressSet(family, normalize([...ranges]));
  }

  static address(family: Family, value: bigint): AddressSet {
    return new AddressSet(family, [[value, value]]);
  }

  private check(other: AddressSet): void {
    if (other.family !== this.family) throw new Error('IPv4 and IPv6 address sets cannot be combined');
  }

  union(other: AddressSet): AddressSet {
    this.check(other);
    return new AddressSet(this.family, normalize([...this.ranges, ...other.ranges]));
  }

  intersect(other: AddressSet): AddressSet {
    this.check(other);
    return new AddressSet(this.family, intersectIntervals(this.ranges, other.ranges));
  }

  subtract(other: AddressSet): AddressSet {
    this.check(other);
    return new AddressSet(this.family, subtractIntervals(this.ranges, other.ranges));
  }

  isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  /** Whether every address of `other` is in this set. */
  covers(other: AddressSet): boolean {
    this.check(other);
    return other.subtract(this).isEmpty();
  }

  overlaps(other: AddressSet): boolean {
    return !this.intersect(other).isEmpty();
  }

  equals(other: AddressSet): boolean {
    return this.family === other.family && sameIntervals(this.ranges, other.ranges);
  }

  isAll(): boolean {
    return this.equals(AddressSet.all(this.family));
  }

  /** Number of addresses. */
  size(): bigint {
    return sizeOf(this.ranges);
  }

  /** The minimal list of prefixes whose union is this set. */
  toCidrs(): string[] {
    const bits = FAMILY_BITS[this.family];
    const out: string[] = [];
    for (const [a0, b] of this.ranges) {
      let a = a0;
      while (a <= b) {
        // Largest aligned block starting at a that fits in [a, b].
        let host = 0;
        while (host < bits) {
          const size = 1n << BigInt(host + 1);
          if (a % size !== 0n || a + size - 1n > b) break;
          host++;
        }
        out.push(`${formatAddress(this.family, a)}/${bits - host}`);
        a += 1n << BigInt(host);
      }
    }
    return out;
  }

  /** Human-readable: the CIDR list, or "X except Y" when that is shorter. Long lists are cut. */
  describe(max = 6): string {
    if (this.isEmpty()) return '(no addresses)';
    const cidrs = this.toCidrs();
    if (cidrs.length > 2) {
      // Try "the enclosing prefix except ...".
      const hull = enclosingPrefix(this);
      const holes = hull.subtract(this).toCidrs();
      if (holes.length < cidrs.length) return `${hull.toCidrs()[0]} except ${listCut(holes, max)}`;
    }
    return listCut(cidrs, max);
  }

  /**
   * The shortest description of this set when the addresses of `dontCare` may be included or left out freely
   * (addresses a NACL never filters): "0.0.0.0/0" rather than a list of the pieces around 169.254.169.254.
   */
  describeLoosely(dontCare: AddressSet, max = 6): string {
    if (this.isEmpty()) return '(no addresses)';
    const candidates: string[] = [this.describe(max)];
    const grown = this.union(dontCare);
    const pieces = grown.toCidrs().filter((c) => AddressSet.parse(c)!.overlaps(this));
    candidates.push(listCut(pieces, max));
    const hull = enclosingPrefix(this);
    const mustExclude = hull.subtract(this).subtract(dontCare);
    const holes = hull
      .subtract(this)
      .toCidrs()
      .filter((c) => AddressSet.parse(c)!.overlaps(mustExclude));
    candidates.push(holes.length ? `${hull.toCidrs()[0]} except ${listCut(holes, max)}` : hull.toCidrs()[0]!);
    return candidates.reduce((a, b) => (b.length < a.length ? b : a));
  }

  toString(): string {
    return this.toCidrs().join(',');
  }
}

function listCut(items: readonly string[], max: number): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** The smallest single prefix that contains the whole (non-empty) set. */
export function enclosingPrefix(s: AddressSet): AddressSet {
  const bits = FAMILY_BITS[s.family];
  const lo = s.ranges[0]![0];
  const hi = s.ranges[s.ranges.length - 1]![1];
  let host = 0;
  while (host < bits && lo >> BigInt(host) !== hi >> BigInt(host)) host++;
  const base = (lo >> BigInt(host)) << BigInt(host);
  return AddressSet.fromCidr({ family: s.family, base, prefix: bits - host });
}

// ------------------------------------------------------------------ ports
export const MAX_PORT = 65535;

/** A set of ports (0..65535). Immutable. */
export class PortSet {
  private constructor(readonly ranges: readonly Interval[]) {}

  static empty(): PortSet {
    return new PortSet([]);
  }

  static all(): PortSet {
    return new PortSet([[0n, BigInt(MAX_PORT)]]);
  }

  /** Inclusive range; clipped to 0..65535; empty when from > to. */
  static range(from: number, to: number): PortSet {
    const a = Math.max(0, Math.trunc(from));
    const b = Math.min(MAX_PORT, Math.trunc(to));
    return new PortSet(a <= b ? [[BigInt(a), BigInt(b)]] : []);
  }

  static of(...ports: number[]): PortSet {
    return new PortSet(normalize(ports.map((p) => [BigInt(p), BigInt(p)] as const)));
  }

  union(other: PortSet): PortSet {
    return new PortSet(normalize([...this.ranges, ...other.ranges]));
  }

  intersect(other: PortSet): PortSet {
    return new PortSet(intersectIntervals(this.ranges, other.ranges));
  }

  subtract(other: PortSet): PortSet {
    return new PortSet(subtractIntervals(this.ranges, other.ranges));
  }

  isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  covers(other: PortSet): boolean {
    return other.subtract(this).isEmpty();
  }

  overlaps(other: PortSet): boolean {
    return !this.intersect(other).isEmpty();
  }

  equals(other: PortSet): boolean {
    return sameIntervals(this.ranges, other.ranges);
  }

  has(port: number): boolean {
    const p = BigInt(port);
    return this.ranges.some(([a, b]) => a <= p && p <= b);
  }

  size(): number {
    return Number(sizeOf(this.ranges));
  }

  /** [from, to] pairs as numbers. */
  intervals(): Array<[number, number]> {
    return this.ranges.map(([a, b]) => [Number(a), Number(b)]);
  }

  first(): number | undefined {
    return this.ranges.length ? Number(this.ranges[0]![0]) : undefined;
  }

  /** "443", "1024–65535", "80, 443, 8000–8080". */
  describe(): string {
    if (this.isEmpty()) return 'no ports';
    return this.intervals()
      .map(([a, b]) => (a === b ? `${a}` : `${a}–${b}`))
      .join(', ');
  }

  toString(): string {
    return this.describe();
  }
}

/** Ephemeral-port ranges of catalog 2.1.3. */
export const EPHEMERAL = {
  /** Everything a client may pick; what ELB, NAT gateways and Lambda use. */
  all: PortSet.range(1024, 65535),
  linux: PortSet.range(32768, 60999),
  windows: PortSet.range(49152, 65535),
  /** Linux and Windows together. */
  modern: PortSet.range(32768, 65535),
} as const;
