import { describe, expect, it } from 'vitest';
import {
  actionTypeOf,
  buildLoadBalancingView,
  existingPath,
  isSet,
  knownNumber,
  knownString,
  loadBalancingView,
  nonEmptyList,
  pathsTo,
  schemeOf,
  targetTypeOf,
  typeOf,
} from '../../src/model/loadbalancing';
import { contextFor, template } from '../helpers/elb';

const CHAIN = template(`
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: !Ref SubnetIds
      SecurityGroups: [sg-123]
      LoadBalancerAttributes:
        - Key: routing.http2.enabled
          Value: 'false'
  Web:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      VpcId: !Ref VpcId
      Protocol: HTTP
      Port: 80
      HealthCheckPath: /health
      Targets:
        - Id: i-0123456789abcdef0
          Port: 8080
  Api:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      VpcId: !Ref VpcId
      Protocol: HTTP
      Port: 9090
  Fn:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      TargetType: lambda
  Https:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Alb
      Protocol: HTTPS
      Port: 443
      DefaultActions:
        - Type: authenticate-cognito
          AuthenticateCognitoConfig: {}
        - Type: forward
          ForwardConfig:
            TargetGroups:
              - TargetGroupArn: !Ref Web
                Weight: 3
              - TargetGroupArn: !GetAtt Api.TargetGroupArn
                Weight: 1
  Http:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !GetAtt Alb.LoadBalancerArn
      Protocol: HTTP
      Port: '80'
      DefaultActions:
        - Type: redirect
          RedirectConfig: { Protocol: HTTPS, Port: '443', StatusCode: HTTP_301 }
  ApiRule:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref Https
      Priority: 1
      Conditions:
        - Field: path-pattern
          Values: [/api/*]
      Actions:
        - Type: forward
          TargetGroupArn: !Ref Api
  FnRule:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !GetAtt Https.ListenerArn
      Priority: 2
      Conditions:
        - Field: path-pattern
          Values: [/fn/*]
      Actions:
        - Type: fixed-response
          FixedResponseConfig: { StatusCode: '404' }
        - Type: forward
          TargetGroupArn: !Ref Fn
  Acl:
    Type: AWS::WAFv2::WebACLAssociation
    Properties:
      WebACLArn: arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/x/y
      ResourceArn: !Ref Alb
  Asg:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: '1'
      MaxSize: '2'
      VPCZoneIdentifier: !Ref SubnetIds
      TargetGroupARNs: [!Ref Web]
  Nlb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Type: network
      Scheme: internal
      SubnetMappings:
        - SubnetId: subnet-a
          PrivateIPv4Address: 10.0.0.10
        - SubnetId: subnet-b
          AllocationId: eipalloc-1
  ToAlb:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      VpcId: !Ref VpcId
      TargetType: alb
      Protocol: TCP
      Port: 443
      Targets:
        - Id: !Ref Alb
  NlbListener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Nlb
      Protocol: TCP
      Port: 443
      DefaultActions:
        - Type: forward
          TargetGroupArn: !Ref ToAlb
  Service:
    Type: AWS::EC2::VPCEndpointService
    Properties:
      NetworkLoadBalancerArns: [!Ref Nlb]
  Accelerator:
    Type: AWS::GlobalAccelerator::Accelerator
    Properties:
      Name: edge
  AcceleratorListener:
    Type: AWS::GlobalAccelerator::Listener
    Properties:
      AcceleratorArn: !Ref Accelerator
      Protocol: TCP
      PortRanges: [{ FromPort: 443, ToPort: 443 }]
  Endpoints:
    Type: AWS::GlobalAccelerator::EndpointGroup
    Properties:
      ListenerArn: !Ref AcceleratorListener
      EndpointGroupRegion: eu-west-1
      EndpointConfigurations:
        - EndpointId: !Ref Nlb
  Orphan:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref ExternalLbArn
      Protocol: HTTP
      Port: 80
      DefaultActions:
        - Type: forward
          TargetGroupArn: arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/x/1
  Gone:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Condition: Never
    Properties:
      Type: gateway
`).replace('Conditions:\n', "Conditions:\n  Never: !Equals ['a', 'b']\n");

describe('load-balancing view', () => {
  const ctx = contextFor(CHAIN);
  const view = buildLoadBalancingView(ctx);

  it('indexes load balancers, listeners, rules and target groups; drops resources that do not exist', () => {
    expect([...view.loadBalancers.keys()]).toEqual(['Alb', 'Nlb']);
    expect([...view.listeners.keys()]).toEqual(['Https', 'Http', 'NlbListener', 'Orphan']);
    expect([...view.rules.keys()]).toEqual(['ApiRule', 'FnRule']);
    expect([...view.targetGroups.keys()]).toEqual(['Web', 'Api', 'Fn', 'ToAlb']);
  });

  it('resolves listener -> load balancer through Ref and Fn::GetAtt', () => {
    const alb = view.loadBalancers.get('Alb')!;
    expect(alb.listeners.map((l) => l.id)).toEqual(['Https', 'Http']);
    expect(view.listeners.get('Http')!.loadBalancer.target).toBe(alb);
    expect(knownNumber(view.listeners.get('Http')!.port)).toBe(80);
  });

  it('keeps listeners of load balancers outside the template as unresolved, with the reason', () => {
    const orphan = view.listeners.get('Orphan')!;
    expect(orphan.loadBalancer.target).toBeUndefined();
    expect(orphan.loadBalancer.why).toMatch(/ExternalLbArn/);
    expect(view.unresolvedListeners).toEqual([orphan]);
    const f = orphan.defaultActions.items![0]!.forwards.items![0]!;
    expect(f.targetGroup.target).toBeUndefined();
    expect(f.targetGroup.why).toMatch(/not in the template/);
  });

  it('resolves rule -> listener and reads actions of every type', () => {
    const https = view.listeners.get('Https')!;
    expect(https.rules.map((r) => r.id)).toEqual(['ApiRule', 'FnRule']);
    const actions = https.defaultActions.items!;
    expect(actions.map((a) => knownString(a.type))).toEqual(['authenticate-cognito', 'forward']);
    expect(actions.map(actionTypeOf)).toEqual(['authenticate-cognito', 'forward']);
    expect(actions[1]!.forwards.items!.map((f) => f.targetGroup.target?.id)).toEqual(['Web', 'Api']);
    expect(actions[1]!.forwards.items![1]!.path).toEqual([
      'Properties',
      'DefaultActions',
      1,
      'ForwardConfig',
      'TargetGroups',
      1,
      'TargetGroupArn',
    ]);
    const fnRule = view.rules.get('FnRule')!;
    expect(fnRule.listener.target).toBe(https);
    expect(fnRule.actions.items!.map((a) => knownString(a.type))).toEqual(['fixed-response', 'forward']);
    expect(isSet(fnRule.conditions)).toBe(true);
  });

  it('records who forwards to a target group and which load balancers that reaches', () => {
    const api = view.targetGroups.get('Api')!;
    expect(api.forwardedBy.map((f) => f.action.owner.logicalId)).toEqual(['Https', 'ApiRule']);
    expect(pathsTo(view, api).map((p) => [p.listener.target?.id, p.loadBalancer.target?.id])).toEqual([
      ['Https', 'Alb'],
      ['Https', 'Alb'],
    ]);
  });

  it('reads target groups: protocol, target type default, health check, targets, registrars', () => {
    const web = view.targetGroups.get('Web')!;
    expect(knownString(web.protocol)).toBe('HTTP');
    expect(targetTypeOf(web)).toBe('instance');
    expect(targetTypeOf(view.targetGroups.get('Fn')!)).toBe('lambda');
    expect(knownString(web.healthCheck.path)).toBe('/health');
    expect(web.healthCheck.protocol.kind).toBe('missing');
    expect(web.targets.items!.map((t) => [knownString(t.id), knownNumber(t.port)])).toEqual([
      ['i-0123456789abcdef0', 8080],
    ]);
    expect(web.registrars.map((r) => r.resource.logicalId)).toEqual(['Asg']);
  });

  it('interprets type (default application), scheme (default internet-facing) and lists', () => {
    const alb = view.loadBalancers.get('Alb')!;
    const nlb = view.loadBalancers.get('Nlb')!;
    expect(typeOf(alb)).toEqual({ type: 'application' });
    expect(typeOf(nlb)).toEqual({ type: 'network' });
    expect(schemeOf(alb)).toBe('internet-facing');
    expect(schemeOf(nlb)).toBe('internal');
    expect(nonEmptyList(ctx, alb.resource, ['Properties', 'SecurityGroups'])).toBe(true);
    expect(nonEmptyList(ctx, nlb.resource, ['Properties', 'SecurityGroups'])).toBe(false);
    expect(alb.attributes.items!.map((a) => knownString(a.key))).toEqual(['routing.http2.enabled']);
  });

  it('reads subnet mappings with Elastic IPs and private addresses', () => {
    const nlb = view.loadBalancers.get('Nlb')!;
    const m = nlb.subnetMappings.items!;
    expect(m.map((x) => [isSet(x.allocationId), isSet(x.privateIPv4Address)])).toEqual([
      [false, true],
      [true, false],
    ]);
    expect(nlb.subnets.items!.map((s) => knownString(s.value))).toEqual(['subnet-a', 'subnet-b']);
  });

  it('records attachments from outside: WAF, endpoint services, accelerators, NLB alb targets', () => {
    const alb = view.loadBalancers.get('Alb')!;
    const nlb = view.loadBalancers.get('Nlb')!;
    expect(alb.webAclAssociations.map((a) => a.resource.logicalId)).toEqual(['Acl']);
    expect(alb.targetOf.map((t) => t.targetGroup.id)).toEqual(['ToAlb']);
    expect(nlb.endpointServices.map((a) => [a.resource.logicalId, a.property])).toEqual([
      ['Service', 'NetworkLoadBalancerArns'],
    ]);
    expect(nlb.acceleratorEndpoints.map((a) => [a.resource.logicalId, a.listener.target?.logicalId])).toEqual([
      ['Endpoints', 'AcceleratorListener'],
    ]);
    expect(view.attachmentsOf.get('Service')!.map((x) => x.lb.id)).toEqual(['Nlb']);
  });

  it('is memoised through ctx.view', () => {
    expect(ctx.view(loadBalancingView)).toBe(ctx.view(loadBalancingView));
  });

  it('treats types and schemes from unknown parameters as unknown, and unrecognised types as unknown', () => {
    const text = template(`
  FromParam:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Type: !Ref UnknownFlag
  Odd:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Type: classic
      Scheme: !If [FlagOn, internal, internet-facing]
`);
    const v = buildLoadBalancingView(contextFor(text));
    expect(typeOf(v.loadBalancers.get('FromParam')!).why).toMatch(/UnknownFlag/);
    expect(typeOf(v.loadBalancers.get('Odd')!).why).toMatch(/unrecognised Type classic/);
    expect(schemeOf(v.loadBalancers.get('Odd')!)).toBeUndefined();
  });

  it('marks lists built by unknown intrinsics as unknown, not empty', () => {
    const text = template(`
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref ExternalLbArn
      Protocol: HTTP
      Port: 80
      DefaultActions: !If [FlagOn, [], []]
  Tg:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      Targets: !If [FlagOn, [{ Id: 10.0.0.1 }], [{ Id: 10.0.0.2 }]]
`);
    const v = buildLoadBalancingView(contextFor(text));
    expect(v.listeners.get('Listener')!.defaultActions.items).toEqual([]);
    expect(v.targetGroups.get('Tg')!.targets.why).toMatch(/FlagOn/);
  });

  it('existingPath trims a path to what is written', () => {
    const alb = view.loadBalancers.get('Alb')!;
    expect(existingPath(alb.resource, ['Properties', 'Scheme'])).toEqual(['Properties']);
    expect(existingPath(alb.resource, ['Properties', 'Subnets'])).toEqual(['Properties', 'Subnets']);
  });
});
