import { describe, it } from 'vitest';
import { check, template, type Case } from '../helpers/elb';

const ID = 'elb-gwlb-appliance-wiring';
const E = `# expect: ${ID}`;

interface Opts {
  tg?: string;
  sgIngress?: string;
  nacl?: string;
  routing?: string;
  appliance?: string;
  gwlbAnnotate?: boolean;
}

const SG_OK =
  '        - IpProtocol: udp\n          FromPort: 6081\n          ToPort: 6081\n          CidrIp: 10.20.1.0/24\n';

const ROUTED = `
  Service:
    Type: AWS::EC2::VPCEndpointService
    Properties:
      GatewayLoadBalancerArns: [!Ref Gwlb]
  Endpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Vpc
      VpcEndpointType: GatewayLoadBalancer
      ServiceName: !Sub com.amazonaws.vpce.\${AWS::Region}.\${Service}
      SubnetIds: [subnet-endpoint]
  Route:
    Type: AWS::EC2::Route
    Properties:
      RouteTableId: rtb-app
      DestinationCidrBlock: 0.0.0.0/0
      VpcEndpointId: !Ref Endpoint
`;

const INSTANCE = `
  Firewall:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-0123456789abcdef0
      InstanceType: c6in.large
      SubnetId: !Ref ApplianceSubnet
      SecurityGroupIds: [!Ref FirewallSg]
`;

function gwlb(o: Opts = {}): string {
  return `
  Vpc:
    Type: AWS::EC2::VPC
    Properties: { CidrBlock: 10.20.0.0/16 }
  GwlbSubnet:
    Type: AWS::EC2::Subnet
    Properties: { VpcId: !Ref Vpc, CidrBlock: 10.20.1.0/24 }
  ApplianceSubnet:
    Type: AWS::EC2::Subnet
    Properties: { VpcId: !Ref Vpc, CidrBlock: 10.20.2.0/24 }
  Gwlb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
${o.gwlbAnnotate ? `      ${E}\n` : ''}      Type: gateway
      Subnets: [!Ref GwlbSubnet]
  Targets:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      VpcId: !Ref Vpc
${o.tg ?? '      Protocol: GENEVE\n      Port: 6081\n'}      Targets:
        - Id: !Ref Firewall
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Gwlb
      DefaultActions:
        - Type: forward
          TargetGroupArn: !Ref Targets
  FirewallSg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: firewall
      VpcId: !Ref Vpc
      SecurityGroupIngress:
${o.sgIngress ?? SG_OK}${o.appliance ?? INSTANCE}${o.nacl ?? ''}${o.routing ?? ROUTED}`;
}

function acl(entries: [number, boolean, number, string, string, [number, number]?][], annotate = true): string {
  return `
${annotate ? `  ${E}\n` : ''}  Acl:
    Type: AWS::EC2::NetworkAcl
    Properties: { VpcId: !Ref Vpc }
  AclAssociation:
    Type: AWS::EC2::SubnetNetworkAclAssociation
    Properties: { SubnetId: !Ref ApplianceSubnet, NetworkAclId: !Ref Acl }
${entries
  .map(
    ([n, egress, proto, action, cidr, ports], i) => `  Entry${i}:
    Type: AWS::EC2::NetworkAclEntry
    Properties:
      NetworkAclId: !Ref Acl
      RuleNumber: ${n}
      Egress: ${egress}
      Protocol: ${proto}
      RuleAction: ${action}
      CidrBlock: ${cidr}
${ports ? `      PortRange: { From: ${ports[0]}, To: ${ports[1]} }\n` : ''}`,
  )
  .join('')}`;
}

const cases: Case[] = [
  { name: 'pass: GENEVE/6081, UDP 6081 admitted, routed through a GWLB endpoint', yaml: template(gwlb()), ids: [] },
  // GENEVE / 6081
  {
    name: 'target group protocol is not GENEVE',
    yaml: template(gwlb({ tg: `      ${E}\n      Protocol: HTTP\n      Port: 6081\n` })),
    ids: ['Targets'],
    message: /uses protocol HTTP\. A GWLB talks to its appliances only with GENEVE on UDP 6081/,
    severity: 'error',
  },
  {
    name: 'target group port is not 6081',
    yaml: template(gwlb({ tg: `      Protocol: GENEVE\n      ${E}\n      Port: 443\n` })),
    ids: ['Targets'],
    message: /uses port 443\. GENEVE target groups must use port 6081/,
  },
  // Security groups
  {
    name: 'appliance security group without UDP 6081 from the GWLB subnet',
    yaml: template(
      gwlb({
        sgIngress:
          '        - IpProtocol: tcp\n          FromPort: 0\n          ToPort: 65535\n          CidrIp: 10.20.0.0/16\n',
      }).replace('      SecurityGroupIngress:\n', `      ${E}\n      SecurityGroupIngress:\n`),
    ),
    ids: ['FirewallSg'],
    message: /does not admit UDP 6081 from 10\.20\.1\.0\/24 \(GwlbSubnet\)/,
  },
  {
    name: 'pass: all traffic from the VPC CIDR covers GENEVE',
    yaml: template(gwlb({ sgIngress: "        - IpProtocol: '-1'\n          CidrIp: 10.20.0.0/16\n" })),
    ids: [],
  },
  {
    name: 'pass: standalone ingress resource admits GENEVE',
    yaml: template(
      gwlb({
        sgIngress:
          '        - IpProtocol: tcp\n          FromPort: 80\n          ToPort: 80\n          CidrIp: 10.20.1.0/24\n',
      }) +
        `
  Geneve:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !Ref FirewallSg
      IpProtocol: udp
      FromPort: 6081
      ToPort: 6081
      CidrIp: 10.20.1.0/24
`,
    ),
    ids: [],
  },
  {
    name: 'unknown: UDP 6081 admitted from a prefix list',
    yaml: template(
      gwlb({
        sgIngress:
          '        - IpProtocol: udp\n          FromPort: 6081\n          ToPort: 6081\n          SourcePrefixListId: pl-0123\n',
      }),
    ),
    ids: [],
    unknown: true,
  },
  {
    name: 'unknown: UDP 6081 admitted from a part of the GWLB subnet only',
    yaml: template(gwlb({ sgIngress: SG_OK.replace('10.20.1.0/24', '10.20.1.0/25') })),
    ids: [],
    unknown: true,
  },
  {
    name: 'appliances from an Auto Scaling group launch template',
    yaml: template(
      gwlb({
        sgIngress:
          '        - IpProtocol: tcp\n          FromPort: 22\n          ToPort: 22\n          CidrIp: 10.20.0.0/16\n',
        appliance: `
  Firewall:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        ImageId: ami-0123456789abcdef0
        SecurityGroupIds: [!Ref FirewallSg]
  Fleet:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: '2'
      MaxSize: '4'
      VPCZoneIdentifier: [!Ref ApplianceSubnet]
      LaunchTemplate: { LaunchTemplateId: !Ref Firewall, Version: '1' }
      TargetGroupARNs: [!Ref Targets]
`,
      })
        .replace('      Targets:\n        - Id: !Ref Firewall\n', '')
        .replace('      SecurityGroupIngress:\n', `      ${E}\n      SecurityGroupIngress:\n`),
    ),
    ids: ['FirewallSg'],
    message: /of appliance 'Fleet'/,
  },
  {
    name: 'unknown: appliance without security groups uses the VPC default group',
    yaml: template(gwlb({ appliance: INSTANCE.replace('      SecurityGroupIds: [!Ref FirewallSg]\n', '') })),
    ids: [],
    unknown: true,
  },
  {
    name: 'unknown: appliance attached to an existing network interface',
    yaml: template(
      gwlb({
        appliance: INSTANCE.replace(
          '      SubnetId: !Ref ApplianceSubnet\n      SecurityGroupIds: [!Ref FirewallSg]\n',
          "      NetworkInterfaces:\n        - NetworkInterfaceId: eni-0123\n          DeviceIndex: '0'\n",
        ),
      }),
    ),
    ids: [],
    unknown: true,
  },
  // NACLs
  {
    name: 'appliance NACL does not admit UDP 6081 from the GWLB subnet',
    yaml: template(
      gwlb({
        nacl: acl([
          [100, false, 6, 'allow', '10.20.0.0/16', [0, 65535]],
          [100, true, -1, 'allow', '0.0.0.0/0'],
        ]),
      }),
    ),
    ids: ['Acl'],
    message: /inbound UDP 6081 from 10\.20\.1\.0\/24 is not allowed/,
  },
  {
    name: 'appliance NACL denies the return to the GWLB subnet first',
    yaml: template(
      gwlb({
        nacl: acl([
          [100, false, 17, 'allow', '10.20.1.0/24', [6081, 6081]],
          [90, true, 17, 'deny', '10.20.0.0/16', [0, 65535]],
          [100, true, -1, 'allow', '0.0.0.0/0'],
        ]),
      }),
    ),
    ids: ['Acl'],
    message: /outbound UDP to 10\.20\.1\.0\/24 \(the GENEVE return to the GWLB\) is not allowed/,
  },
  {
    name: 'pass: NACL with GENEVE in and the return out',
    yaml: template(
      gwlb({
        nacl: acl(
          [
            [100, false, 17, 'allow', '10.20.1.0/24', [6081, 6081]],
            [100, true, 17, 'allow', '10.20.1.0/24', [1024, 65535]],
          ],
          false,
        ),
      }),
    ),
    ids: [],
  },
  {
    name: 'unknown: a NACL entry splits the GWLB subnet',
    yaml: template(
      gwlb({
        nacl: acl(
          [
            [90, false, 17, 'deny', '10.20.1.0/25', [6081, 6081]],
            [100, false, -1, 'allow', '0.0.0.0/0'],
            [100, true, -1, 'allow', '0.0.0.0/0'],
          ],
          false,
        ),
      }),
    ),
    ids: [],
    unknown: true,
  },
  // Routing through GWLB endpoints
  {
    name: 'warning: no endpoint service lists the GWLB',
    yaml: template(gwlb({ routing: '', gwlbAnnotate: true })),
    ids: ['Gwlb'],
    severity: 'warning',
    message: /is never in the traffic path: no VPC endpoint service lists it/,
  },
  {
    name: 'warning: the GWLB endpoint is not the target of any route',
    yaml: template(gwlb({ routing: ROUTED.replace(/\n  Route:[\s\S]*$/, '\n'), gwlbAnnotate: true })),
    ids: ['Gwlb'],
    message: /its GWLB endpoints are not the target \(VpcEndpointId\) of any route/,
  },
  {
    name: 'warning: the endpoint service has no GWLB endpoint',
    yaml: template(gwlb({ routing: ROUTED.replace(/\n  Endpoint:[\s\S]*$/, '\n'), gwlbAnnotate: true })),
    ids: ['Gwlb'],
    message: /no VPC endpoint of type GatewayLoadBalancer connects to its endpoint service/,
  },
  {
    name: 'unknown: the endpoint service is shared with other accounts (endpoints live elsewhere)',
    yaml: template(
      gwlb({
        routing:
          ROUTED.replace(/\n  Endpoint:[\s\S]*$/, '\n') +
          '  Permissions:\n    Type: AWS::EC2::VPCEndpointServicePermissions\n    Properties:\n      ServiceId: !Ref Service\n      AllowedPrincipals: [arn:aws:iam::444455556666:root]\n',
      }),
    ),
    ids: [],
    unknown: true,
  },
  {
    name: 'unknown: the GWLB is exported to other stacks',
    yaml:
      template(gwlb({ routing: '' })) + 'Outputs:\n  GwlbArn:\n    Value: !Ref Gwlb\n    Export: { Name: gwlb-arn }\n',
    ids: [],
    unknown: true,
  },
  {
    name: 'pass: not a GWLB',
    yaml: template(`
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: !Ref SubnetIds
`),
    ids: [],
  },
];

describe(ID, () => {
  for (const c of cases) it(c.name, () => check(ID, c));
});
