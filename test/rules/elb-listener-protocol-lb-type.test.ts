import { describe, it } from 'vitest';
import { check, template, type Case } from '../helpers/elb';

const ID = 'elb-listener-protocol-lb-type';

/** A load balancer of the given Type line (or none) plus listeners. */
function lb(typeLine: string, extra = ''): string {
  return `
  Lb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: !Ref SubnetIds
${typeLine ? `      ${typeLine}\n` : ''}${extra}`;
}

function listener(name: string, body: string, lbRef = 'Lb'): string {
  return `
  ${name}:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref ${lbRef}
${body}
      DefaultActions:
        - Type: forward
          TargetGroupArn: arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/x/1
`;
}

const cases: Case[] = [
  // alb-non-http
  ...['TCP', 'UDP', 'TLS', 'TCP_UDP', 'QUIC', 'TCP_QUIC'].map((p): Case => ({
    name: `alb-non-http: ${p} listener on an ALB (Type absent)`,
    yaml: template(lb('') + listener('L', `      # expect: ${ID}\n      Protocol: ${p}\n      Port: 443`)),
    ids: ['L'],
    message: /only speaks HTTP\/HTTPS\. For .* use a Network Load Balancer.*`alb` target/,
    severity: 'error',
  })),
  {
    name: 'alb-non-http: lower-case protocol is normalised',
    yaml: template(
      lb('Type: application') + listener('L', `      # expect: ${ID}\n      Protocol: udp\n      Port: 53`),
    ),
    ids: ['L'],
    message: /For UDP use a Network Load Balancer/,
  },
  {
    name: 'pass: HTTP and HTTPS on an ALB',
    yaml: template(
      lb('') +
        listener('A', '      Protocol: HTTP\n      Port: 80') +
        listener('B', '      Protocol: HTTPS\n      Port: 443'),
    ),
    ids: [],
  },
  // nlb-http
  ...['HTTP', 'HTTPS'].map((p): Case => ({
    name: `nlb-http: ${p} listener on an NLB`,
    yaml: template(lb('Type: network') + listener('L', `      # expect: ${ID}\n      Protocol: ${p}\n      Port: 443`)),
    ids: ['L'],
    message: /does not parse HTTP\. Use a TCP listener \(pass-through\) or a TLS listener/,
  })),
  {
    name: 'pass: every NLB protocol',
    yaml: template(
      lb('Type: network') +
        ['TCP', 'TLS', 'UDP', 'TCP_UDP']
          .map((p, i) => listener(`L${i}`, `      Protocol: ${p}\n      Port: ${100 + i}`))
          .join(''),
    ),
    ids: [],
  },
  {
    name: 'pass: a lone QUIC listener on an IPv4 NLB without security groups',
    yaml: template(lb('Type: network') + listener('Q', '      Protocol: QUIC\n      Port: 443')),
    ids: [],
  },
  // gwlb-protocol-set
  {
    name: 'gwlb-protocol-set: Protocol on a GWLB listener',
    yaml: template(lb('Type: gateway') + listener('L', `      # expect: ${ID}\n      Protocol: GENEVE`)),
    ids: ['L'],
    message: /sets Protocol\. A Gateway Load Balancer listener takes neither/,
  },
  {
    name: 'gwlb-protocol-set: Port on a GWLB listener',
    yaml: template(lb('Type: gateway') + listener('L', `      # expect: ${ID}\n      Port: 6081`)),
    ids: ['L'],
    message: /sets Port\./,
  },
  {
    name: 'pass: a GWLB listener without protocol and port',
    yaml: template(lb('Type: gateway') + listener('L', '')),
    ids: [],
  },
  // protocol-missing
  {
    name: 'protocol-missing: ALB listener without Protocol (points at Properties)',
    yaml: template(
      lb('') + listener('L', '      Port: 80').replace('    Properties:', `    # expect: ${ID}\n    Properties:`),
    ),
    ids: ['L'],
    message: /has no Protocol\. .*Set Protocol: HTTPS and Port: 443/,
  },
  {
    name: 'protocol-missing: NLB listener without Port',
    yaml: template(
      lb('Type: network') +
        listener('L', '      Protocol: TCP').replace('    Properties:', `    # expect: ${ID}\n    Properties:`),
    ),
    ids: ['L'],
    message: /has no Port/,
  },
  // duplicate-port
  {
    name: 'duplicate-port: two ALB listeners on 443 (reported on the second)',
    yaml: template(
      lb('') +
        listener('First', '      Protocol: HTTPS\n      Port: 443') +
        listener('Second', `      Protocol: HTTP\n      # expect: ${ID}\n      Port: '443'`),
    ),
    ids: ['Second'],
    message: /uses port 443 .* which listener 'First' .* already uses.*listener rules/,
  },
  {
    name: 'duplicate-port: TCP and UDP on one NLB port need a TCP_UDP listener',
    yaml: template(
      lb('Type: network') +
        listener('Tcp', '      Protocol: TCP\n      Port: 53') +
        listener('Udp', `      Protocol: UDP\n      # expect: ${ID}\n      Port: 53`),
    ),
    ids: ['Udp'],
    message: /single TCP_UDP listener forwarding to a TCP_UDP target group/,
  },
  {
    name: 'duplicate-port: TCP and QUIC on one NLB port need a TCP_QUIC listener',
    yaml: template(
      lb('Type: network') +
        listener('Tcp', '      Protocol: TCP\n      Port: 443') +
        listener('Quic', `      Protocol: QUIC\n      # expect: ${ID}\n      Port: 443`),
    ),
    ids: ['Quic'],
    message: /single TCP_QUIC listener/,
  },
  {
    name: 'pass: same port on two different load balancers',
    yaml: template(
      lb('') +
        `
  Other:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: !Ref SubnetIds
` +
        listener('A', '      Protocol: HTTP\n      Port: 80') +
        listener('B', '      Protocol: HTTP\n      Port: 80', 'Other'),
    ),
    ids: [],
  },
  {
    name: 'unknown: the other listener on the port exists only under an unknown condition',
    yaml: template(
      lb('') +
        listener('A', '      Protocol: HTTP\n      Port: 80').replace(
          'Type: AWS::ElasticLoadBalancingV2::Listener',
          'Type: AWS::ElasticLoadBalancingV2::Listener\n    Condition: FlagOn',
        ) +
        listener('B', '      Protocol: HTTP\n      Port: 80'),
    ),
    ids: [],
    unknown: true,
  },
  // quic-conflict
  {
    name: 'quic-conflict: QUIC on an NLB with security groups',
    yaml: template(
      lb('Type: network', '      SecurityGroups: [sg-0123456789abcdef0]\n') +
        listener('Q', `      # expect: ${ID}\n      Protocol: QUIC\n      Port: 443`),
    ),
    ids: ['Q'],
    message: /cannot be created .*: the load balancer has security groups\./,
  },
  {
    name: 'quic-conflict: TCP_QUIC on a dualstack NLB',
    yaml: template(
      lb('Type: network', '      IpAddressType: dualstack\n') +
        listener('Q', `      # expect: ${ID}\n      Protocol: TCP_QUIC\n      Port: 443`),
    ),
    ids: ['Q'],
    message: /the load balancer is dualstack/,
  },
  {
    name: 'quic-conflict: QUIC next to a UDP listener',
    yaml: template(
      lb('Type: network') +
        listener('Dns', '      Protocol: UDP\n      Port: 53') +
        listener('Q', `      # expect: ${ID}\n      Protocol: QUIC\n      Port: 443`),
    ),
    ids: ['Q'],
    message: /listener 'Dns' uses UDP/,
  },
  {
    name: 'quic-conflict: a second QUIC listener (reported on the second)',
    yaml: template(
      lb('Type: network') +
        listener('Q1', '      Protocol: QUIC\n      Port: 443') +
        listener('Q2', `      # expect: ${ID}\n      Protocol: TCP_QUIC\n      Port: 8443`),
    ),
    ids: ['Q2'],
    message: /listener 'Q1' is already a QUIC listener/,
  },
  // Unknowns stay silent.
  {
    name: 'unknown: load balancer outside the template (parameter)',
    yaml: template(listener('L', '      Protocol: UDP\n      Port: 53', 'ExternalLbArn')),
    ids: [],
    unknown: true,
  },
  {
    name: 'unknown: load balancer imported from another stack',
    yaml: template(
      listener('L', '      Protocol: UDP\n      Port: 53').replace('!Ref Lb', '!ImportValue shared-alb-arn'),
    ),
    ids: [],
    unknown: true,
  },
  {
    name: 'unknown: load balancer type from a parameter without default',
    yaml: template(lb('Type: !Ref UnknownFlag') + listener('L', '      Protocol: UDP\n      Port: 53')),
    ids: [],
    unknown: true,
  },
  {
    name: 'unknown: protocol depends on a condition with one valid branch',
    yaml: template(lb('') + listener('L', '      Protocol: !If [FlagOn, TCP, HTTP]\n      Port: 80')),
    ids: [],
  },
  {
    name: 'every branch violates: reported',
    yaml: template(
      lb('') + listener('L', `      # expect: ${ID}\n      Protocol: !If [FlagOn, TCP, UDP]\n      Port: 80`),
    ),
    ids: ['L'],
  },
  {
    name: 'unknown: unrecognised protocol is not a failure',
    yaml: template(lb('') + listener('L', '      Protocol: SCTP\n      Port: 80')),
    ids: [],
    unknown: true,
  },
  {
    name: 'unknown: the load balancer exists only under an unknown condition',
    yaml: template(
      lb('').replace(
        'Type: AWS::ElasticLoadBalancingV2::LoadBalancer',
        'Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n    Condition: FlagOn',
      ) + listener('L', '      Protocol: TCP\n      Port: 80'),
    ),
    ids: [],
    unknown: true,
  },
  {
    name: 'parameter default decides the type',
    yaml: template(
      lb('Type: !Ref LbType') + listener('L', `      # expect: ${ID}\n      Protocol: HTTPS\n      Port: 443`),
    ).replace('Parameters:\n', 'Parameters:\n  LbType:\n    Type: String\n    Default: network\n'),
    ids: ['L'],
  },
];

describe(ID, () => {
  for (const c of cases) it(c.name, () => check(ID, c));
});
