import { describe, expect, it } from 'vitest';
import { entry, findingsOf, lineOf, res, run, template, unknownsOf } from '../helpers/nacl';

const ID = 'nacl-entry-validity-and-order';

function check(body: string, head = '', opts: { ipv6?: boolean } = {}) {
  const text = template(body, head, opts);
  const r = run(text);
  return { text, found: findingsOf(r, ID), unknown: unknownsOf(r, ID) };
}

/** [logical id, line, severity] of each finding. */
const where = (c: ReturnType<typeof check>) => c.found.map((f) => [f.id, f.line, f.severity]);

describe(`${ID}: invalid entries (errors)`, () => {
  it.each([
    ['RuleNumber 0', { n: 0 }, /RuleNumber 0, outside 1–32766/],
    ['RuleNumber 32767', { n: 32767 }, /RuleNumber 32767, outside 1–32766/],
    ['RuleNumber not an integer', { n: 'ten' }, /RuleNumber 'ten', which is not an integer/],
    ['non-numeric protocol', { n: 100, proto: 'tcp' }, /Protocol 'tcp'; NACL entries take a protocol number/],
    ['action not allow/deny', { n: 100, action: 'block' }, /RuleAction 'block'; it must be allow or deny/],
    ['Egress not a boolean', { n: 100, out: 'yes' }, /Egress 'yes'; it must be true or false/],
  ] as const)('%s', (_name, o, message) => {
    const c = check(entry('E', { ports: [443, 443], ...o }));
    expect(where(c)).toEqual([['E', lineOf(c.text, 'E', 'Properties'), 'error']]);
    expect(c.found[0]!.message).toMatch(message);
  });

  it('TCP/UDP without PortRange, From greater than To, ports outside 0-65535', () => {
    expect(check(entry('E', { n: 100, proto: 17 })).found[0]!.message).toMatch(/protocol 17 \(UDP\) without PortRange/);
    expect(check(entry('E', { n: 100, ports: [443, 80] })).found[0]!.message).toMatch(/From 443 greater than To 80/);
    expect(check(entry('E', { n: 100, ports: [1024, 70000] })).found[0]!.message).toMatch(
      /PortRange.To 70000, outside 0–65535/,
    );
    // Protocol -1 ignores PortRange; other protocols need none.
    expect(check(entry('E', { n: 100, proto: -1, ports: [0, 0] })).found).toEqual([]);
    expect(check(entry('G', { n: 110, proto: 47 })).found).toEqual([]);
  });

  it('ICMP without Icmp', () => {
    const c = check(entry('E', { n: 100, proto: 1 }));
    expect(where(c)).toEqual([['E', lineOf(c.text, 'E', 'Properties'), 'error']]);
    expect(c.found[0]!.message).toMatch(/protocol 1 \(ICMP\) without Icmp/);
    expect(check(entry('E', { n: 100, proto: 1, more: { Icmp: { Type: -1, Code: -1 } } })).found).toEqual([]);
  });

  it('neither or both of CidrBlock and Ipv6CidrBlock; a CIDR that does not parse', () => {
    expect(check(entry('E', { n: 100, ports: [443, 443], more: { CidrBlock: undefined } })).found[0]!.message).toMatch(
      /neither CidrBlock nor Ipv6CidrBlock/,
    );
    expect(check(entry('E', { n: 100, ports: [443, 443], more: { Ipv6CidrBlock: '::/0' } })).found[0]!.message).toMatch(
      /both CidrBlock and Ipv6CidrBlock/,
    );
    expect(check(entry('E', { n: 100, ports: [443, 443], cidr: '10.0.0.0' })).found[0]!.message).toMatch(
      /CidrBlock '10\.0\.0\.0', which is not an IPv4 CIDR/,
    );
  });

  it('a duplicate (NACL, direction, rule number) is reported on the later entry', () => {
    const c = check(
      entry('A', { n: 100, ports: [443, 443] }) +
        entry('B', { n: 100, ports: [80, 80] }) +
        entry('C', { n: 100, out: true, proto: -1 }),
    );
    expect(where(c)).toEqual([['B', lineOf(c.text, 'B', 'Properties'), 'error']]);
    expect(c.found[0]!.message).toMatch(/reuses inbound rule number 100 of NACL Acl, already taken by A/);
  });

  it('a duplicate of an entry that may not exist is unknown', () => {
    const head = 'Parameters:\n  Flag:\n    Type: String\nConditions:\n  On: {"Fn::Equals": [{"Ref": "Flag"}, "on"]}\n';
    const c = check(
      entry('A', { n: 100, ports: [443, 443], condition: 'On' }) + entry('B', { n: 100, ports: [80, 80] }),
      head,
    );
    expect(c.found).toEqual([]);
    expect(c.unknown.map((u) => u.logicalId)).toContain('B');
  });

  it('string numbers are valid', () => {
    expect(check(entry('E', { n: '100', proto: '6', ports: ['443', '443'], out: 'false' })).found).toEqual([]);
  });
});

describe(`${ID}: order (warnings and infos)`, () => {
  it('a DENY shadowed by a lower ALLOW never applies (warning)', () => {
    const c = check(
      entry('Allow', { n: 100, ports: [443, 443] }) +
        entry('Deny', { n: 200, action: 'deny', cidr: '198.51.100.0/24', ports: [443, 443] }),
    );
    expect(where(c)).toEqual([['Deny', lineOf(c.text, 'Deny', 'Properties'), 'warning']]);
    expect(c.found[0]!.message).toMatch(
      /completely shadowed: lower-numbered entry Allow \(rule 100, allow\) decides all of its traffic first, so your block never applies/,
    );
  });

  it('an ALLOW shadowed by a lower DENY never applies (warning)', () => {
    const c = check(
      entry('Deny', { n: 100, action: 'deny', proto: -1 }) + entry('Allow', { n: 200, ports: [443, 443] }),
    );
    expect(where(c)).toEqual([['Allow', lineOf(c.text, 'Allow', 'Properties'), 'warning']]);
    expect(c.found[0]!.message).toMatch(/your allow never applies/);
  });

  it('shadowed by several entries with mixed actions (warning) and by the same action (info)', () => {
    const mixed = check(
      entry('A', { n: 100, cidr: '10.0.0.0/9', ports: [0, 65535] }) +
        entry('B', { n: 110, action: 'deny', cidr: '10.128.0.0/9', ports: [0, 65535] }) +
        entry('C', { n: 120, cidr: '10.0.0.0/8', ports: [22, 22] }),
    );
    expect(where(mixed)).toEqual([['C', lineOf(mixed.text, 'C', 'Properties'), 'warning']]);
    expect(mixed.found[0]!.message).toMatch(
      /lower-numbered entries A \(rule 100, allow\), B \(rule 110, deny\) decide/,
    );
    const same = check(
      entry('Wide', { n: 100, ports: [1024, 65535] }) + entry('Narrow', { n: 200, ports: [32768, 60999] }),
    );
    expect(where(same)).toEqual([['Narrow', lineOf(same.text, 'Narrow', 'Properties'), 'info']]);
    expect(same.found[0]!.message).toMatch(
      /is redundant: lower-numbered entry Wide \(rule 100, allow\) already allows all of its traffic/,
    );
  });

  it('partly shadowed entries, other protocols, other directions and other families are not shadowed', () => {
    expect(
      check(
        entry('A', { n: 100, cidr: '10.0.0.0/9', ports: [443, 443] }) +
          entry('B', { n: 200, action: 'deny', cidr: '10.0.0.0/8', ports: [443, 443] }) +
          entry('C', { n: 300, proto: 17, ports: [443, 443] }) +
          entry('D', { n: 100, out: true, action: 'deny', ports: [443, 443] }) +
          entry('E', { n: 400, v6: '::/0', ports: [443, 443] }),
        '',
        { ipv6: true },
      ).found,
    ).toEqual([]);
    // A protocol -1 entry is shadowed only by protocol -1 entries.
    expect(
      check(
        entry('A', { n: 100, proto: 6, ports: [0, 65535] }) +
          entry('B', { n: 110, proto: 17, ports: [0, 65535] }) +
          entry('C', { n: 200, proto: -1, action: 'deny' }),
      ).found,
    ).toEqual([]);
  });

  it('an entry whose CIDR is unknown is shadowed whatever the CIDR turns out to be', () => {
    const c = check(
      entry('A', { n: 100, ports: [0, 65535] }) + entry('B', { n: 200, cidr: { Ref: 'Cidr' }, ports: [3306, 3306] }),
      'Parameters:\n  Cidr:\n    Type: String\n',
    );
    expect(where(c)).toEqual([['B', lineOf(c.text, 'B', 'Properties'), 'info']]);
    expect(c.found[0]!.message).toMatch(
      /\(rule 200, inbound ALLOW TCP port 3306 from the CIDR in parameter Cidr\).*redundant whatever its CIDR turns out to be/,
    );
    expect(c.unknown.map((u) => u.why)).toContain('CidrBlock needs the value of parameter Cidr');
  });

  it('more than 20 rules per direction and IP family, default deny included (warning), more than 40 (error)', () => {
    const many = (k: number, out = false, v6 = false) =>
      Array.from({ length: k }, (_, i) =>
        entry(`E${out ? 'o' : 'i'}${v6 ? '6' : '4'}${i}`, {
          n: (i + 1) * 10 + (v6 ? 5 : 0),
          out,
          ports: [1000 + i, 1000 + i],
          ...(v6 ? { v6: '::/0' } : {}),
        }),
      ).join('');
    expect(check(many(19)).found).toEqual([]);
    // 19 IPv4 and 19 IPv6 entries: each family stays within its own quota.
    expect(check(many(19) + many(19, false, true), '', { ipv6: true }).found).toEqual([]);
    const c = check(many(20));
    expect(where(c)).toEqual([['Acl', lineOf(c.text, 'Acl'), 'warning']]);
    expect(c.found[0]!.message).toMatch(
      /NACL Acl has 20 inbound IPv4 entries, which with the default deny rule make 21 rules, more than the default quota of 20/,
    );
    const d = check(many(40, true));
    expect(where(d)).toEqual([['Acl', lineOf(d.text, 'Acl'), 'error']]);
    expect(d.found[0]!.message).toMatch(
      /40 outbound IPv4 entries, which with the default deny rule make 41 rules; a NACL takes at most 40/,
    );
  });

  it('numbering without gaps (info, once per direction); IPv4/IPv6 twins are fine', () => {
    const c = check(
      entry('A', { n: 100, ports: [443, 443] }) +
        entry('B', { n: 101, ports: [80, 80] }) +
        entry('C', { n: 102, ports: [22, 22] }),
    );
    expect(where(c)).toEqual([['B', lineOf(c.text, 'B', 'Properties'), 'info']]);
    expect(c.found[0]!.message).toMatch(
      /entries A \(rule 100\) and B \(rule 101\) are numbered without a gap \(2 such pairs in this direction\)/,
    );
    expect(
      check(entry('A', { n: 100, ports: [443, 443] }) + entry('A6', { n: 101, v6: '::/0', ports: [443, 443] }), '', {
        ipv6: true,
      }).found,
    ).toEqual([]);
  });

  it('unknown values are unknown outcomes, never findings', () => {
    const c = check(
      entry('E', { n: { Ref: 'N' }, proto: { Ref: 'P' }, ports: [443, 443] }),
      'Parameters:\n  N:\n    Type: Number\n  P:\n    Type: String\n',
    );
    expect(c.found).toEqual([]);
    expect(c.unknown.map((u) => u.why)).toEqual(
      expect.arrayContaining(['RuleNumber needs the value of parameter N', 'Protocol needs the value of parameter P']),
    );
  });
});

describe(`${ID}: the default NACL`, () => {
  it('built-in rules count towards the quota', () => {
    const dflt = { 'Fn::GetAtt': ['Vpc', 'DefaultNetworkAcl'] };
    const body = Array.from({ length: 19 }, (_, i) =>
      entry(`D${i}`, { n: (i + 1) * 2, acl: dflt, action: 'deny', cidr: `192.0.2.${i}/32`, proto: -1 }),
    ).join('');
    const c = check(body + res('Keep', 'AWS::EC2::NetworkAclEntry', {}));
    expect(c.found.filter((f) => f.id === 'Vpc').map((f) => [f.line, f.severity])).toEqual([
      [lineOf(c.text, 'Vpc'), 'warning'],
    ]);
    expect(c.found.find((f) => f.id === 'Vpc')!.message).toMatch(
      /The default NACL of VPC Vpc has 19 inbound IPv4 entries, which with the built-in allow and default deny rules make 21 rules/,
    );
  });
});
