import { describe, expect, it } from 'vitest';
import { AddressSet, EPHEMERAL, PortSet, enclosingPrefix, parseCidr } from '../../src/model/cidr';

const S = (...c: string[]): AddressSet => AddressSet.parseAll(c)!;

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/16', 4, 16, '10.0.0.0/16'],
    ['10.0.1.7/16', 4, 16, '10.0.0.0/16'],
    ['0.0.0.0/0', 4, 0, '0.0.0.0/0'],
    ['192.168.1.1/32', 4, 32, '192.168.1.1/32'],
    ['::/0', 6, 0, '::/0'],
    ['2001:db8::/32', 6, 32, '2001:db8::/32'],
    ['2001:db8:1:2::5/64', 6, 64, '2001:db8:1:2::/64'],
  ])('%s', (text, family, prefix, normalised) => {
    const c = parseCidr(text)!;
    expect(c.family).toBe(family);
    expect(c.prefix).toBe(prefix);
    expect(AddressSet.fromCidr(c).toCidrs()).toEqual([normalised]);
  });
  it.each(['10.0.0.0', '10.0.0.0/33', '10.0.0/8', '300.0.0.0/8', '::/129', 'abc', '10.0.0.0/x', ''])(
    'rejects %j',
    (t) => {
      expect(parseCidr(t)).toBeUndefined();
    },
  );
});

describe('AddressSet', () => {
  it('unions, intersects and subtracts exactly', () => {
    const vpc = S('10.0.0.0/16');
    const a = S('10.0.1.0/24');
    expect(vpc.subtract(a).toCidrs()).toEqual([
      '10.0.0.0/24',
      '10.0.2.0/23',
      '10.0.4.0/22',
      '10.0.8.0/21',
      '10.0.16.0/20',
      '10.0.32.0/19',
      '10.0.64.0/18',
      '10.0.128.0/17',
    ]);
    expect(vpc.subtract(a).union(a).equals(vpc)).toBe(true);
    expect(vpc.intersect(S('10.0.255.0/24', '11.0.0.0/8')).toCidrs()).toEqual(['10.0.255.0/24']);
    expect(S('10.0.0.0/24').union(S('10.0.1.0/24')).toCidrs()).toEqual(['10.0.0.0/23']);
  });
  it('nested and overlapping prefixes', () => {
    const all = AddressSet.all(4);
    expect(all.covers(S('10.0.0.0/8'))).toBe(true);
    expect(S('10.0.0.0/8').covers(all)).toBe(false);
    expect(S('10.0.0.0/8').overlaps(S('10.255.0.0/16'))).toBe(true);
    expect(S('10.0.0.0/8').overlaps(S('11.0.0.0/8'))).toBe(false);
    expect(S('10.0.0.0/9', '10.128.0.0/9').equals(S('10.0.0.0/8'))).toBe(true);
    expect(S('10.0.0.0/8').size()).toBe(16777216n);
  });
  it('keeps IPv4 and IPv6 apart', () => {
    expect(() => S('10.0.0.0/8').union(S('::/0'))).toThrow(/IPv4 and IPv6/);
    expect(AddressSet.parseAll(['10.0.0.0/8', '::/0'])).toBeUndefined();
  });
  it('IPv6 arithmetic', () => {
    const all = AddressSet.all(6);
    const db = S('2001:db8::/32');
    expect(all.subtract(db).union(db).isAll()).toBe(true);
    expect(db.size()).toBe(1n << 96n);
    expect(S('2001:db8::/33', '2001:db8:8000::/33').toCidrs()).toEqual(['2001:db8::/32']);
  });
  it('describes sets briefly', () => {
    expect(AddressSet.all(4).subtract(S('10.0.0.0/8')).describe()).toBe('0.0.0.0/0 except 10.0.0.0/8');
    expect(S('10.0.0.0/24', '10.0.2.0/24').describe()).toBe('10.0.0.0/24, 10.0.2.0/24');
    expect(AddressSet.empty(4).describe()).toBe('(no addresses)');
  });
  it('describes loosely around addresses that do not matter', () => {
    const dontCare = S('169.254.169.254/32', '10.0.0.2/32', '10.0.1.0/24');
    const peer = AddressSet.all(4).subtract(dontCare);
    expect(peer.describeLoosely(dontCare)).toBe('0.0.0.0/0');
    expect(peer.subtract(S('10.0.0.0/16')).describeLoosely(dontCare)).toBe('0.0.0.0/0 except 10.0.0.0/16');
  });
  it('enclosingPrefix', () => {
    expect(enclosingPrefix(S('10.0.1.0/24', '10.0.2.0/24')).toCidrs()).toEqual(['10.0.0.0/22']);
  });
});

describe('PortSet', () => {
  it('ranges and set operations', () => {
    const p = PortSet.range(1024, 65535);
    expect(p.size()).toBe(64512);
    expect(p.covers(EPHEMERAL.linux)).toBe(true);
    expect(EPHEMERAL.linux.covers(EPHEMERAL.windows)).toBe(false);
    expect(EPHEMERAL.linux.union(EPHEMERAL.windows).equals(EPHEMERAL.modern)).toBe(true);
    expect(p.subtract(PortSet.range(2000, 3000)).describe()).toBe('1024–1999, 3001–65535');
    expect(PortSet.of(443, 80, 81).describe()).toBe('80–81, 443');
    expect(PortSet.range(10, 5).isEmpty()).toBe(true);
    expect(PortSet.range(-5, 70000).equals(PortSet.all())).toBe(true);
    expect(PortSet.of(53).has(53)).toBe(true);
  });
});
