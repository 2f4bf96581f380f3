import { describe, it } from 'vitest';
import { check, template, type Case } from '../helpers/elb';

const ID = 'elb-type-selection-advice';
const E = `# expect: ${ID}`;

/** Signal 1 fixture: an NLB whose listeners and target group look like an HTTP app. */
function httpNlb(
  opts: { lbExtra?: string; listeners?: [string, number][]; tgExtra?: string; annotate?: boolean } = {},
): string {
  const listeners = opts.listeners ?? [['TCP', 80]];
  return `
  Nlb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
${opts.annotate === false ? '' : `      ${E}\n`}      Type: network
${opts.lbExtra ?? '      Subnets: !Ref SubnetIds\n'}
  Tg:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      VpcId: !Ref VpcId
      Protocol: TCP
      Port: 8080
${opts.tgExtra ?? '      HealthCheckProtocol: HTTP\n      HealthCheckPath: /healthz\n'}${listeners
    .map(
      ([p, port], i) => `
  Listener${i}:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Nlb
      Protocol: ${p}
      Port: ${port}
${p === 'TLS' ? '      Certificates: [{ CertificateArn: !Ref CertificateArn }]\n' : ''}      DefaultActions:
        - Type: forward
          TargetGroupArn: !Ref Tg
`,
    )
    .join('')}`;
}

/** Signal 4 fixture: NLB -> alb target group -> ALB with the given listener default actions. */
function hop(albListener: string, extra = '', annotate = true): string {
  return `
  Nlb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Type: network
      Scheme: internal
      Subnets: !Ref SubnetIds
  ToAlb:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      VpcId: !Ref VpcId
${annotate ? `      ${E}\n` : ''}      TargetType: alb
      Protocol: TCP
      Port: 80
      Targets:
        - Id: !Ref Alb
  NlbListener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Nlb
      Protocol: TCP
      Port: 80
      DefaultActions:
        - Type: forward
          TargetGroupArn: !Ref ToAlb
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Scheme: internal
      Subnets: !Ref SubnetIds
  Web:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      VpcId: !Ref VpcId
      Protocol: HTTP
      Port: 8080
  AlbListener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Alb
      Protocol: HTTP
      Port: 80
      DefaultActions:
${albListener}${extra}`;
}

const FORWARD_WEB = '        - Type: forward\n          TargetGroupArn: !Ref Web\n';

/** Signal 3 fixture: two routes to appliances. */
function appliances(a: string, b: string, annotate = true): string {
  const inst = (name: string, extra: string) => `
  ${name}:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-0123456789abcdef0
      InstanceType: c6i.large
${extra}`;
  return (
    inst('FirewallA', a) +
    inst('FirewallB', b) +
    `
  RouteA:
    Type: AWS::EC2::Route
    Properties:
      RouteTableId: rtb-a
      DestinationCidrBlock: 0.0.0.0/0
      InstanceId: !Ref FirewallA
  RouteB:
    Type: AWS::EC2::Route
    Properties:
      RouteTableId: rtb-b
      DestinationCidrBlock: 0.0.0.0/0
      InstanceId: !Ref FirewallB
`
  ).replace(/      SourceDestCheck/g, annotate ? `      ${E}\n      SourceDestCheck` : '      SourceDestCheck');
}

const cases: Case[] = [
  // Signal 1
  {
    name: 'signal 1: TCP 80 NLB whose targets health-check an HTTP path',
    yaml: template(httpNlb()),
    ids: ['Nlb'],
    severity: 'info',
    message: /^NLB 'Nlb' fronts what looks like an HTTP application\. An ALB would add host\/path routing/,
  },
  {
    name: 'signal 1: TCP 80 and TLS 443 listeners',
    yaml: template(
      httpNlb({
        listeners: [
          ['TCP', 80],
          ['TLS', 443],
        ],
        tgExtra: '      HealthCheckProtocol: HTTPS\n      HealthCheckPath: /\n',
      }),
    ),
    ids: ['Nlb'],
  },
  {
    name: 'no advice: a TCP listener on another port',
    yaml: template(httpNlb({ listeners: [['TCP', 5432]], annotate: false })),
    ids: [],
  },
  {
    name: 'no advice: a UDP listener',
    yaml: template(
      httpNlb({
        listeners: [
          ['TCP', 80],
          ['UDP', 53],
        ],
        annotate: false,
      }),
    ),
    ids: [],
  },
  {
    name: 'no advice: TCP health check',
    yaml: template(httpNlb({ tgExtra: '      HealthCheckProtocol: TCP\n', annotate: false })),
    ids: [],
  },
  {
    name: 'no advice: Elastic IPs (static IP need)',
    yaml: template(
      httpNlb({
        lbExtra: '      SubnetMappings:\n        - SubnetId: subnet-a\n          AllocationId: eipalloc-1\n',
        annotate: false,
      }),
    ),
    ids: [],
  },
  {
    name: 'no advice: tagged archlint:requires=tls-passthrough',
    yaml: template(
      httpNlb({
        lbExtra:
          '      Subnets: !Ref SubnetIds\n      Tags:\n        - Key: archlint:requires\n          Value: tls-passthrough\n',
        annotate: false,
      }),
    ),
    ids: [],
  },
  {
    name: 'no advice: PrivateLink endpoint service',
    yaml: template(
      httpNlb({ annotate: false }) +
        '\n  Service:\n    Type: AWS::EC2::VPCEndpointService\n    Properties:\n      NetworkLoadBalancerArns: [!Ref Nlb]\n',
    ),
    ids: [],
  },
  {
    name: 'no advice: Global Accelerator endpoint',
    yaml: template(
      httpNlb({ annotate: false }) +
        `
  Endpoints:
    Type: AWS::GlobalAccelerator::EndpointGroup
    Properties:
      ListenerArn: arn:aws:globalaccelerator::111122223333:accelerator/a/listener/l
      EndpointGroupRegion: eu-west-1
      EndpointConfigurations:
        - EndpointId: !Ref Nlb
`,
    ),
    ids: [],
  },
  {
    name: 'never: the sanctioned NLB -> ALB pattern (alb target group with HTTP health check)',
    yaml: template(
      hop(FORWARD_WEB, '', false).replace(
        '      Port: 80\n      Targets:',
        '      Port: 80\n      HealthCheckProtocol: HTTP\n      HealthCheckPath: /health\n      Targets:',
      ) +
        `
  Api:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref AlbListener
      Priority: 1
      Conditions: [{ Field: path-pattern, Values: [/api/*] }]
      Actions: [{ Type: forward, TargetGroupArn: !Ref Web }]
`,
    ),
    ids: [],
  },
  // Signal 2
  {
    name: 'signal 2: ALB tagged archlint:requires=static-ip',
    yaml: template(`
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: !Ref SubnetIds
      Tags:
        - Key: archlint:requires
          ${E}
          Value: static-ip, waf
`),
    ids: ['Alb'],
    message: /an Application Load Balancer's IP addresses change over time.*NLB with Elastic IPs.*Global Accelerator/,
  },
  {
    name: 'signal 2: ALB listed in the rule options',
    yaml: template(`
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      ${E}
      Type: application
      Subnets: !Ref SubnetIds
`),
    ids: ['Alb'],
    options: { config: { rules: { [ID]: { options: { staticIp: ['Alb'] } } } } },
  },
  {
    name: 'no advice: the static-ip ALB is already behind an NLB',
    yaml: template(
      hop(FORWARD_WEB, '', false).replace(
        '      Scheme: internal\n      Subnets: !Ref SubnetIds\n  Web:',
        '      Scheme: internal\n      Subnets: !Ref SubnetIds\n      Tags: [{ Key: archlint:requires, Value: static-ip }]\n  Web:',
      ),
    ),
    ids: [],
  },
  // Signal 3
  {
    name: 'signal 3: two route tables send 0.0.0.0/0 to firewall instances',
    yaml: template(appliances('      SourceDestCheck: false\n', "      SourceDestCheck: 'false'\n")),
    ids: ['FirewallA', 'FirewallB'],
    message:
      /^Inline appliances routed by ENI are a single point of failure.*Gateway Load Balancer \(GENEVE, UDP 6081\)/,
  },
  {
    name: 'no advice: one route table only',
    yaml: template(
      appliances('      SourceDestCheck: false\n', '      SourceDestCheck: false\n', false).replace(
        '      InstanceId: !Ref FirewallB',
        '      GatewayId: igw-0123',
      ),
    ),
    ids: [],
  },
  {
    name: 'no advice: NAT instances (a NAT gateway replaces them, not a GWLB)',
    yaml: template(
      appliances('      SourceDestCheck: false\n', '      SourceDestCheck: false\n', false).replace(
        /Firewall/g,
        'NatInstance',
      ),
    ),
    ids: [],
  },
  {
    name: 'no advice: source/destination check left on',
    yaml: template(appliances('', '', false)),
    ids: [],
  },
  // Signal 4
  {
    name: 'signal 4: NLB -> ALB whose ALB only forwards',
    yaml: template(hop(FORWARD_WEB)),
    ids: ['ToAlb'],
    message: /the ALB adds no layer-7 feature.*check whether the NLB alone suffices/,
  },
  {
    name: 'no advice: the ALB redirects',
    yaml: template(
      hop('        - Type: redirect\n          RedirectConfig: { Protocol: HTTPS, StatusCode: HTTP_301 }\n', '', false),
    ),
    ids: [],
  },
  {
    name: 'no advice: the ALB has WAF',
    yaml: template(
      hop(
        FORWARD_WEB,
        '\n  Waf:\n    Type: AWS::WAFv2::WebACLAssociation\n    Properties:\n      WebACLArn: arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/a/b\n      ResourceArn: !Ref Alb\n',
        false,
      ),
    ),
    ids: [],
  },
  {
    name: 'no advice: a listener rule of the ALB lives in another stack (unknown listener)',
    yaml: template(
      hop(
        FORWARD_WEB,
        '\n  Elsewhere:\n    Type: AWS::ElasticLoadBalancingV2::ListenerRule\n    Properties:\n      ListenerArn: !ImportValue alb-listener\n      Priority: 1\n      Conditions: [{ Field: path-pattern, Values: [/x] }]\n      Actions: [{ Type: fixed-response }]\n',
        false,
      ),
    ),
    ids: [],
  },
];

describe(ID, () => {
  for (const c of cases) it(c.name, () => check(ID, c));
});
