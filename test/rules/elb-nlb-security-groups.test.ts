import { describe, it } from 'vitest';
import { check, template, type Case } from '../helpers/elb';

const ID = 'elb-nlb-security-groups';
const E = `# expect: ${ID}`;

function sg(name: string, ingress: string, egress?: string): string {
  return `
  ${name}:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: ${name}
      VpcId: !Ref VpcId
${ingress ? `      SecurityGroupIngress:\n${ingress}` : ''}${egress !== undefined ? `      SecurityGroupEgress:\n${egress}` : ''}`;
}

function rule(proto: string, from: number, to: number, source: string): string {
  return `        - IpProtocol: ${proto}\n          FromPort: ${from}\n          ToPort: ${to}\n          ${source}\n`;
}

/** An NLB with the given SecurityGroups line, a TCP listener on 443 to target group Tg. */
function nlb(
  sgLine: string,
  tgBody = '      Protocol: TCP\n      Port: 8443\n      Targets:\n        - Id: !Ref Server\n',
): string {
  return `
  Nlb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Type: network
      Subnets: !Ref SubnetIds
${sgLine}
  Tg:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      VpcId: !Ref VpcId
${tgBody}
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Nlb
      Protocol: TCP
      Port: 443
      DefaultActions:
        - Type: forward
          TargetGroupArn: !Ref Tg
`;
}

const SERVER = `
  Server:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-0123456789abcdef0
      InstanceType: t3.small
      SecurityGroupIds: [!Ref ServerSg]
`;

const LOCKED = sg('ServerSg', rule('tcp', 8443, 8443, 'SourceSecurityGroupId: !Ref NlbSg'));

const cases: Case[] = [
  // nlb-without-sg
  {
    name: 'nlb-without-sg: info for an unclassified stack',
    yaml: template(`
  Nlb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      ${E}
      Type: network
      Subnets: !Ref SubnetIds
`),
    ids: ['Nlb'],
    severity: 'info',
    message: /has no security groups, and an NLB can only get security groups when it is created/,
  },
  {
    name: 'nlb-without-sg: warning for a production stack, pointing at an empty list',
    yaml: template(`
  Nlb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Type: network
      Subnets: !Ref SubnetIds
      ${E}
      SecurityGroups: []
`),
    ids: ['Nlb'],
    severity: 'warning',
    options: { config: { environments: { default: 'prod' } } },
  },
  {
    name: 'pass: ALBs and GWLBs are not concerned',
    yaml: template(`
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: !Ref SubnetIds
`),
    ids: [],
  },
  {
    name: 'unknown: security groups chosen by an unknown condition',
    yaml: template(`
  Nlb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Type: network
      SecurityGroups: !If [FlagOn, [sg-1], !Ref AWS::NoValue]
`),
    ids: [],
    unknown: true,
  },
  // nlb-sg-egress-blocks-health-checks
  {
    name: 'egress: NLB security group egress does not reach the target or health-check port',
    yaml: template(
      sg('NlbSg', rule('tcp', 443, 443, 'CidrIp: 0.0.0.0/0'), rule('tcp', 80, 80, 'CidrIp: 10.0.0.0/8')) +
        nlb(`      ${E}\n      SecurityGroups: [!Ref NlbSg]`) +
        SERVER +
        LOCKED,
    ),
    ids: ['Nlb'],
    severity: 'error',
    message:
      /do not allow outbound TCP 8443 \(traffic of 'Tg', health check of 'Tg'\)\. NLB health checks .* obey the security group's outbound rules/,
  },
  {
    name: 'egress: CDK-style "disallow all" egress with a separate health-check port',
    yaml: template(
      sg(
        'NlbSg',
        '',
        '        - IpProtocol: icmp\n          FromPort: 252\n          ToPort: 86\n          CidrIp: 255.255.255.255/32\n          Description: Disallow all traffic\n',
      ) +
        `
  NlbSgToServer:
    Type: AWS::EC2::SecurityGroupEgress
    Properties:
      GroupId: !GetAtt NlbSg.GroupId
      IpProtocol: tcp
      FromPort: 8443
      ToPort: 8443
      DestinationSecurityGroupId: !Ref ServerSg
` +
        nlb(
          `      ${E}\n      SecurityGroups: [!GetAtt NlbSg.GroupId]`,
          "      Protocol: TCP\n      Port: 8443\n      HealthCheckPort: '9000'\n      Targets:\n        - Id: !Ref Server\n",
        ) +
        SERVER +
        LOCKED,
    ),
    ids: ['Nlb'],
    message: /outbound TCP 9000 \(health check of 'Tg'\)/,
  },
  {
    name: 'pass: default (allow-all) egress',
    yaml: template(
      sg('NlbSg', rule('tcp', 443, 443, 'CidrIp: 0.0.0.0/0')) +
        nlb('      SecurityGroups: [!Ref NlbSg]') +
        SERVER +
        LOCKED,
    ),
    ids: [],
  },
  {
    name: 'pass: an empty SecurityGroupEgress list keeps the default allow-all rule',
    yaml: template(
      sg('NlbSg', rule('tcp', 443, 443, 'CidrIp: 0.0.0.0/0'), '        []\n').replace(
        'SecurityGroupEgress:\n        []',
        'SecurityGroupEgress: []',
      ) +
        nlb('      SecurityGroups: [!Ref NlbSg]') +
        SERVER +
        LOCKED,
    ),
    ids: [],
  },
  {
    name: 'pass: egress covers the target port',
    yaml: template(
      sg(
        'NlbSg',
        rule('tcp', 443, 443, 'CidrIp: 0.0.0.0/0'),
        rule('tcp', 8000, 9000, 'DestinationSecurityGroupId: !Ref ServerSg'),
      ) +
        nlb('      SecurityGroups: [!Ref NlbSg]') +
        SERVER +
        LOCKED,
    ),
    ids: [],
  },
  {
    name: 'unknown: NLB security group from a parameter',
    yaml: template(
      nlb('      SecurityGroups: [!Ref UnknownFlag]') +
        SERVER +
        sg('ServerSg', rule('tcp', 8443, 8443, 'CidrIp: 10.0.0.0/8')),
    ),
    ids: [],
    unknown: true,
  },
  {
    name: 'unknown: ECS service registers its own target port',
    yaml: template(
      sg('NlbSg', '', rule('tcp', 80, 80, 'CidrIp: 10.0.0.0/8')) +
        nlb('      SecurityGroups: [!Ref NlbSg]', '      Protocol: TCP\n      Port: 80\n      TargetType: ip\n') +
        `
  Service:
    Type: AWS::ECS::Service
    Properties:
      Cluster: default
      TaskDefinition: arn:aws:ecs:eu-west-1:111122223333:task-definition/app:1
      LoadBalancers:
        - TargetGroupArn: !Ref Tg
          ContainerName: app
          ContainerPort: 8080
`,
    ),
    ids: [],
    unknown: true,
  },
  // targets-not-locked-to-nlb-sg
  {
    name: 'targets-not-locked: instance target admits the port from 0.0.0.0/0 (warning)',
    yaml: template(
      sg('NlbSg', rule('tcp', 443, 443, 'CidrIp: 0.0.0.0/0')) +
        nlb('      SecurityGroups: [!Ref NlbSg]') +
        SERVER +
        sg(
          'ServerSg',
          `        - IpProtocol: tcp\n          FromPort: 8000\n          ToPort: 9000\n          ${E}\n          CidrIp: 0.0.0.0/0\n`,
        ),
    ),
    ids: ['ServerSg'],
    severity: 'warning',
    message: /admits TCP 8443 from 0\.0\.0\.0\/0 instead of from the NLB's security group/,
  },
  {
    name: 'targets-not-locked: standalone ingress on an ASG launch template group, IPv6',
    yaml: template(
      sg('NlbSg', rule('tcp', 443, 443, 'CidrIp: 0.0.0.0/0')) +
        nlb('      SecurityGroups: [!Ref NlbSg]', '      Protocol: TCP\n      Port: 8443\n') +
        sg('ServerSg', '') +
        `
  OpenV6:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !Ref ServerSg
      IpProtocol: '-1'
      ${E}
      CidrIpv6: ::/0
  Template:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        ImageId: ami-0123456789abcdef0
        SecurityGroupIds: [!Ref ServerSg]
  Group:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: '1'
      MaxSize: '2'
      VPCZoneIdentifier: !Ref SubnetIds
      LaunchTemplate:
        LaunchTemplateId: !Ref Template
        Version: '1'
      TargetGroupARNs: [!Ref Tg]
`,
    ),
    ids: ['OpenV6'],
  },
  {
    name: 'targets-not-locked: awsvpc ECS tasks on the container port',
    yaml: template(
      sg('NlbSg', rule('tcp', 443, 443, 'CidrIp: 0.0.0.0/0')) +
        nlb('      SecurityGroups: [!Ref NlbSg]', '      Protocol: TCP\n      Port: 80\n      TargetType: ip\n') +
        sg(
          'TaskSg',
          `        - IpProtocol: tcp\n          FromPort: 8080\n          ToPort: 8080\n          ${E}\n          CidrIp: 0.0.0.0/0\n`,
        ) +
        `
  Service:
    Type: AWS::ECS::Service
    Properties:
      Cluster: default
      TaskDefinition: arn:aws:ecs:eu-west-1:111122223333:task-definition/app:1
      NetworkConfiguration:
        AwsvpcConfiguration:
          Subnets: !Ref SubnetIds
          SecurityGroups: [!Ref TaskSg]
      LoadBalancers:
        - TargetGroupArn: !Ref Tg
          ContainerName: app
          ContainerPort: 8080
`,
    ),
    ids: ['TaskSg'],
  },
  {
    name: 'pass: targets admit only the NLB security group',
    yaml: template(
      sg('NlbSg', rule('tcp', 443, 443, 'CidrIp: 0.0.0.0/0')) +
        nlb('      SecurityGroups: [!Ref NlbSg]') +
        SERVER +
        LOCKED,
    ),
    ids: [],
  },
  {
    name: 'pass: an internet-facing ALB target is a public entry point of its own',
    yaml: template(
      sg('NlbSg', rule('tcp', 443, 443, 'CidrIp: 0.0.0.0/0')) +
        nlb(
          '      SecurityGroups: [!Ref NlbSg]',
          '      TargetType: alb\n      Protocol: TCP\n      Port: 443\n      Targets:\n        - Id: !Ref Alb\n',
        ) +
        sg('AlbSg', rule('tcp', 443, 443, 'CidrIp: 0.0.0.0/0')) +
        `
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Scheme: internet-facing
      Subnets: !Ref SubnetIds
      SecurityGroups: [!Ref AlbSg]
`,
    ),
    ids: [],
  },
  {
    name: 'targets-not-locked: an internal ALB target open to the internet',
    yaml: template(
      sg('NlbSg', rule('tcp', 443, 443, 'CidrIp: 0.0.0.0/0')) +
        nlb(
          '      SecurityGroups: [!Ref NlbSg]',
          '      TargetType: alb\n      Protocol: TCP\n      Port: 443\n      Targets:\n        - Id: !Ref Alb\n',
        ) +
        sg(
          'AlbSg',
          `        - IpProtocol: tcp\n          FromPort: 443\n          ToPort: 443\n          ${E}\n          CidrIp: 0.0.0.0/0\n`,
        ) +
        `
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Scheme: internal
      Subnets: !Ref SubnetIds
      SecurityGroups: [!Ref AlbSg]
`,
    ),
    ids: ['AlbSg'],
  },
];

describe(ID, () => {
  for (const c of cases) it(c.name, () => check(ID, c));
});
