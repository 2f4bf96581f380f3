import { describe, expect, it } from 'vitest';
import { AddressSet, EPHEMERAL, PortSet } from '../../src/model/cidr';
import {
  allowedPortsByAddress,
  decide,
  effectiveRegion,
  gradePorts,
  icmpSet,
  type AclRule,
  type Action,
} from '../../src/model/nacl';

const S = (...c: string[]): AddressSet => AddressSet.parseAll(c)!;
const ALL4 = AddressSet.all(4);

/** A rule: number, action, protocol, CIDR, ports (default: every port). */
function rule(number: number, action: Action, protocol: number, cidr: string, from = 0, to = 65535): AclRule<string> {
  const addrs = AddressSet.parse(cidr)!;
  return {
    number,
    action,
    protocol,
    family: addrs.family,
    addrs,
    ports: PortSet.range(from, to),
    source: `r${number}`,
  };
}

/** The allowed part of A x P as "cidrs:ports" strings, sorted. */
function allowed(rules: AclRule<string>[], protocol: number, peer: AddressSet, ports: PortSet): string[] {
  return allowedPortsByAddress(decide(rules, protocol, peer, ports).allowed, peer)
    .filter((c) => !c.allowed.isEmpty())
    .map((c) => `${c.addrs.toString()}:${c.allowed.describe()}`)
    .sort();
}

describe('decide()', () => {
  it('first match wins, in rule-number order (not template order)', () => {
    const rules = [rule(200, 'allow', 6, '0.0.0.0/0'), rule(100, 'deny', 6, '0.0.0.0/0', 1024, 65535)];
    const d = decide(rules, 6, ALL4, EPHEMERAL.all);
    expect(d.allowed.isEmpty()).toBe(true);
    expect(d.parts.map((p) => p.rule?.source)).toEqual(['r100']);
  });

  it('deny-before-allow only shrinks the allowed set for the denied CIDR', () => {
    const rules = [rule(50, 'deny', -1, '198.51.100.0/24'), rule(100, 'allow', 6, '0.0.0.0/0', 1024, 65535)];
    expect(allowed(rules, 6, ALL4, EPHEMERAL.all)).toEqual([
      `${ALL4.subtract(S('198.51.100.0/24')).toString()}:1024–65535`,
    ]);
  });

  it('shadowing: a later entry decides nothing when lower numbers cover its box', () => {
    const rules = [rule(100, 'allow', 6, '0.0.0.0/0', 1024, 65535), rule(200, 'deny', 6, '10.0.0.0/8', 3306, 3306)];
    expect(effectiveRegion(rules, rules[1]!).isEmpty()).toBe(true);
    const partly = [rule(100, 'allow', 6, '10.0.0.0/9'), rule(200, 'deny', 6, '10.0.0.0/8')];
    expect(effectiveRegion(partly, partly[1]!).addresses().toCidrs()).toEqual(['10.128.0.0/9']);
  });

  it('overlapping and nested CIDRs are split exactly', () => {
    const rules = [
      rule(100, 'allow', 6, '10.0.0.0/16', 1024, 65535),
      rule(110, 'deny', 6, '10.0.0.0/8'),
      rule(120, 'allow', 6, '0.0.0.0/0', 32768, 65535),
    ];
    const peer = S('0.0.0.0/0');
    expect(allowed(rules, 6, peer, EPHEMERAL.all)).toEqual(
      ['10.0.0.0/16:1024–65535', `${ALL4.subtract(S('10.0.0.0/8')).toString()}:32768–65535`].sort(),
    );
  });

  it('port splits: several entries build up the allowed ports', () => {
    const rules = [rule(100, 'allow', 6, '0.0.0.0/0', 1024, 20000), rule(110, 'allow', 6, '0.0.0.0/0', 20001, 65535)];
    expect(allowed(rules, 6, ALL4, EPHEMERAL.all)).toEqual(['0.0.0.0/0:1024–65535']);
    const gap = [rule(100, 'allow', 6, '0.0.0.0/0', 1024, 20000), rule(110, 'allow', 6, '0.0.0.0/0', 30000, 65535)];
    expect(allowed(gap, 6, ALL4, EPHEMERAL.all)).toEqual(['0.0.0.0/0:1024–20000, 30000–65535']);
  });

  it('protocol -1 matches every protocol and ignores ports', () => {
    const rules = [rule(100, 'allow', -1, '0.0.0.0/0')];
    expect(allowed(rules, 17, ALL4, EPHEMERAL.all)).toEqual(['0.0.0.0/0:1024–65535']);
    const deny = [rule(50, 'deny', -1, '10.0.0.0/8'), rule(100, 'allow', 6, '0.0.0.0/0')];
    expect(decide(deny, 6, S('10.1.0.0/16'), PortSet.of(443)).allowed.isEmpty()).toBe(true);
  });

  it('a TCP entry does not cover UDP', () => {
    const rules = [rule(100, 'allow', 6, '0.0.0.0/0', 1024, 65535)];
    expect(allowed(rules, 17, ALL4, EPHEMERAL.all)).toEqual([]);
  });

  it('IPv4 entries never match IPv6 traffic, and the reverse', () => {
    const rules = [
      rule(100, 'allow', 6, '0.0.0.0/0', 1024, 65535),
      rule(110, 'allow', 6, '2001:db8::/32', 1024, 65535),
    ];
    const v6 = AddressSet.all(6);
    expect(allowed(rules, 6, v6, EPHEMERAL.all)).toEqual(['2001:db8::/32:1024–65535']);
    expect(allowed(rules, 6, ALL4, EPHEMERAL.all)).toEqual(['0.0.0.0/0:1024–65535']);
  });

  it('whatever no entry matches is denied by the implicit final rule', () => {
    const d = decide([rule(100, 'allow', 6, '10.0.0.0/8', 443, 443)], 6, S('10.0.0.0/8'), PortSet.range(80, 443));
    expect(d.parts.at(-1)?.rule).toBeUndefined();
    expect(d.parts.at(-1)?.action).toBe('deny');
    expect(d.denied.ports().describe()).toBe('80–442');
  });

  it('ICMP type and code are matched in the port dimension', () => {
    expect(icmpSet(-1, -1).equals(PortSet.all())).toBe(true);
    expect(icmpSet(3, 4).equals(PortSet.of(3 * 256 + 4))).toBe(true);
    expect(icmpSet(3, -1).covers(icmpSet(3, 4))).toBe(true);
    expect(icmpSet(0, -1).overlaps(icmpSet(8, -1))).toBe(false);
  });
});

describe('gradePorts()', () => {
  const cls = (name: string, range = EPHEMERAL.all) => ({ name, range });
  it.each([
    ['full range, unknown class', PortSet.range(1024, 65535), 'unknown', 'full'],
    ['full range, aws-managed', PortSet.range(0, 65535), 'aws-managed', 'full'],
    ['nothing', PortSet.empty(), 'unknown', 'none'],
    ['1024-2047 only', PortSet.range(1024, 2047), 'unknown', 'none'],
    ['32768-65535 for unknown clients', PortSet.range(32768, 65535), 'unknown', 'wide-partial'],
    ['Linux range only', PortSet.range(32768, 60999), 'unknown', 'narrow-partial'],
    ['Windows range only', PortSet.range(49152, 65535), 'unknown', 'narrow-partial'],
    ['32768-65535 for aws-managed', PortSet.range(32768, 65535), 'aws-managed', 'managed-partial'],
    ['1024-2047 for aws-managed', PortSet.range(1024, 2047), 'aws-managed', 'none'],
  ])('%s', (_label, R, name, grade) => {
    expect(gradePorts(R, cls(name))).toBe(grade);
  });
  it('a declared class passes when its own range is covered', () => {
    expect(gradePorts(EPHEMERAL.linux, cls('linux', EPHEMERAL.linux))).toBe('full');
    expect(gradePorts(EPHEMERAL.windows, cls('linux', EPHEMERAL.linux))).toBe('class-partial');
    expect(gradePorts(PortSet.range(1024, 2047), cls('linux', EPHEMERAL.linux))).toBe('none');
  });
});
