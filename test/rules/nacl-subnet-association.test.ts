import { describe, expect, it } from 'vitest';
import { entry, findingsOf, lineOf, res, run, template, unknownsOf } from '../helpers/nacl';

const ID = 'nacl-subnet-association';

function check(body: string, head = '', opts: { ipv6?: boolean; associate?: boolean } = {}) {
  const text = template(body, head, opts);
  const r = run(text);
  return { text, found: findingsOf(r, ID), unknown: unknownsOf(r, ID) };
}
const where = (c: ReturnType<typeof check>) => c.found.map((f) => [f.id, f.line, f.severity]);
// A NACL that allows something both ways, so that it is not a black hole.
const BOTH = entry('In', { n: 100, ports: [443, 443] }) + entry('Out', { n: 100, out: true, ports: [1024, 65535] });
const assoc = (id: string, subnet: string, acl: unknown, extra: Record<string, unknown> = {}) =>
  res(id, 'AWS::EC2::SubnetNetworkAclAssociation', { SubnetId: { Ref: subnet }, NetworkAclId: acl }, extra);

describe(`${ID}: errors`, () => {
  it('two associations for one subnet: reported on the second', () => {
    const c = check(BOTH + assoc('Again', 'Web', { Ref: 'Acl' }));
    expect(where(c)).toEqual([['Again', lineOf(c.text, 'Again', 'Properties'), 'error']]);
    expect(c.found[0]!.message).toMatch(/Subnet Web is associated with a NACL 2 times \(WebAcl, Again\)/);
  });

  it('an earlier association that may not exist makes the conflict unknown', () => {
    const head = 'Parameters:\n  Flag:\n    Type: String\nConditions:\n  On: {"Fn::Equals": [{"Ref": "Flag"}, "on"]}\n';
    const text = template(BOTH + assoc('Again', 'Web', { Ref: 'Acl' }), head, { associate: false }).replace(
      'Resources:\n',
      `Resources:\n${assoc('First', 'Web', { Ref: 'Acl' }, { Condition: 'On' })}`,
    );
    const r = run(text);
    expect(findingsOf(r, ID)).toEqual([]);
    expect(unknownsOf(r, ID).map((u) => u.logicalId)).toContain('Again');
  });

  it('a NACL of another VPC', () => {
    const other =
      res('Other', 'AWS::EC2::VPC', { CidrBlock: '10.1.0.0/16' }) +
      res('OtherAcl', 'AWS::EC2::NetworkAcl', { VpcId: { Ref: 'Other' } });
    const c = check(
      BOTH +
        other +
        entry('OIn', { n: 100, acl: { Ref: 'OtherAcl' }, proto: -1 }) +
        entry('OOut', { n: 100, out: true, acl: { Ref: 'OtherAcl' }, proto: -1 }),
      '',
      { associate: false },
    );
    expect(c.found.filter((f) => f.severity === 'error')).toEqual([]);
    const bad = check(BOTH + other + assoc('Cross', 'Web', { Ref: 'OtherAcl' }), '', { associate: false });
    expect(where(bad).filter((w) => w[0] === 'Cross')).toEqual([
      ['Cross', lineOf(bad.text, 'Cross', 'Properties'), 'error'],
    ]);
    expect(bad.found.find((f) => f.id === 'Cross')!.message).toMatch(
      /under NACL OtherAcl, which belongs to a different VPC/,
    );
  });

  it('VPCs given by the same parameter match; different parameters are unknown', () => {
    const head = 'Parameters:\n  VpcA:\n    Type: AWS::EC2::VPC::Id\n  VpcB:\n    Type: AWS::EC2::VPC::Id\n';
    const base = (naclVpc: string) =>
      template(BOTH, head)
        .replace('"VpcId":{"Ref":"Vpc"},"CidrBlock":"10.0.1.0/24"', '"VpcId":{"Ref":"VpcA"},"CidrBlock":"10.0.1.0/24"')
        .replace(
          'Properties: {"VpcId":{"Ref":"Vpc"}}\n  WebAcl',
          `Properties: {"VpcId":{"Ref":"${naclVpc}"}}\n  WebAcl`,
        );
    const same = run(base('VpcA'));
    expect(findingsOf(same, ID)).toEqual([]);
    const diff = run(base('VpcB'));
    expect(findingsOf(diff, ID)).toEqual([]);
    expect(unknownsOf(diff, ID).map((u) => u.why)).toContain('the VPC of the subnet or of the NACL is unknown');
  });

  it('an associated custom NACL with no ALLOW in one direction, or in either', () => {
    const c = check(entry('In', { n: 100, ports: [443, 443] }));
    expect(where(c)).toEqual([['Acl', lineOf(c.text, 'Acl'), 'error']]);
    expect(c.found[0]!.message).toMatch(/NACL Acl is associated with subnet Web but has no outbound ALLOW entry/);
    const empty = check(entry('D', { n: 100, action: 'deny', proto: -1 }));
    expect(empty.found[0]!.message).toMatch(/no ALLOW entry in either direction/);
    // An entry whose action depends on a parameter: unknown.
    const u = check(
      entry('In', { n: 100, ports: [443, 443] }) +
        entry('Out', { n: 100, out: true, action: { Ref: 'Act' }, proto: -1 }),
      'Parameters:\n  Act:\n    Type: String\n',
    );
    expect(u.found).toEqual([]);
    expect(u.unknown.map((x) => x.why).join()).toMatch(/allows any outbound traffic depends on Out/);
  });
});

describe(`${ID}: entries on the default NACL`, () => {
  const dflt = { 'Fn::GetAtt': ['Vpc', 'DefaultNetworkAcl'] };
  it.each([
    [
      'a DENY numbered above 100 never applies',
      { n: 200, action: 'deny' },
      'warning',
      /This DENY \(rule 200\) never applies/,
    ],
    ['an ALLOW below 100 is redundant', { n: 50 }, 'warning', /This ALLOW \(rule 50\) is redundant/],
    [
      'a DENY below 100 takes effect for every subnet on it',
      { n: 50, action: 'deny' },
      'warning',
      /takes effect, but every other subnet/,
    ],
    ['rule number 100 collides', { n: 100 }, 'error', /collides with that built-in rule/],
  ] as const)('%s', (_name, o, severity, message) => {
    const c = check(BOTH + entry('D', { acl: dflt, ports: [23, 23], ...o }));
    expect(where(c)).toEqual([['D', lineOf(c.text, 'D', 'Properties'), severity]]);
    expect(c.found[0]!.message).toMatch(message);
  });
  it('rule number 101 collides only when the VPC has IPv6', () => {
    expect(check(BOTH + entry('D', { acl: dflt, n: 101, ports: [23, 23] })).found[0]!.severity).toBe('warning');
    expect(
      check(BOTH + entry('D', { acl: dflt, n: 101, ports: [23, 23] }), '', { ipv6: true }).found[0]!.severity,
    ).toBe('error');
  });
});

describe(`${ID}: infos`, () => {
  it('a custom NACL with no association; unknown when it is an output', () => {
    const c = check(BOTH, '', { associate: false });
    expect(where(c)).toEqual([
      ['Web', lineOf(c.text, 'Web'), 'info'],
      ['Acl', lineOf(c.text, 'Acl'), 'info'],
    ]);
    expect(c.found[1]!.message).toMatch(/NACL Acl is not associated with any subnet/);
    const text = template(BOTH, '', { associate: false }) + 'Outputs:\n  AclId:\n    Value: {"Ref": "Acl"}\n';
    const r = run(text);
    expect(findingsOf(r, ID).map((f) => f.id)).toEqual(['Web']);
    expect(unknownsOf(r, ID).map((u) => u.why)).toContain(
      'NACL Acl is an output of this template, so it may be associated with subnets in another stack',
    );
  });

  it('a subnet left on the default NACL while custom NACLs exist in its VPC', () => {
    const c = check(BOTH + res('Spare', 'AWS::EC2::Subnet', { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.0.9.0/24' }));
    expect(where(c)).toEqual([['Spare', lineOf(c.text, 'Spare'), 'info']]);
    expect(c.found[0]!.message).toMatch(
      /Subnet Spare has no NACL association, so it uses the VPC's default NACL, which allows all traffic, while this template defines custom NACL Acl/,
    );
  });

  it('nothing when the template uses no custom NACL', () => {
    const text = `Resources:\n${res('Vpc', 'AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' })}${res('S', 'AWS::EC2::Subnet', { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.0.0.0/24' })}`;
    expect(findingsOf(run(text), ID)).toEqual([]);
  });
});
