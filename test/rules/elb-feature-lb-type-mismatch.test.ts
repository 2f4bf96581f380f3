import { describe, it } from 'vitest';
import { check, template, type Case } from '../helpers/elb';

const ID = 'elb-feature-lb-type-mismatch';
const E = `# expect: ${ID}`;

function lb(name: string, props: string): string {
  return `
  ${name}:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
${props}`;
}

const NLB = lb('Lb', '      Type: network\n      Subnets: !Ref SubnetIds\n');
const ALB = lb('Lb', '      Subnets: !Ref SubnetIds\n');
const GWLB = lb('Lb', '      Type: gateway\n      Subnets: !Ref SubnetIds\n');

function listener(name: string, protocol: string, port: number, actions: string): string {
  return `
  ${name}:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Lb
${protocol ? `      Protocol: ${protocol}\n      Port: ${port}\n` : ''}      DefaultActions:
${actions}`;
}

const FORWARD = `        - Type: forward
          TargetGroupArn: arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/x/1
`;

function waf(type = 'AWS::WAFv2::WebACLAssociation'): string {
  return `
  WebAcl:
    Type: AWS::WAFv2::WebACL
    Properties:
      Scope: REGIONAL
      DefaultAction: { Allow: {} }
      VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: acl }
  Association:
    Type: ${type}
    Properties:
      WebACLArn: !GetAtt WebAcl.Arn
      ${E}
      ResourceArn: !Ref Lb
`;
}

function rule(actions: string, listenerName = 'L'): string {
  return `
  Rule:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref ${listenerName}
      Priority: 10
      Conditions:
        - Field: path-pattern
          Values: [/api/*]
      Actions:
${actions}`;
}

function tg(protocol: string, attrs: string, extra = ''): string {
  return `
  Tg:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      VpcId: !Ref VpcId
      Protocol: ${protocol}
      Port: 443
${extra}      TargetGroupAttributes:
${attrs}`;
}

function mapping(props: string, scheme = ''): string {
  return `${scheme ? `      Scheme: ${scheme}\n` : ''}      SubnetMappings:
        - SubnetId: subnet-0a
${props}`;
}

const cases: Case[] = [
  // WAF
  {
    name: 'WAF web ACL associated with an NLB',
    yaml: template(NLB + waf()),
    ids: ['Association'],
    message:
      /^Web ACL 'WebAcl' is associated with Network Load Balancer 'Lb'\. AWS WAF only protects layer-7 resources/,
    severity: 'error',
  },
  { name: 'WAF web ACL associated with a GWLB', yaml: template(GWLB + waf()), ids: ['Association'] },
  {
    name: 'classic WAF Regional association with an NLB',
    yaml: template(NLB + waf('AWS::WAFRegional::WebACLAssociation')),
    ids: ['Association'],
  },
  { name: 'pass: WAF on an ALB', yaml: template(ALB + waf().replace(`      ${E}\n`, '')), ids: [] },
  {
    name: 'unknown: WAF on a load balancer whose type is unknown',
    yaml: template(lb('Lb', '      Type: !Ref UnknownFlag\n') + waf().replace(`      ${E}\n`, '')),
    ids: [],
    unknown: true,
  },
  // Listener rules
  {
    name: 'listener rule on an NLB listener (points at Conditions)',
    yaml: template(
      NLB +
        listener('L', 'TCP', 443, FORWARD) +
        rule(FORWARD).replace('      Conditions:', `      ${E}\n      Conditions:`),
    ),
    ids: ['Rule'],
    message:
      /Listener rule 'Rule' \(path-pattern\) is attached to listener 'L' of Network Load Balancer 'Lb'\. NLB listeners have only a default action/,
  },
  {
    name: 'pass: listener rule on an ALB listener',
    yaml: template(ALB + listener('L', 'HTTPS', 443, FORWARD) + rule(FORWARD)),
    ids: [],
  },
  {
    name: 'unknown: listener rule on a listener imported from another stack',
    yaml: template(rule(FORWARD).replace('!Ref L', '!ImportValue shared-listener')),
    ids: [],
    unknown: true,
  },
  // ALB-only actions
  ...['redirect', 'fixed-response', 'authenticate-oidc', 'authenticate-cognito'].map((t): Case => ({
    name: `${t} action on an NLB listener`,
    yaml: template(NLB + listener('L', 'TCP', 80, `        ${E}\n        - Type: ${t}\n          Order: 1\n`)),
    ids: ['L'],
    message: new RegExp(`uses a ${t} action on Network Load Balancer 'Lb'\\. Only an Application Load Balancer has`),
  })),
  {
    name: 'redirect action on a GWLB listener',
    yaml: template(GWLB + listener('L', '', 0, `        ${E}\n        - Type: redirect\n`)),
    ids: ['L'],
  },
  {
    name: 'authenticate action on an ALB HTTP listener',
    yaml: template(
      ALB +
        listener('L', 'HTTP', 80, `        ${E}\n        - Type: authenticate-oidc\n          Order: 1\n${FORWARD}`),
    ),
    ids: ['L'],
    message: /work only on HTTPS listeners/,
  },
  {
    name: 'authenticate action in a rule of an ALB HTTP listener',
    yaml: template(
      ALB +
        listener('L', 'HTTP', 80, FORWARD) +
        rule(`        ${E}\n        - Type: authenticate-cognito\n          Order: 1\n${FORWARD}`),
    ),
    ids: ['Rule'],
  },
  {
    name: 'pass: authenticate, redirect and fixed-response on ALB HTTPS/HTTP listeners',
    yaml: template(
      ALB +
        listener('L', 'HTTPS', 443, `        - Type: authenticate-oidc\n          Order: 1\n${FORWARD}`) +
        listener('R', 'HTTP', 80, '        - Type: redirect\n') +
        rule('        - Type: fixed-response\n'),
    ),
    ids: [],
  },
  // Elastic IPs and private addresses
  {
    name: 'Elastic IP on an ALB',
    yaml: template(lb('Lb', mapping(`          ${E}\n          AllocationId: eipalloc-0123\n`))),
    ids: ['Lb'],
    message:
      /cannot use Elastic IPs.*For static IPs use an NLB, optionally with the ALB as its target, or Global Accelerator/,
  },
  {
    name: 'Elastic IP on a GWLB',
    yaml: template(
      lb('Lb', '      Type: gateway\n' + mapping(`          ${E}\n          AllocationId: eipalloc-0123\n`)),
    ),
    ids: ['Lb'],
  },
  {
    name: 'Elastic IP on an internal NLB',
    yaml: template(
      lb(
        'Lb',
        '      Type: network\n' + mapping(`          ${E}\n          AllocationId: eipalloc-0123\n`, 'internal'),
      ),
    ),
    ids: ['Lb'],
    message: /only an internet-facing NLB takes Elastic IPs/,
  },
  {
    name: 'pass: Elastic IP on an NLB whose Scheme is absent (internet-facing by default)',
    yaml: template(lb('Lb', '      Type: network\n' + mapping('          AllocationId: eipalloc-0123\n'))),
    ids: [],
  },
  {
    name: 'unknown: Elastic IP on an NLB whose scheme is unknown',
    yaml: template(
      lb('Lb', '      Type: network\n' + mapping('          AllocationId: eipalloc-0123\n', '!Ref UnknownFlag')),
    ),
    ids: [],
    unknown: true,
  },
  {
    name: 'private IPv4 address on an internet-facing NLB',
    yaml: template(
      lb(
        'Lb',
        '      Type: network\n' +
          mapping(`          ${E}\n          PrivateIPv4Address: 10.0.0.10\n`, 'internet-facing'),
      ),
    ),
    ids: ['Lb'],
    message: /applies to internal NLBs only/,
  },
  {
    name: 'private IPv4 address on an ALB',
    yaml: template(lb('Lb', mapping(`          ${E}\n          PrivateIPv4Address: 10.0.0.10\n`, 'internal'))),
    ids: ['Lb'],
  },
  {
    name: 'pass: private IPv4 address on an internal NLB',
    yaml: template(
      lb('Lb', '      Type: network\n' + mapping('          PrivateIPv4Address: 10.0.0.10\n', 'internal')),
    ),
    ids: [],
  },
  // Endpoint services
  {
    name: 'endpoint service fronting an ALB',
    yaml: template(
      ALB +
        `
  Service:
    Type: AWS::EC2::VPCEndpointService
    Properties:
      NetworkLoadBalancerArns:
        ${E}
        - !Ref Lb
`,
    ),
    ids: ['Service'],
    message: /PrivateLink endpoint services front an NLB \(or a GWLB for appliances\), never an ALB/,
  },
  {
    name: 'GWLB listed in NetworkLoadBalancerArns',
    yaml: template(
      GWLB +
        `\n  Service:\n    Type: AWS::EC2::VPCEndpointService\n    Properties:\n      NetworkLoadBalancerArns:\n        ${E}\n        - !Ref Lb\n`,
    ),
    ids: ['Service'],
    message: /belongs in GatewayLoadBalancerArns/,
  },
  {
    name: 'NLB listed in GatewayLoadBalancerArns',
    yaml: template(
      NLB +
        `\n  Service:\n    Type: AWS::EC2::VPCEndpointService\n    Properties:\n      GatewayLoadBalancerArns:\n        ${E}\n        - !Ref Lb\n`,
    ),
    ids: ['Service'],
    message: /belongs in NetworkLoadBalancerArns/,
  },
  {
    name: 'pass: NLB endpoint service and GWLB endpoint service',
    yaml: template(
      NLB +
        lb('Gw', '      Type: gateway\n      Subnets: !Ref SubnetIds\n') +
        `
  Service:
    Type: AWS::EC2::VPCEndpointService
    Properties:
      NetworkLoadBalancerArns: [!Ref Lb]
  Inspection:
    Type: AWS::EC2::VPCEndpointService
    Properties:
      GatewayLoadBalancerArns: [!Ref Gw]
`,
    ),
    ids: [],
  },
  // Security groups on a GWLB
  {
    name: 'security groups on a GWLB',
    yaml: template(
      lb('Lb', `      Type: gateway\n      Subnets: !Ref SubnetIds\n      ${E}\n      SecurityGroups: [sg-0123]\n`),
    ),
    ids: ['Lb'],
    message: /cannot have security groups/,
  },
  // Stickiness and attributes
  {
    name: 'lb_cookie stickiness on an NLB target group',
    yaml: template(tg('TCP', `        - Key: stickiness.type\n          ${E}\n          Value: lb_cookie\n`)),
    ids: ['Tg'],
    message: /NLB stickiness is source_ip only/,
  },
  {
    name: 'source_ip stickiness on an ALB target group',
    yaml: template(tg('HTTPS', `        - Key: stickiness.type\n          ${E}\n          Value: source_ip\n`)),
    ids: ['Tg'],
    message: /ALB stickiness uses cookies/,
  },
  {
    name: 'pass: app_cookie on an ALB target group, source_ip on an NLB target group',
    yaml: template(
      tg('HTTP', '        - Key: stickiness.type\n          Value: app_cookie\n') +
        tg('UDP', '        - Key: stickiness.type\n          Value: source_ip\n').replace('  Tg:', '  Tg2:'),
    ),
    ids: [],
  },
  {
    name: 'ALB-only target group attribute on an NLB target group, NLB-only on a lambda target group',
    yaml: template(
      tg('TCP', `        ${E}\n        - Key: slow_start.duration_seconds\n          Value: '60'\n`) +
        `
  Fn:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      TargetType: lambda
      TargetGroupAttributes:
        ${E}
        - Key: proxy_protocol_v2.enabled
          Value: 'true'
        - Key: lambda.multi_value_headers.enabled
          Value: 'true'
`,
    ),
    ids: ['Tg', 'Fn'],
    message: /exists only for (Application|Network) Load Balancer target groups/,
  },
  {
    name: 'NLB-only load balancer attribute on an ALB, ALB-only on an NLB',
    yaml: template(
      lb(
        'Alb',
        `      Subnets: !Ref SubnetIds\n      LoadBalancerAttributes:\n        ${E}\n        - Key: dns_record.client_routing_policy\n          Value: any_availability_zone\n`,
      ) +
        lb(
          'Nlb',
          `      Type: network\n      Subnets: !Ref SubnetIds\n      LoadBalancerAttributes:\n        - Key: deletion_protection.enabled\n          Value: 'true'\n        ${E}\n        - Key: routing.http2.enabled\n          Value: 'true'\n`,
        ),
    ),
    ids: ['Alb', 'Nlb'],
    message: /exists only for (Network|Application) Load Balancers/,
  },
  {
    name: 'GWLB: only layer-7 attributes are certainly unsupported',
    yaml: template(
      lb(
        'Gw',
        `      Type: gateway\n      LoadBalancerAttributes:\n        - Key: access_logs.s3.enabled\n          Value: 'false'\n        ${E}\n        - Key: routing.http2.enabled\n          Value: 'true'\n`,
      ) +
        `
  Geneve:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      VpcId: !Ref VpcId
      Protocol: GENEVE
      Port: 6081
      TargetGroupAttributes:
        - Key: preserve_client_ip.enabled
          Value: 'true'
        ${E}
        - Key: slow_start.duration_seconds
          Value: '30'
        - Key: stickiness.type
          ${E}
          Value: lb_cookie
`,
    ),
    ids: ['Gw', 'Geneve', 'Geneve'],
  },
  {
    name: 'unknown attribute keys are not failures',
    yaml: template(
      lb(
        'Lb',
        `      Type: network\n      LoadBalancerAttributes:\n        - Key: future.feature.enabled\n          Value: 'true'\n`,
      ),
    ),
    ids: [],
  },
  // Global Accelerator
  {
    name: 'UDP accelerator listener with an ALB endpoint',
    yaml: template(
      ALB +
        `
  Accelerator:
    Type: AWS::GlobalAccelerator::Accelerator
    Properties: { Name: edge }
  GaListener:
    Type: AWS::GlobalAccelerator::Listener
    Properties:
      AcceleratorArn: !Ref Accelerator
      Protocol: UDP
      PortRanges: [{ FromPort: 3478, ToPort: 3478 }]
  Endpoints:
    Type: AWS::GlobalAccelerator::EndpointGroup
    Properties:
      ListenerArn: !Ref GaListener
      EndpointGroupRegion: eu-west-1
      EndpointConfigurations:
        ${E}
        - EndpointId: !Ref Lb
`,
    ),
    ids: ['Endpoints'],
    message: /An ALB cannot receive UDP/,
  },
  {
    name: 'pass: TCP accelerator listener with an ALB endpoint',
    yaml: template(
      ALB +
        `
  Accelerator:
    Type: AWS::GlobalAccelerator::Accelerator
    Properties: { Name: edge }
  GaListener:
    Type: AWS::GlobalAccelerator::Listener
    Properties:
      AcceleratorArn: !Ref Accelerator
      Protocol: TCP
      PortRanges: [{ FromPort: 443, ToPort: 443 }]
  Endpoints:
    Type: AWS::GlobalAccelerator::EndpointGroup
    Properties:
      ListenerArn: !Ref GaListener
      EndpointGroupRegion: eu-west-1
      EndpointConfigurations:
        - EndpointId: !Ref Lb
`,
    ),
    ids: [],
  },
];

describe(ID, () => {
  for (const c of cases) it(c.name, () => check(ID, c));
});
