import { describe, it } from 'vitest';
import { check, template, type Case } from '../helpers/elb';

const ID = 'elb-target-group-compatibility';
const E = `# expect: ${ID}`;

function lb(name: string, type: string, extra = ''): string {
  return `
  ${name}:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Type: ${type}
      Subnets: !Ref SubnetIds
${extra}`;
}

function tg(name: string, body: string): string {
  return `
  ${name}:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
${body}`;
}

/** A listener forwarding to a target group; `arn` may carry an expect annotation line before it. */
function listener(
  name: string,
  lbName: string,
  protocol: string,
  port: number,
  target: string,
  annotate = false,
): string {
  return `
  ${name}:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref ${lbName}
${protocol ? `      Protocol: ${protocol}\n      Port: ${port}\n` : ''}      DefaultActions:
        - Type: forward
${annotate ? `          ${E}\n` : ''}          TargetGroupArn: !Ref ${target}
`;
}

const VPC = '      VpcId: !Ref VpcId\n';

const cases: Case[] = [
  // Protocol family by load balancer type.
  {
    name: 'family: HTTP target group behind an NLB',
    yaml: template(
      lb('Nlb', 'network') +
        tg('Tg', `${VPC}      ${E}\n      Protocol: HTTP\n      Port: 80\n`) +
        listener('L', 'Nlb', 'TCP', 80, 'Tg'),
    ),
    ids: ['Tg'],
    message: /uses protocol HTTP but is used by listener 'L' of Network Load Balancer 'Nlb'/,
    severity: 'error',
  },
  {
    name: 'family: TCP target group behind an ALB',
    yaml: template(
      lb('Alb', 'application') +
        tg('Tg', `${VPC}      ${E}\n      Protocol: TCP\n      Port: 80\n`) +
        listener('L', 'Alb', 'HTTP', 80, 'Tg'),
    ),
    ids: ['Tg'],
    message: /an ALB's target groups use HTTP or HTTPS/,
  },
  {
    name: 'family: target group without Protocol (not lambda) behind an ALB',
    yaml: template(
      lb('Alb', 'application') +
        `
  Tg:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    ${E}
    Properties:
      VpcId: !Ref VpcId
      Port: 80
` +
        listener('L', 'Alb', 'HTTP', 80, 'Tg'),
    ),
    ids: ['Tg'],
    message: /has no Protocol/,
  },
  {
    name: 'pass: HTTPS target group behind an ALB, TLS target group behind an NLB',
    yaml: template(
      lb('Alb', 'application') +
        lb('Nlb', 'network') +
        tg('Web', `${VPC}      Protocol: HTTPS\n      Port: 443\n`) +
        tg('Tls', `${VPC}      Protocol: TLS\n      Port: 443\n`) +
        listener('A', 'Alb', 'HTTPS', 443, 'Web') +
        listener('N', 'Nlb', 'TLS', 443, 'Tls'),
    ),
    ids: [],
  },
  // Target types.
  {
    name: 'lambda target type behind an NLB',
    yaml: template(
      lb('Nlb', 'network') +
        tg('Fn', `      ${E}\n      TargetType: lambda\n`) +
        listener('L', 'Nlb', 'TCP', 443, 'Fn'),
    ),
    ids: ['Fn'],
    message: /Only an Application Load Balancer can invoke Lambda functions/,
  },
  {
    name: 'lambda target type behind a GWLB',
    yaml: template(
      lb('Gw', 'gateway') + tg('Fn', `      ${E}\n      TargetType: lambda\n`) + listener('L', 'Gw', '', 0, 'Fn'),
    ),
    ids: ['Fn'],
  },
  {
    name: 'pass: lambda target group (no protocol) behind an ALB',
    yaml: template(
      lb('Alb', 'application') + tg('Fn', '      TargetType: lambda\n') + listener('L', 'Alb', 'HTTP', 80, 'Fn'),
    ),
    ids: [],
  },
  {
    name: 'alb target type behind an ALB',
    yaml: template(
      lb('Alb', 'application') +
        lb('Inner', 'application') +
        tg(
          'ToAlb',
          `${VPC}      ${E}\n      TargetType: alb\n      Protocol: TCP\n      Port: 80\n      Targets:\n        - Id: !Ref Inner\n`,
        ) +
        listener('L', 'Alb', 'HTTP', 80, 'ToAlb') +
        listener('I', 'Inner', 'HTTP', 80, 'Other') +
        tg('Other', `${VPC}      Protocol: HTTP\n      Port: 8080\n`),
    ),
    ids: ['ToAlb'],
    message: /Only a Network Load Balancer can forward to an ALB/,
  },
  {
    name: 'alb target group with a protocol other than TCP',
    yaml: template(
      lb('Nlb', 'network') +
        lb('Alb', 'application') +
        tg(
          'ToAlb',
          `${VPC}      TargetType: alb\n      ${E}\n      Protocol: TLS\n      Port: 443\n      Targets:\n        - Id: !Ref Alb\n`,
        ) +
        listener('N', 'Nlb', 'TLS', 443, 'ToAlb') +
        listener('A', 'Alb', 'HTTPS', 443, 'Web') +
        tg('Web', `${VPC}      Protocol: HTTP\n      Port: 8080\n`),
    ),
    ids: ['ToAlb'],
    message: /only over TCP/,
  },
  {
    name: 'alb target group registering an NLB',
    yaml: template(
      lb('Nlb', 'network') +
        lb('Other', 'network') +
        tg(
          'ToAlb',
          `${VPC}      TargetType: alb\n      Protocol: TCP\n      Port: 80\n      Targets:\n        ${E}\n        - Id: !Ref Other\n`,
        ) +
        listener('N', 'Nlb', 'TCP', 80, 'ToAlb'),
    ),
    ids: ['ToAlb'],
    message: /registers Network Load Balancer 'Other'/,
  },
  {
    name: 'alb target group on a port the ALB does not listen on',
    yaml: template(
      lb('Nlb', 'network') +
        lb('Alb', 'application') +
        tg(
          'ToAlb',
          `${VPC}      TargetType: alb\n      Protocol: TCP\n      ${E}\n      Port: 8443\n      Targets:\n        - Id: !Ref Alb\n`,
        ) +
        listener('N', 'Nlb', 'TCP', 443, 'ToAlb') +
        listener('A', 'Alb', 'HTTPS', 443, 'Web') +
        tg('Web', `${VPC}      Protocol: HTTP\n      Port: 8080\n`),
    ),
    ids: ['ToAlb'],
    message: /on port 8443, but the ALB listens only on 443/,
  },
  {
    name: 'alb target in another VPC',
    yaml: template(
      `
  VpcA:
    Type: AWS::EC2::VPC
    Properties: { CidrBlock: 10.0.0.0/16 }
  VpcB:
    Type: AWS::EC2::VPC
    Properties: { CidrBlock: 10.1.0.0/16 }
  SubnetB:
    Type: AWS::EC2::Subnet
    Properties: { VpcId: !Ref VpcB, CidrBlock: 10.1.0.0/24 }
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: [!Ref SubnetB]
` +
        lb('Nlb', 'network') +
        tg(
          'ToAlb',
          `      ${E}\n      VpcId: !Ref VpcA\n      TargetType: alb\n      Protocol: TCP\n      Port: 80\n      Targets:\n        - Id: !Ref Alb\n`,
        ) +
        listener('N', 'Nlb', 'TCP', 80, 'ToAlb') +
        listener('A', 'Alb', 'HTTP', 80, 'Web') +
        tg('Web', `      VpcId: !Ref VpcB\n      Protocol: HTTP\n      Port: 8080\n`),
    ),
    ids: ['ToAlb'],
    message: /must be in the target group's VPC/,
  },
  {
    name: 'pass: NLB -> ALB over TCP on an ALB listener port',
    yaml: template(
      lb('Nlb', 'network') +
        lb('Alb', 'application') +
        tg(
          'ToAlb',
          `${VPC}      TargetType: alb\n      Protocol: TCP\n      Port: 443\n      Targets:\n        - Id: !Ref Alb\n`,
        ) +
        listener('N', 'Nlb', 'TCP', 443, 'ToAlb') +
        listener('A', 'Alb', 'HTTPS', 443, 'Web') +
        tg('Web', `${VPC}      Protocol: HTTP\n      Port: 8080\n`),
    ),
    ids: [],
  },
  {
    name: 'unknown: alb target outside the template',
    yaml: template(
      lb('Nlb', 'network') +
        tg(
          'ToAlb',
          `${VPC}      TargetType: alb\n      Protocol: TCP\n      Port: 443\n      Targets:\n        - Id: !Ref ExternalLbArn\n`,
        ) +
        listener('N', 'Nlb', 'TCP', 443, 'ToAlb'),
    ),
    ids: [],
    unknown: true,
  },
  {
    name: 'pass: alb target group with a health-check path (HTTP is the default for alb targets)',
    yaml: template(
      lb('Nlb', 'network') +
        lb('Alb', 'application') +
        tg(
          'ToAlb',
          `${VPC}      TargetType: alb\n      Protocol: TCP\n      Port: 443\n      HealthCheckPath: /health\n      Targets:\n        - Id: !Ref Alb\n`,
        ) +
        listener('N', 'Nlb', 'TCP', 443, 'ToAlb') +
        listener('A', 'Alb', 'HTTPS', 443, 'Web') +
        tg('Web', `${VPC}      Protocol: HTTP\n      Port: 8080\n`),
    ),
    ids: [],
  },
  {
    name: 'health check: TCP health check on an alb target group',
    yaml: template(
      tg(
        'ToAlb',
        `${VPC}      TargetType: alb\n      Protocol: TCP\n      Port: 443\n      ${E}\n      HealthCheckProtocol: TCP\n`,
      ),
    ),
    ids: ['ToAlb'],
    message: /checks an ALB target with HTTP or HTTPS only/,
  },
  // ip targets.
  {
    name: 'ip target: public address outside the VPC',
    yaml: template(
      `
  Vpc:
    Type: AWS::EC2::VPC
    Properties: { CidrBlock: 10.0.0.0/16 }
` +
        tg(
          'Ips',
          `      VpcId: !Ref Vpc\n      TargetType: ip\n      Protocol: HTTP\n      Port: 80\n      Targets:\n        - Id: 10.0.1.15\n        - Id: 100.64.3.4\n        - Id: 192.168.10.10\n        ${E}\n        - Id: 203.0.113.10\n`,
        ),
    ),
    ids: ['Ips'],
    message: /203\.0\.113\.10, which is publicly routable and outside the VPC/,
  },
  {
    name: 'pass: public address inside a VPC that uses a public range (secondary CIDR)',
    yaml: template(
      `
  Vpc:
    Type: AWS::EC2::VPC
    Properties: { CidrBlock: 10.0.0.0/16 }
  Extra:
    Type: AWS::EC2::VPCCidrBlock
    Properties: { VpcId: !Ref Vpc, CidrBlock: 198.51.100.0/24 }
` +
        tg(
          'Ips',
          `      VpcId: !Ref Vpc\n      TargetType: ip\n      Protocol: HTTP\n      Port: 80\n      Targets:\n        - Id: 198.51.100.7\n`,
        ),
    ),
    ids: [],
  },
  {
    name: 'unknown: public ip target in a VPC outside the template',
    yaml: template(
      tg(
        'Ips',
        `${VPC}      TargetType: ip\n      Protocol: HTTP\n      Port: 80\n      Targets:\n        - Id: 198.51.100.7\n`,
      ),
    ),
    ids: [],
    unknown: true,
  },
  // NLB listener -> target group pairing.
  ...(
    [
      ['TCP_UDP', 'UDP', /a TCP_UDP listener must forward to a TCP_UDP target group/],
      ['TCP_QUIC', 'TCP', /a TCP_QUIC listener must forward to a TCP_QUIC target group/],
      ['UDP', 'TCP', /a UDP listener needs a target group that carries UDP/],
      ['TCP', 'UDP', /a TCP listener cannot forward to a UDP-only target group/],
      ['TLS', 'QUIC', /a TLS listener cannot forward to a QUIC-only target group/],
    ] as const
  ).map(([lp, tp, message]): Case => ({
    name: `pairing: ${lp} listener -> ${tp} target group (reported on the listener)`,
    yaml: template(
      lb('Nlb', 'network') +
        tg('Tg', `${VPC}      Protocol: ${tp}\n      Port: 7000\n      HealthCheckPort: '8080'\n`) +
        listener('L', 'Nlb', lp, 7000, 'Tg', true),
    ),
    ids: ['L'],
    message,
  })),
  {
    name: 'pairing: rule-less NLB passes with UDP listener -> TCP_UDP target group',
    yaml: template(
      lb('Nlb', 'network') +
        tg('Tg', `${VPC}      Protocol: TCP_UDP\n      Port: 53\n`) +
        listener('L', 'Nlb', 'UDP', 53, 'Tg'),
    ),
    ids: [],
  },
  {
    name: 'pairing: UDP listener on a dualstack NLB needs an IPv6 target group',
    yaml: template(
      lb('Nlb', 'network', '      IpAddressType: dualstack\n') +
        tg('Tg', `${VPC}      Protocol: UDP\n      Port: 53\n      HealthCheckPort: '8080'\n`) +
        listener('L', 'Nlb', 'UDP', 53, 'Tg', true),
    ),
    ids: ['L'],
    message: /needs an IPv6 target group/,
  },
  {
    name: 'pass: UDP listener on a dualstack NLB with an ipv6 target group',
    yaml: template(
      lb('Nlb', 'network', '      IpAddressType: dualstack\n') +
        tg(
          'Tg',
          `${VPC}      Protocol: UDP\n      Port: 53\n      IpAddressType: ipv6\n      HealthCheckPort: '8080'\n`,
        ) +
        listener('L', 'Nlb', 'UDP', 53, 'Tg'),
    ),
    ids: [],
  },
  // Health checks.
  {
    name: 'health check: TCP on an HTTP target group',
    yaml: template(
      tg('Tg', `${VPC}      Protocol: HTTP\n      Port: 80\n      ${E}\n      HealthCheckProtocol: TCP\n`),
    ),
    ids: ['Tg'],
    message: /health-checks with TCP\. An HTTP\/HTTPS target group \(ALB\) health-checks with HTTP or HTTPS only/,
  },
  {
    name: 'health check: UDP is never valid on an NLB target group',
    yaml: template(tg('Tg', `${VPC}      Protocol: TCP\n      Port: 80\n      ${E}\n      HealthCheckProtocol: UDP\n`)),
    ids: ['Tg'],
    message: /never a valid health-check protocol/,
  },
  {
    name: 'health check: TLS on a GENEVE target group',
    yaml: template(
      tg('Tg', `${VPC}      Protocol: GENEVE\n      Port: 6081\n      ${E}\n      HealthCheckProtocol: TLS\n`),
    ),
    ids: ['Tg'],
  },
  {
    name: 'pass: HTTP health check on an NLB target group (the notes are outdated)',
    yaml: template(
      tg(
        'Tg',
        `${VPC}      Protocol: TCP\n      Port: 80\n      HealthCheckProtocol: HTTP\n      HealthCheckPath: /health\n      Matcher: { HttpCode: '200-399' }\n`,
      ),
    ),
    ids: [],
  },
  {
    name: 'health check: HealthCheckPath on a TCP target group (default TCP check)',
    yaml: template(tg('Tg', `${VPC}      Protocol: TCP\n      Port: 80\n      ${E}\n      HealthCheckPath: /health\n`)),
    ids: ['Tg'],
    message: /sets HealthCheckPath, but its health check is TCP \(the default for a TCP target group\)/,
  },
  {
    name: 'health check: Matcher with an explicit TCP check',
    yaml: template(
      tg(
        'Tg',
        `${VPC}      Protocol: TLS\n      Port: 443\n      HealthCheckProtocol: TCP\n      ${E}\n      Matcher: { HttpCode: '200' }\n`,
      ),
    ),
    ids: ['Tg'],
    message: /sets Matcher/,
  },
  {
    name: 'UDP trap: UDP target group without HealthCheckPort or HealthCheckProtocol (warning)',
    yaml: template(tg('Tg', `${VPC}      ${E}\n      Protocol: UDP\n      Port: 514\n`)),
    ids: ['Tg'],
    severity: 'warning',
    message: /health-checks it with TCP on the traffic port/,
  },
  {
    name: 'pass: UDP target group with a health-check port',
    yaml: template(tg('Tg', `${VPC}      Protocol: UDP\n      Port: 514\n      HealthCheckPort: '8080'\n`)),
    ids: [],
  },
  // Shared target groups.
  {
    name: 'shared: one target group behind an ALB and an NLB',
    yaml: template(
      lb('Alb', 'application') +
        lb('Nlb', 'network') +
        `
  Tg:
    ${E}
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      VpcId: !Ref VpcId
      ${E}
      Protocol: HTTP
      Port: 80
` +
        listener('A', 'Alb', 'HTTP', 80, 'Tg') +
        listener('N', 'Nlb', 'TCP', 80, 'Tg'),
    ).replace(`  Tg:\n    ${E}\n`, `  ${E}\n  Tg:\n`),
    ids: ['Tg', 'Tg'],
  },
  // Unknowns.
  {
    name: 'unknown: listener of a load balancer outside the template',
    yaml: template(
      tg('Tg', `${VPC}      Protocol: HTTP\n      Port: 80\n`) + listener('L', 'ExternalLbArn', 'TCP', 80, 'Tg'),
    ),
    ids: [],
    unknown: true,
  },
  {
    name: 'unknown: protocol from a parameter without default',
    yaml: template(
      lb('Nlb', 'network') +
        tg('Tg', `${VPC}      Protocol: !Ref UnknownFlag\n      Port: 80\n`) +
        listener('L', 'Nlb', 'TCP', 80, 'Tg'),
    ),
    ids: [],
    unknown: true,
  },
  {
    name: 'unknown: no protocol and a target type from a parameter (may be lambda)',
    yaml: template(
      lb('Alb', 'application') +
        tg('Tg', '      TargetType: !Ref UnknownFlag\n') +
        listener('L', 'Alb', 'HTTP', 80, 'Tg'),
    ),
    ids: [],
    unknown: true,
  },
  {
    name: 'unknown: unrecognised target group protocol',
    yaml: template(
      lb('Nlb', 'network') +
        tg('Tg', `${VPC}      Protocol: SCTP\n      Port: 80\n`) +
        listener('L', 'Nlb', 'TCP', 80, 'Tg'),
    ),
    ids: [],
    unknown: true,
  },
];

describe(ID, () => {
  for (const c of cases) it(c.name, () => check(ID, c));
});
