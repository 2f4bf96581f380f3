import { describe, expect, it } from 'vitest';
import { lint } from '../../src/api';
import { defineRule } from '../../src/engine/rule';
import { SymbolicAz } from '../../src/model/values';
import { networkView, entryDirection, type NetworkView } from '../../src/model/network';

/** Build the network view of a template through the engine (as rules see it). */
function viewOf(text: string, parameters?: Record<string, unknown>): NetworkView {
  let view: NetworkView | undefined;
  const probe = defineRule({
    id: 'test-network-probe',
    title: 'probe',
    severity: 'info',
    pillar: 'reliability',
    tier: '2',
    scope: 'template',
    rationale: 'test',
    remediation: 'test',
    citations: ['test'],
    checkTemplate(ctx) {
      view = ctx.view(networkView);
    },
  });
  const r = lint({ file: 'network.yaml', text }, { rules: [probe], parameters });
  expect(r.errors).toEqual([]);
  return view!;
}

const BASE = `
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  SubnetCidr: { Type: String }
  ExternalSubnet: { Type: AWS::EC2::Subnet::Id }
  UseIpv6: { Type: String, Default: 'false' }
Conditions:
  Ipv6: !Equals [!Ref UseIpv6, 'true']
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: { CidrBlock: 10.0.0.0/16 }
  Secondary:
    Type: AWS::EC2::VPCCidrBlock
    Properties: { VpcId: !Ref Vpc, CidrBlock: 100.64.0.0/20 }
  Igw: { Type: AWS::EC2::InternetGateway }
  Public:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: !Select [0, !Cidr [!GetAtt Vpc.CidrBlock, 4, 8]]
      AvailabilityZone: !Select [0, !GetAZs '']
      Tags: [{ Key: Name, Value: public-a }]
  Private:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.10.0/24
      AvailabilityZone: eu-west-1b
  Isolated:
    Type: AWS::EC2::Subnet
    Properties: { VpcId: !Ref Vpc, CidrBlock: !Ref SubnetCidr }
  MainTable:
    Type: AWS::EC2::Subnet
    Properties: { VpcId: !Ref Vpc, CidrBlock: 10.0.30.0/24 }
  PublicRt: { Type: AWS::EC2::RouteTable, Properties: { VpcId: !Ref Vpc } }
  PublicDefault:
    Type: AWS::EC2::Route
    Properties: { RouteTableId: !Ref PublicRt, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Igw }
  PublicRtA:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: { SubnetId: !Ref Public, RouteTableId: !Ref PublicRt }
  Nat:
    Type: AWS::EC2::NatGateway
    Properties: { SubnetId: !GetAtt Public.SubnetId, AllocationId: eipalloc-1 }
  PrivateNat:
    Type: AWS::EC2::NatGateway
    Properties: { SubnetId: !Ref Private, ConnectivityType: private }
  PrivateRt: { Type: AWS::EC2::RouteTable, Properties: { VpcId: !Ref Vpc } }
  PrivateDefault:
    Type: AWS::EC2::Route
    Properties: { RouteTableId: !Ref PrivateRt, DestinationCidrBlock: 0.0.0.0/0, NatGatewayId: !Ref Nat }
  PrivateRtA:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: { SubnetId: !Ref Private, RouteTableId: !Ref PrivateRt }
  IsolatedRt: { Type: AWS::EC2::RouteTable, Properties: { VpcId: !Ref Vpc } }
  IsolatedRtA:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: { SubnetId: !Ref Isolated, RouteTableId: !Ref IsolatedRt }
  Acl: { Type: AWS::EC2::NetworkAcl, Properties: { VpcId: !Ref Vpc } }
  PublicAcl:
    Type: AWS::EC2::SubnetNetworkAclAssociation
    Properties: { SubnetId: !Ref Public, NetworkAclId: !GetAtt Acl.Id }
  PrivateAcl1:
    Type: AWS::EC2::SubnetNetworkAclAssociation
    Properties: { SubnetId: !Ref Private, NetworkAclId: !Ref Acl }
  PrivateAcl2:
    Type: AWS::EC2::SubnetNetworkAclAssociation
    Properties: { SubnetId: !Ref Private, NetworkAclId: !GetAtt Vpc.DefaultNetworkAcl }
  IsolatedAcl:
    Type: AWS::EC2::SubnetNetworkAclAssociation
    Condition: Ipv6
    Properties: { SubnetId: !Ref Isolated, NetworkAclId: !Ref Acl }
  ExternalAcl:
    Type: AWS::EC2::SubnetNetworkAclAssociation
    Properties: { SubnetId: !Ref ExternalSubnet, NetworkAclId: !Ref Acl }
  InHttps:
    Type: AWS::EC2::NetworkAclEntry
    Properties:
      NetworkAclId: !Ref Acl
      RuleNumber: '100'
      Protocol: '6'
      RuleAction: ALLOW
      Egress: 'false'
      CidrBlock: 0.0.0.0/0
      PortRange: { From: '443', To: '443' }
  OutAll:
    Type: AWS::EC2::NetworkAclEntry
    Properties: { NetworkAclId: !Ref Acl, RuleNumber: 100, Protocol: -1, RuleAction: allow, Egress: 'true', CidrBlock: !GetAtt Vpc.CidrBlock }
  OnDefault:
    Type: AWS::EC2::NetworkAclEntry
    Properties: { NetworkAclId: !GetAtt Vpc.DefaultNetworkAcl, RuleNumber: 50, Protocol: -1, RuleAction: deny, CidrBlock: 192.0.2.0/24 }
  Unknown:
    Type: AWS::EC2::NetworkAclEntry
    Properties: { NetworkAclId: !Ref Acl, RuleNumber: 200, Protocol: 6, RuleAction: allow, CidrBlock: !Ref SubnetCidr, PortRange: { From: 22, To: 22 } }
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: { Subnets: [!Ref Public, !Ref Private] }
  Nlb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Type: network
      Scheme: internal
      SubnetMappings: [{ SubnetId: !Ref Private }, { SubnetId: !Ref ExternalSubnet }]
  Clb:
    Type: AWS::ElasticLoadBalancing::LoadBalancer
    Properties: { Subnets: [!Ref Public], Listeners: [{ LoadBalancerPort: 80, InstancePort: 80, Protocol: HTTP }] }
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/x
      Code: { ZipFile: 'x' }
      VpcConfig: { SubnetIds: [!Ref Private], SecurityGroupIds: [sg-1] }
  NoVpcFn:
    Type: AWS::Lambda::Function
    Properties: { Runtime: python3.12, Handler: index.handler, Role: arn:aws:iam::123456789012:role/x, Code: { ZipFile: 'x' } }
Outputs:
  AclId: { Value: !Ref Acl }
`;

describe('network view', () => {
  const v = viewOf(BASE);

  it('VPCs: primary and secondary IPv4 blocks, the default NACL key', () => {
    const vpc = v.vpcs.get('Vpc')!;
    expect(vpc.cidr4?.toCidrs()).toEqual(['10.0.0.0/16', '100.64.0.0/20']);
    expect(vpc.primaryCidr).toBe('10.0.0.0/16');
    expect(vpc.ipv6).toBe('no');
    expect(vpc.defaultNacl).toBe('Vpc.DefaultNetworkAcl');
  });

  it('subnets: CIDR through Fn::Cidr of GetAtt VPC.CidrBlock, literal and symbolic AZs, unknown CIDRs', () => {
    const pub = v.subnets.get('Public')!;
    expect(pub.cidr4?.toCidrs()).toEqual(['10.0.0.0/24']);
    expect(pub.az).toBeInstanceOf(SymbolicAz);
    expect((pub.az as SymbolicAz).index).toBe(0);
    expect(pub.tags.Name).toBe('public-a');
    expect(v.subnets.get('Private')!.az).toBe('eu-west-1b');
    const iso = v.subnets.get('Isolated')!;
    expect(iso.cidr4).toBeUndefined();
    expect(iso.cidr4Why).toMatch(/parameter SubnetCidr/);
    expect(iso.ipv6).toBe('no');
  });

  it('route tables: public, private (NAT), isolated, main table', () => {
    expect(v.subnets.get('Public')!.tier).toBe('public');
    expect(v.subnets.get('Private')!.tier).toBe('private');
    expect(v.subnets.get('Private')!.natGateways).toEqual(['Nat']);
    expect(v.subnets.get('Isolated')!.tier).toBe('isolated');
    expect(v.subnets.get('MainTable')!.routeTable).toEqual({ kind: 'main' });
    expect(v.subnets.get('MainTable')!.tier).toBe('unknown');
    expect(v.routeTables.get('PublicRt')!.routes[0]!.target).toEqual({ kind: 'igw', logicalId: 'Igw' });
    expect(v.routeTables.get('PublicRt')!.subnets).toEqual(['Public']);
  });

  it('NACL of each subnet: explicit (Ref or GetAtt Id), default, two associations, conditional association', () => {
    expect(v.subnets.get('Public')!.nacl).toEqual({ kind: 'nacl', key: 'Acl' });
    expect(v.subnets.get('MainTable')!.nacl).toEqual({ kind: 'nacl', key: 'Vpc.DefaultNetworkAcl' });
    expect(v.subnets.get('Private')!.nacl).toMatchObject({
      kind: 'unknown',
      why: expect.stringMatching(/2 NACL associations/),
    });
    // IsolatedAcl has Condition Ipv6, which is false under the parameter default: no association.
    expect(v.subnets.get('Isolated')!.nacl).toEqual({ kind: 'nacl', key: 'Vpc.DefaultNetworkAcl' });
    const acl = v.nacls.get('Acl')!;
    expect(acl.subnets).toEqual(['Public']);
    expect(acl.associations.map((a) => a.logicalId)).toEqual(['PublicAcl', 'PrivateAcl1', 'ExternalAcl']);
    expect(acl.exported).toBe(true);
  });

  it('an unknown condition makes the association, and so the NACL, unknown', () => {
    const u = viewOf(BASE.replace("UseIpv6: { Type: String, Default: 'false' }", 'UseIpv6: { Type: String }'));
    expect(u.subnets.get('Isolated')!.nacl).toMatchObject({
      kind: 'unknown',
      why: expect.stringMatching(/condition Ipv6/),
    });
  });

  it('entries: string values normalised, GetAtt VPC.CidrBlock resolved, default NACL entries, unknown fields', () => {
    const e = v.naclEntries.get('InHttps')!;
    expect(entryDirection(e)).toBe('inbound');
    expect(e.rule).toMatchObject({ number: 100, action: 'allow', protocol: 6, family: 4 });
    expect(e.rule!.ports.describe()).toBe('443');
    const out = v.naclEntries.get('OutAll')!;
    expect(entryDirection(out)).toBe('outbound');
    expect(out.rule!.addrs.toCidrs()).toEqual(['10.0.0.0/16']);
    expect(out.rule!.ports.describe()).toBe('0–65535');
    expect(v.nacls.get('Vpc.DefaultNetworkAcl')!.entries.map((x) => x.resource.logicalId)).toEqual(['OnDefault']);
    const u = v.naclEntries.get('Unknown')!;
    expect(u.rule).toBeUndefined();
    expect(u.problems.join()).toMatch(/parameter SubnetCidr/);
    expect(u.invalid).toBe(false);
  });

  it('NAT gateways with their subnet and connectivity', () => {
    expect(v.natGateways.get('Nat')).toMatchObject({
      subnet: { kind: 'resource', logicalId: 'Public' },
      connectivity: 'public',
    });
    expect(v.natGateways.get('PrivateNat')!.connectivity).toBe('private');
  });

  it('load balancers and VPC Lambda functions with their subnets', () => {
    expect(v.loadBalancers.get('Alb')).toMatchObject({
      kind: 'application',
      scheme: 'internet-facing',
      subnets: ['Public', 'Private'],
    });
    const nlb = v.loadBalancers.get('Nlb')!;
    expect(nlb).toMatchObject({ kind: 'network', scheme: 'internal', subnets: ['Private'] });
    expect(nlb.subnetsWhy).toMatch(/ExternalSubnet/);
    expect(nlb.subnetsPath).toEqual(['Properties', 'SubnetMappings']);
    expect(v.loadBalancers.get('Clb')).toMatchObject({ kind: 'classic', subnets: ['Public'] });
    expect(v.lambdas.get('Fn')!.subnets).toEqual(['Private']);
    expect(v.lambdas.has('NoVpcFn')).toBe(false);
  });

  it('IPv6: VPC blocks and subnet blocks', () => {
    const t = `
Resources:
  Vpc: { Type: AWS::EC2::VPC, Properties: { CidrBlock: 10.0.0.0/16 } }
  V6: { Type: AWS::EC2::VPCCidrBlock, Properties: { VpcId: !Ref Vpc, AmazonProvidedIpv6CidrBlock: true } }
  S:
    Type: AWS::EC2::Subnet
    Properties: { VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/24, Ipv6CidrBlock: '2001:db8:0:1::/64' }
`;
    const w = viewOf(t);
    expect(w.vpcs.get('Vpc')!.ipv6).toBe('yes');
    expect(w.subnets.get('S')!.ipv6).toBe('yes');
    expect(w.subnets.get('S')!.cidr6?.toCidrs()).toEqual(['2001:db8:0:1::/64']);
  });

  it('parameters supplied at lint time make inputs known', () => {
    const w = viewOf(BASE, { SubnetCidr: '10.0.20.0/24' });
    expect(w.subnets.get('Isolated')!.cidr4?.toCidrs()).toEqual(['10.0.20.0/24']);
    expect(w.naclEntries.get('Unknown')!.rule?.addrs.toCidrs()).toEqual(['10.0.20.0/24']);
  });
});
