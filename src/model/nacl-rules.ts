/**
 * Rule sets of the NACLs of a template, as decide() consumes them, under the three readings that
 * catalog 1.2 (rule 5) needs when some entries are uncertain (an unknown field, a condition that may or
 * may not hold, an unknown NACL or direction):
 *
 *  certain - only entries whose every input is known and that certainly exist in this NACL and direction;
 *  max     - the most permissive reading: every uncertain entry that may ALLOW becomes an ALLOW of its
 *            widest possible extent, placed first when its rule number is unknown; uncertain DENYs are left
 *            out. The allowed set of `max` contains the allowed set of every possible reading.
 *  min     - the least permissive reading: uncertain entries that may DENY become DENYs of their widest
 *            extent; uncertain ALLOWs are left out. Its allowed set is contained in every reading's.
 *
 * Adding an ALLOW anywhere only grows the allowed set and adding a DENY only shrinks it, which is what makes
 * `max` and `min` bounds.
 */
import { AddressSet, PortSet, type Family } from './cidr';
import { hasPorts, icmpSet, type AclRule, type Action, type Direction } from './nacl';
import { entryDirections, type Field, type NaclEntry, type NaclInfo, type NetworkView } from './network';

export type Reading = 'certain' | 'max' | 'min';

/** A rule of a NACL: a template entry, or a built-in rule of the default NACL. */
export interface RuleSource {
  readonly entry?: NaclEntry;
  /** For built-in rules of the default NACL. */
  readonly builtin?: string;
  /** The entry was widened or assumed (uncertain). */
  readonly assumed?: boolean;
}

export type NaclRule = AclRule<RuleSource>;

function options<T>(f: Field<T>): T[] | undefined {
  if (f.state === 'known') return [f.value];
  if (f.state === 'unknown' && f.options?.length) return [...f.options];
  return undefined;
}

/** Whether an entry certainly belongs to the NACL and certainly exists, with every input known. */
export function isCertain(e: NaclEntry, naclKey: string): boolean {
  return !!e.rule && e.exists === 'yes' && e.nacls.some((n) => n.key === naclKey && n.certain);
}

/** The widest rules an uncertain entry may stand for, with the given action. */
function widened(e: NaclEntry, action: Action): NaclRule[] {
  if (e.invalid) return []; // CloudFormation rejects it: it never filters anything
  const actions = options(e.action) ?? (e.action.state === 'invalid' ? [] : (['allow', 'deny'] as Action[]));
  if (!actions.includes(action)) return [];
  const numbers = options(e.ruleNumber);
  const number = numbers ? Math.min(...numbers) : 0;
  const protos = options(e.protocol);
  const protocol = protos && protos.length === 1 ? protos[0]! : -1;
  let ports: PortSet = PortSet.all();
  if (protos && protos.length === 1 && hasPorts(protocol)) {
    const from = options(e.portFrom);
    const to = options(e.portTo);
    if (from && to) ports = PortSet.range(Math.min(...from), Math.max(...to));
  } else if (protos && protos.length === 1 && (protocol === 1 || protocol === 58)) {
    const ty = options(e.icmpType);
    const co = options(e.icmpCode);
    if (ty?.length === 1 && co?.length === 1) ports = icmpSet(ty[0]!, co[0]!);
  }
  const out: NaclRule[] = [];
  const has4 = e.cidr4.state !== 'missing';
  const has6 = e.cidr6.state !== 'missing';
  if (has4 === has6) return []; // invalid: CloudFormation rejects the entry
  const family: Family = has4 ? 4 : 6;
  const f = has4 ? e.cidr4 : e.cidr6;
  if (f.state === 'invalid') return [];
  const alts = options(f);
  const addrs = alts ? alts.reduce((a, b) => a.union(b)) : AddressSet.all(family);
  out.push({ number, action, protocol, family, addrs, ports, source: { entry: e, assumed: true } });
  return out;
}

export interface NaclRuleSet {
  readonly rules: readonly NaclRule[];
  /** Entries whose uncertainty was resolved by the reading (to name them in unknown outcomes). */
  readonly uncertain: readonly NaclEntry[];
}

/** Built-in rules of a default NACL: rule 100 allow-all for IPv4, 101 for IPv6 when the VPC has IPv6. */
function builtins(view: NetworkView, nacl: NaclInfo, reading: Reading): NaclRule[] {
  if (!nacl.isDefault) return [];
  const vpc = view.vpcs.get(nacl.resource.logicalId);
  const out: NaclRule[] = [
    {
      number: 100,
      action: 'allow',
      protocol: -1,
      family: 4,
      addrs: AddressSet.all(4),
      ports: PortSet.all(),
      source: { builtin: 'rule 100 (built-in allow-all)' },
    },
  ];
  const v6 = vpc?.ipv6 ?? 'no';
  if (v6 === 'yes' || (v6 === 'maybe' && reading === 'max'))
    out.push({
      number: 101,
      action: 'allow',
      protocol: -1,
      family: 6,
      addrs: AddressSet.all(6),
      ports: PortSet.all(),
      source: { builtin: 'rule 101 (built-in IPv6 allow-all)' },
    });
  return out;
}

/** The rules of one NACL and direction under a reading. Memoised per view. */
export function naclRules(view: NetworkView, nacl: NaclInfo, dir: Direction, reading: Reading): NaclRuleSet {
  let cache = CACHE.get(view);
  if (!cache) CACHE.set(view, (cache = new Map()));
  const key = `${nacl.key}\0${dir}\0${reading}`;
  let hit = cache.get(key);
  if (hit) return hit;
  const rules: NaclRule[] = builtins(view, nacl, reading);
  const uncertain: NaclEntry[] = [];
  for (const e of nacl.entries) {
    if (!entryDirections(e).includes(dir)) continue;
    if (isCertain(e, nacl.key) && entryDirections(e).length === 1) {
      rules.push({ ...e.rule!, source: { entry: e } });
      continue;
    }
    uncertain.push(e);
    if (reading === 'max') rules.push(...widened(e, 'allow'));
    else if (reading === 'min') rules.push(...widened(e, 'deny'));
  }
  hit = { rules, uncertain };
  cache.set(key, hit);
  return hit;
}

const CACHE = new WeakMap<NetworkView, Map<string, NaclRuleSet>>();

/** The rule numbers used in one NACL direction (both families share them), including built-ins. */
export function usedNumbers(view: NetworkView, nacl: NaclInfo, dir: Direction): Set<number> {
  const out = new Set<number>();
  for (const r of naclRules(view, nacl, dir, 'max').rules) if (r.number > 0) out.add(r.number);
  for (const e of nacl.entries) {
    if (!entryDirections(e).includes(dir)) continue;
    for (const n of options(e.ruleNumber) ?? []) out.add(n);
  }
  return out;
}

/**
 * A rule number for a new entry that takes effect: below `below` (the first conflicting DENY) when given,
 * otherwise after the existing entries, on a step of 100 when possible. undefined when no number is free.
 */
export function suggestNumber(used: ReadonlySet<number>, below?: number): number | undefined {
  if (below !== undefined) {
    for (const step of [100, 10, 1]) {
      for (let n = Math.floor((below - 1) / step) * step; n >= 1; n -= step) if (!used.has(n)) return n;
    }
    return undefined;
  }
  const max = Math.max(0, ...used);
  for (let n = (Math.floor(max / 100) + 1) * 100; n <= 32766; n += 100) if (!used.has(n)) return n;
  for (let n = 32766; n >= 1; n--) if (!used.has(n)) return n;
  return undefined;
}

/** "entry X (rule 100)" */
export function ruleLabel(r: NaclRule): string {
  if (r.source?.builtin) return r.source.builtin;
  const id = r.source?.entry?.resource.logicalId ?? '?';
  return r.source?.assumed ? `entry ${id}, assumed` : `entry ${id}, rule ${r.number}`;
}
