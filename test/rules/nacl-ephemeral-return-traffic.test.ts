import { describe, expect, it } from 'vitest';
import { entry, findingsOf, lineOf, res, run, template, unknownsOf } from '../helpers/nacl';
import type { ApiOptions } from '../../src/api';

const ID = 'nacl-ephemeral-return-traffic';

function check(text: string, options: ApiOptions = {}) {
  const r = run(text, options);
  return { r, found: findingsOf(r, ID), unknown: unknownsOf(r, ID) };
}

const withOptions = (options: Record<string, unknown>): ApiOptions => ({ config: { rules: { [ID]: { options } } } });

// Inbound HTTPS from the internet: a server-side flow of subnet Web.
const HTTPS_IN = entry('InHttps', { n: 100, ports: [443, 443] });
// Outbound HTTPS to the internet: a client-side flow of subnet Web.
const HTTPS_OUT = entry('OutHttps', { n: 100, out: true, ports: [443, 443] });

describe(`${ID}: grading (catalog 2.1.3)`, () => {
  const cases: Array<{
    name: string;
    body: string;
    at?: [string, string?];
    severity?: string;
    message?: RegExp[];
    options?: ApiOptions;
  }> = [
    {
      name: 'full: return on 1024-65535',
      body: HTTPS_IN + entry('OutRet', { n: 100, out: true, ports: [1024, 65535] }),
    },
    {
      name: 'full: the declared client class range is covered',
      body: HTTPS_OUT + entry('InRet', { n: 100, ports: [32768, 60999] }),
      options: withOptions({ subnets: { Web: 'linux' } }),
    },
    {
      name: 'none: no return entry at all',
      body: HTTPS_IN,
      at: ['InHttps'],
      severity: 'error',
      message: [
        /^NACL Acl \(subnet Web\) allows inbound TCP port 443 from 0\.0\.0\.0\/0 \(entry InHttps, rule 100\)/,
        /outbound TCP to 0\.0\.0\.0\/0 on ephemeral ports 1024–65535 is not allowed by any entry/,
        /Add an outbound ALLOW TCP to 0\.0\.0\.0\/0 for ports 1024–65535 with rule number 100\./,
      ],
    },
    {
      name: 'none: client side, no inbound return',
      body: HTTPS_OUT,
      at: ['OutHttps'],
      severity: 'error',
      message: [
        /inbound TCP replies from 0\.0\.0\.0\/0 on the subnet's ephemeral ports 1024–65535 are not allowed by any entry/,
        /Add an inbound ALLOW TCP from 0\.0\.0\.0\/0/,
      ],
    },
    {
      name: 'none: 1024-2047 only',
      // A return entry from 1024 to 2047 spans fewer than 16,384 ports: it looks like a service entry itself
      // (outbound to 1024-2047) and is checked too (a second finding, asserted below).
      body:
        HTTPS_IN +
        entry('OutRet', { n: 100, out: true, ports: [1024, 2047] }) +
        entry('InEph', { n: 200, ports: [1024, 65535] }),
      at: ['InHttps'],
      severity: 'error',
      message: [/allowed only on 1024–2047 \(entry OutRet, rule 100\), which covers neither the Linux/],
    },
    {
      name: 'none: a DENY earlier in the order (named, with a rule number that takes effect)',
      body:
        HTTPS_IN +
        entry('DenyEphemeral', { n: 90, out: true, action: 'deny', ports: [1024, 65535] }) +
        entry('OutRet', { n: 100, out: true, ports: [1024, 65535] }),
      at: ['InHttps'],
      severity: 'error',
      message: [/is denied first by rule 90 \(DenyEphemeral\)/, /with rule number 80 \(any free number below 90\)/],
    },
    {
      name: 'wide-partial: 32768-65535 for internet clients',
      body: HTTPS_IN + entry('OutRet', { n: 100, out: true, ports: [32768, 65535] }),
      at: ['InHttps'],
      severity: 'warning',
      message: [
        /Replies to 0\.0\.0\.0\/0 are allowed only on 32768–65535 \(entry OutRet, rule 100\)\. This works for Linux and Windows clients/,
      ],
    },
    {
      name: 'narrow-partial: Linux range only',
      body: HTTPS_IN + entry('OutRet', { n: 100, out: true, ports: [32768, 60999] }),
      at: ['InHttps'],
      severity: 'warning',
      message: [/only on 32768–60999/, /This works only for Linux clients/],
    },
    {
      name: 'narrow-partial: Windows range only',
      body: HTTPS_OUT + entry('InRet', { n: 100, ports: [49152, 65535] }),
      at: ['OutHttps'],
      severity: 'warning',
      message: [/Replies from 0\.0\.0\.0\/0 are allowed only on 49152–65535/, /This works only for Windows clients/],
    },
    {
      name: 'class-partial: clients declared linux get only the Windows range',
      body: HTTPS_OUT + entry('InRet', { n: 100, ports: [49152, 65535] }),
      options: withOptions({ subnets: { Web: 'linux' } }),
      at: ['OutHttps'],
      severity: 'error',
      message: [/declared linux in archlint config/, /about 58% of connections will time out/],
    },
    {
      name: 'address-partial: the return covers only part of the peer CIDR',
      body: HTTPS_IN + entry('OutRet', { n: 100, out: true, cidr: '10.0.0.0/8', ports: [1024, 65535] }),
      at: ['InHttps'],
      severity: 'warning',
      message: [
        /outbound replies to 0\.0\.0\.0\/0 except 10\.0\.0\.0\/8 are not allowed by any entry/,
        /Either narrow the inbound source or widen the return entry/,
      ],
    },
    {
      name: 'a return to 0.0.0.0/0 covers every narrower peer',
      body:
        entry('InDb', { n: 100, cidr: '10.0.20.0/24', ports: [5432, 5432] }) +
        entry('OutRet', { n: 100, out: true, ports: [1024, 65535] }),
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const text = template(c.body);
      const { found } = check(text, c.options);
      if (!c.at) {
        expect(found).toEqual([]);
        return;
      }
      expect(found.map((f) => [f.id, f.line])).toEqual([[c.at[0], lineOf(text, c.at[0], c.at[1])]]);
      expect(found[0]!.severity).toBe(c.severity);
      for (const m of c.message ?? []) expect(found[0]!.message).toMatch(m);
    });
  }
});

describe(`${ID}: edge cases (catalog 2.1.4)`, () => {
  it('a DENY for one bad CIDR before a broad ALLOW: address-partial, unless configured as an expected exclusion', () => {
    const text = template(
      HTTPS_IN +
        entry('DenyBad', { n: 50, out: true, action: 'deny', proto: -1, cidr: '198.51.100.0/24' }) +
        entry('OutRet', { n: 100, out: true, ports: [1024, 65535] }),
    );
    const { found } = check(text);
    expect(found.map((f) => [f.id, f.line, f.severity])).toEqual([['InHttps', lineOf(text, 'InHttps'), 'warning']]);
    expect(found[0]!.message).toMatch(/replies to 198\.51\.100\.0\/24 are denied first by rule 50 \(DenyBad\)/);
    expect(found[0]!.message).toMatch(/expectedExclusions/);
    expect(check(text, withOptions({ expectedExclusions: ['198.51.100.0/24'] })).found).toEqual([]);
  });

  it('protocol -1: an ALLOW covers any return, a DENY blocks later entries', () => {
    expect(check(template(HTTPS_IN + entry('OutAll', { n: 100, out: true, proto: -1 }))).found).toEqual([]);
    const text = template(
      HTTPS_IN +
        entry('DenyAll', { n: 50, out: true, proto: -1, action: 'deny' }) +
        entry('OutRet', { n: 100, out: true, ports: [1024, 65535] }),
    );
    const { found } = check(text);
    expect(found.map((f) => f.id)).toEqual(['InHttps']);
    expect(found[0]!.message).toMatch(/denied first by rule 50 \(DenyAll\)/);
  });

  it('protocol coverage: a TCP return does not cover a UDP flow; -1 does', () => {
    const dns = entry('OutDns', { n: 100, out: true, proto: 17, cidr: '8.8.8.8/32', ports: [53, 53] });
    const text = template(dns + entry('InTcp', { n: 100, ports: [1024, 65535] }));
    const { found } = check(text);
    expect(found.map((f) => [f.id, f.line, f.severity])).toEqual([['OutDns', lineOf(text, 'OutDns'), 'error']]);
    expect(found[0]!.message).toMatch(/allows outbound UDP port 53 to 8\.8\.8\.8\/32/);
    expect(check(template(dns + entry('InAll', { n: 100, proto: -1 }))).found).toEqual([]);
  });

  it('PortRange absent for TCP: the NACL is unknown (the validity rule reports the entry)', () => {
    const text = template(HTTPS_IN + entry('Broken', { n: 100, out: true }));
    const { found, unknown } = check(text);
    expect(found).toEqual([]);
    expect(unknown.map((u) => u.logicalId)).toEqual(['Broken']);
    expect(unknown[0]!.why).toMatch(/cannot be analysed: entry Broken is invalid/);
  });

  it('IPv6: a service ALLOW on ::/0 needs an IPv6 return; IPv4 entries never cover it', () => {
    const body =
      entry('InHttps6', { n: 100, v6: '::/0', ports: [443, 443] }) +
      entry('OutRet4', { n: 100, out: true, ports: [1024, 65535] });
    const text = template(body, '', { ipv6: true });
    const { found } = check(text);
    expect(found.map((f) => [f.id, f.line])).toEqual([['InHttps6', lineOf(text, 'InHttps6')]]);
    expect(found[0]!.message).toMatch(
      /outbound TCP to ::\/0 on ephemeral ports 1024–65535 is not allowed by any entry/,
    );
    const fixed = template(body + entry('OutRet6', { n: 110, out: true, v6: '::/0', ports: [1024, 65535] }), '', {
      ipv6: true,
    });
    expect(check(fixed).found).toEqual([]);
    // A subnet without IPv6 addresses carries no IPv6 traffic.
    expect(check(template(body)).found).toEqual([]);
  });

  it('default NACL: rule 100 allows everything, unless a template DENY below 100 blocks the return', () => {
    const dflt = { 'Fn::GetAtt': ['Vpc', 'DefaultNetworkAcl'] };
    const allow = entry('DefaultIn', { n: 50, acl: dflt, ports: [443, 443] });
    expect(check(template(allow, '', { associate: false })).found).toEqual([]);
    const text = template(
      allow + entry('DefaultDeny', { n: 60, out: true, acl: dflt, action: 'deny', ports: [1024, 65535] }),
      '',
      { associate: false },
    );
    const { found } = check(text);
    expect(found.map((f) => [f.id, f.line, f.severity])).toEqual([['DefaultIn', lineOf(text, 'DefaultIn'), 'error']]);
    expect(found[0]!.message).toMatch(/^The default NACL of VPC Vpc \(subnet Web\)/);
    expect(found[0]!.message).toMatch(/denied first by rule 60 \(DefaultDeny\)/);
    expect(found[0]!.message).toMatch(/with rule number 50|with rule number 40/);
  });

  it('no association: the custom NACL affects nothing and is skipped', () => {
    expect(check(template(HTTPS_IN, '', { associate: false })).found).toEqual([]);
  });

  it('a NACL shared by several subnets is analysed per subnet (intra-subnet traffic is not filtered)', () => {
    const other =
      res('Other', 'AWS::EC2::Subnet', { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.0.2.0/24' }) +
      res('OtherAcl', 'AWS::EC2::SubnetNetworkAclAssociation', {
        SubnetId: { Ref: 'Other' },
        NetworkAclId: { Ref: 'Acl' },
      });
    // Requests from Web's own CIDR: only subnet Other filters them.
    const text = template(other + entry('InFromWeb', { n: 100, cidr: '10.0.1.0/24', ports: [8080, 8080] }));
    const { found } = check(text);
    expect(found.map((f) => f.id)).toEqual(['InFromWeb']);
    expect(found[0]!.message).toMatch(/\(subnet Other\)/);
    // The same outcome for both subnets: one finding naming both.
    const both = check(template(other + HTTPS_IN)).found;
    expect(both.map((f) => f.id)).toEqual(['InHttps']);
    expect(both[0]!.message).toMatch(/\(subnets Web and Other\)/);
  });

  it('security groups never excuse a missing NACL return', () => {
    const sg = res('Sg', 'AWS::EC2::SecurityGroup', {
      GroupDescription: 'web',
      VpcId: { Ref: 'Vpc' },
      SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' }],
      SecurityGroupEgress: [{ IpProtocol: '-1', CidrIp: '0.0.0.0/0' }],
    });
    expect(check(template(HTTPS_IN + sg)).found.map((f) => f.id)).toEqual(['InHttps']);
  });

  it('IPv6 added by AWS::EC2::SubnetCidrBlock counts; IPv6 that may or may not exist is unknown', () => {
    const body = entry('InHttps6', { n: 100, v6: '::/0', ports: [443, 443] });
    const extra = res('WebV6', 'AWS::EC2::SubnetCidrBlock', {
      SubnetId: { Ref: 'Web' },
      Ipv6CidrBlock: '2001:db8:0:2::/64',
    });
    expect(check(template(body + extra)).found.map((f) => f.id)).toEqual(['InHttps6']);
    const head = 'Parameters:\n  V6:\n    Type: String\nConditions:\n  HasV6: {"Fn::Equals": [{"Ref": "V6"}, "yes"]}\n';
    const maybe = template(body, head).replace(
      '"CidrBlock":"10.0.1.0/24"}',
      '"CidrBlock":"10.0.1.0/24","Ipv6CidrBlock":{"Fn::If":["HasV6","2001:db8:0:1::/64",{"Ref":"AWS::NoValue"}]}}',
    );
    const { found, unknown } = check(maybe);
    expect(found).toEqual([]);
    expect(unknown.map((u) => u.why).join()).toMatch(/whether subnet Web has IPv6 addresses is unknown/);
  });

  it('ICMP is outside this rule', () => {
    const icmp = entry('InPing', { n: 100, proto: 1, more: { Icmp: { Type: 8, Code: -1 } } });
    expect(check(template(icmp)).found).toEqual([]);
  });

  it('service-looking, ephemeral-looking and wide entries', () => {
    // Ephemeral-looking and wide ranges create no flow; 0-1023 is service-looking.
    expect(
      check(template(entry('InEph', { n: 100, ports: [32768, 65535] }) + entry('InAll', { n: 110, ports: [0, 65535] })))
        .found,
    ).toEqual([]);
    const text = template(entry('InLow', { n: 100, ports: [0, 1023] }));
    expect(check(text).found.map((f) => f.id)).toEqual(['InLow']);
  });

  it('entries for the same return check are merged into one finding at the lowest rule number', () => {
    const text = template(HTTPS_IN + entry('InHttp', { n: 110, ports: [80, 80] }));
    const { found, r } = check(text);
    expect(found.map((f) => [f.id, f.line])).toEqual([['InHttps', lineOf(text, 'InHttps')]]);
    expect(found[0]!.message).toMatch(
      /allows inbound TCP ports 80, 443 from 0\.0\.0\.0\/0 \(entry InHttps, rule 100 and entry InHttp, rule 110\)/,
    );
    const related = r.findings.find((f) => f.ruleId === ID)!.related!;
    expect(related.map((x) => [x.logicalId, x.line])).toEqual(
      expect.arrayContaining([
        ['Web', lineOf(text, 'Web')],
        ['Acl', lineOf(text, 'Acl')],
        ['InHttp', lineOf(text, 'InHttp')],
      ]),
    );
  });

  it('a shadowed service entry creates no flow', () => {
    const text = template(entry('DenyAll', { n: 50, action: 'deny', proto: -1 }) + HTTPS_IN);
    expect(check(text).found).toEqual([]);
  });

  it('string booleans and numbers are normalised', () => {
    const text = template(
      entry('InHttps', { n: '100', proto: '6', ports: ['443', '443'], out: 'false' }) +
        entry('OutRet', { n: '100', out: 'true', proto: '6', ports: ['32768', '60999'], action: 'ALLOW' }),
    );
    const { found } = check(text);
    expect(found.map((f) => [f.id, f.severity])).toEqual([['InHttps', 'warning']]);
  });
});

describe(`${ID}: architecture flows (catalog 2.1.2 b)`, () => {
  // A public subnet (Web) with a NAT gateway used by subnet App; Web's NACL returns only 32768-65535.
  const natBody = (ret: [number, number]) =>
    res('Igw', 'AWS::EC2::InternetGateway') +
    res('PublicRt', 'AWS::EC2::RouteTable', { VpcId: { Ref: 'Vpc' } }) +
    res('PublicDefault', 'AWS::EC2::Route', {
      RouteTableId: { Ref: 'PublicRt' },
      DestinationCidrBlock: '0.0.0.0/0',
      GatewayId: { Ref: 'Igw' },
    }) +
    res('WebRt', 'AWS::EC2::SubnetRouteTableAssociation', {
      SubnetId: { Ref: 'Web' },
      RouteTableId: { Ref: 'PublicRt' },
    }) +
    res('Nat', 'AWS::EC2::NatGateway', { SubnetId: { Ref: 'Web' }, AllocationId: 'eipalloc-1' }) +
    res('App', 'AWS::EC2::Subnet', { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.0.10.0/24' }) +
    res('AppRt', 'AWS::EC2::RouteTable', { VpcId: { Ref: 'Vpc' } }) +
    res('AppDefault', 'AWS::EC2::Route', {
      RouteTableId: { Ref: 'AppRt' },
      DestinationCidrBlock: '0.0.0.0/0',
      NatGatewayId: { Ref: 'Nat' },
    }) +
    res('AppRtA', 'AWS::EC2::SubnetRouteTableAssociation', {
      SubnetId: { Ref: 'App' },
      RouteTableId: { Ref: 'AppRt' },
    }) +
    entry('InAll', { n: 100, proto: -1, cidr: '10.0.0.0/16' }) +
    entry('InRet', { n: 200, ports: ret }) +
    entry('OutAll', { n: 100, out: true, proto: -1 });

  it('managed-partial: a NAT gateway needs replies on 1024-65535 (percentage, location at the narrow entry)', () => {
    const text = template(natBody([32768, 65535]));
    const { found } = check(text);
    expect(found.map((f) => [f.id, f.line, f.severity])).toEqual([
      ['InRet', lineOf(text, 'InRet', 'Properties'), 'error'],
    ]);
    expect(found[0]!.message).toMatch(/carries connections that NAT gateway Nat opens to the internet for subnet App/);
    expect(found[0]!.message).toMatch(
      /NAT gateway Nat uses source ports 1024–65535, but the NACL allows inbound replies from 0\.0\.0\.0\/0 except 10\.0\.0\.0\/16 only on 32768–65535/,
    );
    expect(found[0]!.message).toMatch(
      /about 49% of connections will time out at random\. Widen the inbound ALLOW to 1024–65535/,
    );
    expect(check(template(natBody([1024, 65535]))).found).toEqual([]);
  });

  it('NAT gateway as a server towards the private subnet: returns must cover the private clients', () => {
    const text = template(
      natBody([1024, 65535]).replace(
        entry('OutAll', { n: 100, out: true, proto: -1 }),
        entry('OutNet', { n: 100, out: true, ports: [443, 443] }),
      ),
    );
    const { found } = check(text);
    // Web -> App replies (NAT server side) are missing; Web -> internet HTTPS replies are fine.
    expect(found.map((f) => f.id)).toEqual(['Acl']);
    expect(found[0]!.message).toMatch(/receives connections from subnet App to NAT gateway Nat/);
    expect(found[0]!.line).toBe(lineOf(text, 'Acl'));
  });

  it("NAT forwarding: N's NACL must let Q's declared service traffic through; unknown when Q allows every port", () => {
    const appAcl =
      res('AppAcl', 'AWS::EC2::NetworkAcl', { VpcId: { Ref: 'Vpc' } }) +
      res('AppAclA', 'AWS::EC2::SubnetNetworkAclAssociation', {
        SubnetId: { Ref: 'App' },
        NetworkAclId: { Ref: 'AppAcl' },
      }) +
      entry('AppOut', { n: 100, out: true, acl: { Ref: 'AppAcl' }, ports: [443, 443] }) +
      entry('AppIn', { n: 100, acl: { Ref: 'AppAcl' }, ports: [1024, 65535] });
    const body = natBody([1024, 65535]).replace(
      entry('OutAll', { n: 100, out: true, proto: -1 }),
      entry('OutHttp', { n: 100, out: true, ports: [80, 80] }) +
        entry('OutRet', { n: 200, out: true, ports: [1024, 65535] }),
    );
    const text = template(body + appAcl);
    const { found } = check(text);
    expect(found.map((f) => [f.id, f.line, f.severity])).toEqual([['Nat', lineOf(text, 'Nat', 'Properties'), 'error']]);
    expect(found[0]!.message).toMatch(
      /NAT gateway Nat \(subnet Web\) cannot forward what subnet App sends to the internet: its NACL allows outbound TCP port 443 to 0\.0\.0\.0\/0 \(entry AppOut, rule 100\), but NACL Acl does not let that traffic out to the public addresses of 0\.0\.0\.0\/0 \(no entry allows it\)\. Add an outbound ALLOW TCP/,
    );
    // Q on the default NACL: every port may be used, the forwarding is unknown.
    const { unknown } = check(template(natBody([1024, 65535])));
    expect(unknown.map((u) => u.why).join()).toMatch(/ports NAT gateway Nat forwards for subnet App are unknown/);
  });

  it('managed-partial: a VPC Lambda makes every client flow of its subnet aws-managed', () => {
    const fn = res('Fn', 'AWS::Lambda::Function', {
      Runtime: 'python3.12',
      Handler: 'index.handler',
      Role: 'arn:aws:iam::123456789012:role/fn',
      Code: { ZipFile: 'x' },
      VpcConfig: { SubnetIds: [{ Ref: 'Web' }], SecurityGroupIds: ['sg-1'] },
    });
    const text = template(fn + HTTPS_OUT + entry('InRet', { n: 100, ports: [32768, 65535] }));
    const { found } = check(text);
    expect(found.map((f) => [f.id, f.line, f.severity])).toEqual([['OutHttps', lineOf(text, 'OutHttps'), 'error']]);
    expect(found[0]!.message).toMatch(/VPC Lambda Fn uses source ports 1024–65535/);
  });

  const lbBody = (lbProps: Record<string, unknown>, tgProps: Record<string, unknown>, targets: string) =>
    res('Public', 'AWS::EC2::Subnet', { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.0.0.0/24' }) +
    res('Lb', 'AWS::ElasticLoadBalancingV2::LoadBalancer', { Subnets: [{ Ref: 'Public' }], ...lbProps }) +
    res('Listener', 'AWS::ElasticLoadBalancingV2::Listener', {
      LoadBalancerArn: { Ref: 'Lb' },
      Port: 80,
      Protocol: lbProps.Type === 'network' ? 'TCP' : 'HTTP',
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: 'Tg' } }],
    }) +
    res('Tg', 'AWS::ElasticLoadBalancingV2::TargetGroup', {
      VpcId: { Ref: 'Vpc' },
      Port: 8080,
      Protocol: lbProps.Type === 'network' ? 'TCP' : 'HTTP',
      ...tgProps,
    }) +
    targets;

  it('managed-partial: targets of a load balancer answer its nodes on 1024-65535', () => {
    const asg = res('Asg', 'AWS::AutoScaling::AutoScalingGroup', {
      MinSize: '1',
      MaxSize: '2',
      VPCZoneIdentifier: [{ Ref: 'Web' }],
      TargetGroupARNs: [{ Ref: 'Tg' }],
      LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: '1' },
    });
    const text = template(
      lbBody({}, {}, asg) +
        entry('InApp', { n: 100, cidr: '10.0.0.0/24', ports: [8080, 8080] }) +
        entry('OutRet', { n: 100, out: true, cidr: '10.0.0.0/24', ports: [32768, 60999] }),
    );
    const { found } = check(text);
    expect(found.map((f) => [f.id, f.line, f.severity])).toEqual([['InApp', lineOf(text, 'InApp'), 'error']]);
    expect(found[0]!.message).toMatch(/admits connections from load balancer Lb \(subnet Public\) to its targets/);
    expect(found[0]!.message).toMatch(/The nodes of load balancer Lb use source ports 1024–65535/);
  });

  it('ECS service targets in awsvpc subnets', () => {
    const svc = res('Svc', 'AWS::ECS::Service', {
      Cluster: 'c',
      TaskDefinition: 'td',
      LoadBalancers: [{ TargetGroupArn: { Ref: 'Tg' }, ContainerName: 'app', ContainerPort: 8080 }],
      NetworkConfiguration: { AwsvpcConfiguration: { Subnets: [{ Ref: 'Web' }] } },
    });
    const text = template(
      lbBody({}, { TargetType: 'ip' }, svc) +
        entry('InApp', { n: 100, cidr: '10.0.0.0/24', ports: [8080, 8080] }) +
        entry('OutRet', { n: 100, out: true, cidr: '10.0.0.0/24', ports: [1024, 65535] }),
    );
    expect(check(text).found).toEqual([]);
    const narrow = text.replace('"PortRange":{"From":1024,"To":65535}', '"PortRange":{"From":49152,"To":65535}');
    const { found } = check(narrow);
    expect(found.map((f) => [f.id, f.line, f.severity])).toEqual([['InApp', lineOf(narrow, 'InApp'), 'error']]);
    expect(found[0]!.message).toMatch(/load balancer Lb/);
  });

  it('an internet-facing NLB with instance targets: targets answer the clients directly', () => {
    const inst = res('Instance', 'AWS::EC2::Instance', { ImageId: 'ami-12345678', SubnetId: { Ref: 'Web' } });
    const text = template(
      lbBody({ Type: 'network', Scheme: 'internet-facing' }, { Targets: [{ Id: { Ref: 'Instance' } }] }, inst) +
        entry('InApp', { n: 100, ports: [8080, 8080] }) +
        entry('OutRet', { n: 100, out: true, cidr: '10.0.0.0/16', ports: [1024, 65535] }),
    );
    const { found } = check(text);
    expect(found.map((f) => [f.id, f.severity])).toEqual([['InApp', 'warning']]);
    expect(found[0]!.message).toMatch(
      /client connections that network load balancer Lb forwards with the client address preserved/,
    );
    expect(found[0]!.message).toMatch(/replies to 0\.0\.0\.0\/0 except 10\.0\.0\.0\/16 are not allowed by any entry/);
  });

  it('a classic load balancer listener: replies to internet clients', () => {
    const clb = res('Clb', 'AWS::ElasticLoadBalancing::LoadBalancer', {
      Subnets: [{ Ref: 'Web' }],
      Listeners: [{ LoadBalancerPort: 80, InstancePort: 80, Protocol: 'HTTP' }],
    });
    const text = template(
      clb + entry('InAll', { n: 100, proto: -1 }) + entry('OutRet', { n: 100, out: true, ports: [49152, 65535] }),
    );
    const { found } = check(text);
    expect(found.map((f) => [f.id, f.line, f.severity])).toEqual([
      ['OutRet', lineOf(text, 'OutRet', 'Properties'), 'warning'],
    ]);
    expect(found[0]!.message).toMatch(
      /receives connections from the clients of internet-facing load balancer Clb on port 80/,
    );
    expect(found[0]!.message).toMatch(/only for Windows clients/);
  });
  it('an architecture flow the NACL does not let in at all is not graded (no reply to return)', () => {
    const clb = res('Clb', 'AWS::ElasticLoadBalancing::LoadBalancer', {
      Subnets: [{ Ref: 'Web' }],
      Listeners: [{ LoadBalancerPort: 80, InstancePort: 80, Protocol: 'HTTP' }],
    });
    // Only port 443 may come in; the port 80 listener receives nothing, so its replies are not checked.
    const text = template(
      clb + HTTPS_IN + entry('OutRet', { n: 100, out: true, cidr: '10.0.0.0/8', ports: [1024, 65535] }),
    );
    const { found } = check(text);
    expect(found.map((f) => f.id)).toEqual(['InHttps']);
    expect(found[0]!.message).not.toMatch(/Clb/);
  });
});

describe(`${ID}: unknown inputs never produce a finding`, () => {
  const head = (def?: string) => `Parameters:\n  ClientCidr:\n    Type: String\n${def ? `    Default: ${def}\n` : ''}`;
  const body = entry('InHttps', { n: 100, cidr: { Ref: 'ClientCidr' }, ports: [443, 443] });

  it('a parameter without a value: unknown outcome naming it', () => {
    const { found, unknown } = check(template(body, head()));
    expect(found).toEqual([]);
    expect(unknown.map((u) => u.why).join()).toMatch(/needs the value of parameter ClientCidr/);
  });

  it('the same parameter with a Default, or supplied, is analysed', () => {
    expect(check(template(body, head('0.0.0.0/0'))).found.map((f) => f.id)).toEqual(['InHttps']);
    expect(
      check(template(body, head()), { parameters: { ClientCidr: '192.0.2.0/24' } }).found.map((f) => f.id),
    ).toEqual(['InHttps']);
  });

  const cond = (def?: string) =>
    `Parameters:\n  ReturnPath:\n    Type: String\n${def ? `    Default: ${def}\n` : ''}Conditions:\n  HasReturn: {"Fn::Equals": [{"Ref": "ReturnPath"}, "yes"]}\n`;
  const condBody = HTTPS_IN + entry('OutRet', { n: 100, out: true, ports: [1024, 65535], condition: 'HasReturn' });

  it('a parameter default makes a conditional return entry exist: no finding', () => {
    expect(check(template(condBody, cond('yes'))).found).toEqual([]);
  });

  it('a parameter default makes a conditional return entry not exist: finding', () => {
    const text = template(condBody, cond('no'));
    expect(check(text).found.map((f) => [f.id, f.line])).toEqual([['InHttps', lineOf(text, 'InHttps')]]);
  });

  it('an unknown condition: the return may or may not exist, so unknown', () => {
    const { found, unknown } = check(template(condBody, cond()));
    expect(found).toEqual([]);
    expect(unknown.map((u) => u.why).join()).toMatch(/depends on entry OutRet \(condition HasReturn\)/);
  });

  it('an unknown subnet CIDR: findings only when they hold whatever the subnet is', () => {
    const t = (b: string) =>
      template(b, 'Parameters:\n  WebCidr:\n    Type: String\n').replace(
        '"CidrBlock":"10.0.1.0/24"',
        '"CidrBlock":{"Ref":"WebCidr"}',
      );
    expect(check(t(HTTPS_IN)).found.map((f) => f.id)).toEqual(['InHttps']);
    const small = check(t(entry('InVpc', { n: 100, cidr: '10.0.1.0/24', ports: [443, 443] })));
    expect(small.found).toEqual([]);
    expect(small.unknown.map((u) => u.why).join()).toMatch(/CIDR of subnet Web is unknown/);
  });

  it('a VPC whose CIDR is unknown: a single peer address is still checked unless it may be the VPC resolver', () => {
    const t = (cidr: string) =>
      template(
        entry('OutDns', { n: 100, out: true, proto: 17, cidr, ports: [53, 53] }),
        'Parameters:\n  VpcCidr:\n    Type: String\n',
      ).replace('"CidrBlock":"10.0.0.0/16"', '"CidrBlock":{"Ref":"VpcCidr"}');
    expect(check(t('8.8.8.8/32')).found.map((f) => f.id)).toEqual(['OutDns']);
    const resolver = check(t('10.0.0.2/32'));
    expect(resolver.found).toEqual([]);
    expect(resolver.unknown.map((u) => u.why).join()).toMatch(/DNS resolver at base \+ 2\) is unknown/);
  });

  it('a NACL associated outside the template (an output): analysed for every possible subnet', () => {
    const text = template(HTTPS_IN, '', { associate: false }) + 'Outputs:\n  AclId:\n    Value: {"Ref": "Acl"}\n';
    const { found } = check(text);
    expect(found.map((f) => f.id)).toEqual(['InHttps']);
    expect(found[0]!.message).toMatch(/^NACL Acl \(associated with subnets outside this template\)/);
  });

  it('a subnet whose NACL association is imported from elsewhere: unknown', () => {
    const text = template(HTTPS_IN).replace('"NetworkAclId":{"Ref":"Acl"}}', '"NetworkAclId":"acl-0123456789abcdef0"}');
    const { found } = check(text);
    expect(found).toEqual([]);
  });

  it('an entry with an unknown value is assumed as permissive as possible for the return', () => {
    const text = template(
      HTTPS_IN + entry('OutRet', { n: 100, out: true, cidr: { Ref: 'ReturnCidr' }, ports: [1024, 65535] }),
      'Parameters:\n  ReturnCidr:\n    Type: String\n',
    );
    const { found, unknown } = check(text);
    expect(found).toEqual([]);
    expect(unknown.map((u) => u.why).join()).toMatch(
      /depends on entry OutRet \(CidrBlock needs the value of parameter ReturnCidr\)/,
    );
  });
});

describe(`${ID}: UDP`, () => {
  it('a one-way UDP service (syslog) is unknown unless listed in udpServices', () => {
    const text = template(entry('InSyslog', { n: 100, proto: 17, cidr: '10.0.0.0/16', ports: [514, 514] }));
    const { found, unknown } = check(text);
    expect(found).toEqual([]);
    expect(unknown.map((u) => u.why).join()).toMatch(/UDP port 514 may be a one-way service/);
    expect(check(text, withOptions({ udpServices: [514] })).found.map((f) => f.id)).toEqual(['InSyslog']);
  });

  it('NTP in symmetric mode: replies to port 123 pass, ephemeral clients time out (warning)', () => {
    const text = template(
      entry('InNtp', { n: 100, proto: 17, ports: [123, 123] }) +
        entry('OutNtp', { n: 100, out: true, proto: 17, ports: [123, 123] }),
    );
    const { found } = check(text);
    expect(found.map((f) => [f.id, f.severity])).toEqual([
      ['InNtp', 'warning'],
      ['OutNtp', 'warning'],
    ]);
    expect(found[0]!.message).toMatch(/symmetric mode/);
  });

  it('IKE (UDP 500/4500) uses fixed source ports and needs no ephemeral return', () => {
    expect(
      check(
        template(
          entry('InIke', { n: 100, proto: 17, ports: [500, 500] }) +
            entry('OutIke', { n: 100, out: true, proto: 17, ports: [500, 500] }),
        ),
      ).found,
    ).toEqual([]);
  });
});

describe(`${ID}: configuration`, () => {
  it('project-wide client class', () => {
    const text = template(HTTPS_OUT + entry('InRet', { n: 100, ports: [32768, 60999] }));
    expect(check(text).found.map((f) => f.severity)).toEqual(['warning']);
    expect(check(text, withOptions({ clientClass: 'linux' })).found).toEqual([]);
    expect(check(text, withOptions({ clientClass: '32768-50000' })).found).toEqual([]);
  });

  it('client class by subnet tag, by Name tag, by custom class, and for outside peers', () => {
    const tagged = template(HTTPS_OUT + entry('InRet', { n: 100, ports: [49152, 65535] })).replace(
      '"CidrBlock":"10.0.1.0/24"}',
      '"CidrBlock":"10.0.1.0/24","Tags":[{"Key":"Name","Value":"web-a"},{"Key":"os","Value":"windows"}]}',
    );
    expect(check(tagged, withOptions({ tags: [{ key: 'os', value: 'windows', class: 'windows' }] })).found).toEqual([]);
    expect(check(tagged, withOptions({ subnets: { 'web-a': 'windows' } })).found).toEqual([]);
    expect(
      check(tagged, withOptions({ classes: { desktop: '49152-65535' }, subnets: { Web: 'desktop' } })).found,
    ).toEqual([]);
    const server = template(
      entry('InOffice', { n: 100, cidr: '192.0.2.0/24', ports: [443, 443] }) +
        entry('OutRet', { n: 100, out: true, ports: [49152, 65535] }),
    );
    expect(check(server).found.map((f) => f.severity)).toEqual(['warning']);
    expect(check(server, withOptions({ peers: [{ cidr: '192.0.2.0/24', class: 'windows' }] })).found).toEqual([]);
  });

  it('invalid options are ignored and reported as unknown outcomes', () => {
    const { unknown } = check(
      template(HTTPS_IN),
      withOptions({ clientClass: 'solaris', peers: [{ cidr: 'x' }], clients: 'linux' }),
    );
    expect(unknown.map((u) => u.why)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/clientClass: unknown client class "solaris"/),
        expect.stringMatching(/peers\[0\]/),
        expect.stringMatching(/unknown option clients/),
      ]),
    );
  });
});
