/**
 * Generator of realistic CloudFormation templates for benchmarks: per "cell" a VPC slice with subnets,
 * route tables, NACLs and entries, security groups, an RDS database, a load balancer with listener and
 * target group, S3 buckets, Lambda functions, a DynamoDB table and an Auto Scaling group.
 */
import yaml from 'js-yaml';

type Res = Record<string, unknown>;

function cell(i: number, r: Record<string, Res>): void {
  const p = (s: string) => `${s}${i}`;
  const vpc = p('Vpc');
  r[vpc] = { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: `10.${i % 250}.0.0/16`, EnableDnsSupport: true } };
  const subnets: string[] = [];
  for (let s = 0; s < 4; s++) {
    const sn = p(`Subnet${s}x`);
    subnets.push(sn);
    r[sn] = {
      Type: 'AWS::EC2::Subnet',
      Properties: {
        VpcId: { Ref: vpc },
        CidrBlock: { 'Fn::Select': [s, { 'Fn::Cidr': [{ 'Fn::GetAtt': [vpc, 'CidrBlock'] }, 4, 8] }] },
        AvailabilityZone: { 'Fn::Select': [s % 2, { 'Fn::GetAZs': '' }] },
      },
    };
  }
  r[p('RouteTable')] = { Type: 'AWS::EC2::RouteTable', Properties: { VpcId: { Ref: vpc } } };
  r[p('Acl')] = { Type: 'AWS::EC2::NetworkAcl', Properties: { VpcId: { Ref: vpc } } };
  for (const [n, egress, port] of [
    [100, false, 443],
    [110, false, '1024-65535'],
    [100, true, 443],
    [110, true, '1024-65535'],
  ] as const) {
    const [from, to] = String(port).split('-');
    r[p(`AclEntry${n}${egress ? 'Out' : 'In'}`)] = {
      Type: 'AWS::EC2::NetworkAclEntry',
      Properties: {
        NetworkAclId: { Ref: p('Acl') },
        RuleNumber: n,
        Protocol: 6,
        RuleAction: 'allow',
        Egress: egress,
        CidrBlock: '0.0.0.0/0',
        PortRange: { From: Number(from), To: Number(to ?? from) },
      },
    };
  }
  subnets.forEach((sn, k) => {
    r[p(`Assoc${k}x`)] = {
      Type: 'AWS::EC2::SubnetNetworkAclAssociation',
      Properties: { SubnetId: { Ref: sn }, NetworkAclId: { Ref: p('Acl') } },
    };
  });
  r[p('WebSg')] = {
    Type: 'AWS::EC2::SecurityGroup',
    Properties: {
      GroupDescription: 'web',
      VpcId: { Ref: vpc },
      SecurityGroupIngress: [
        { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' },
        { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: i % 7 === 0 ? '0.0.0.0/0' : '10.0.0.0/8' },
      ],
    },
  };
  r[p('DbSubnets')] = {
    Type: 'AWS::RDS::DBSubnetGroup',
    Properties: { DBSubnetGroupDescription: 'db', SubnetIds: subnets.map((s) => ({ Ref: s })) },
  };
  r[p('Db')] = {
    Type: 'AWS::RDS::DBInstance',
    DeletionPolicy: 'Snapshot',
    UpdateReplacePolicy: 'Snapshot',
    Properties: {
      Engine: 'postgres',
      DBInstanceClass: 'db.r6g.large',
      AllocatedStorage: '100',
      StorageEncrypted: i % 5 !== 0,
      MultiAZ: true,
      DBSubnetGroupName: { Ref: p('DbSubnets') },
      ManageMasterUserPassword: true,
      MasterUsername: 'app',
    },
  };
  r[p('Lb')] = {
    Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
    Properties: { Subnets: subnets.slice(0, 2).map((s) => ({ Ref: s })), SecurityGroups: [{ Ref: p('WebSg') }] },
  };
  r[p('Tg')] = {
    Type: 'AWS::ElasticLoadBalancingV2::TargetGroup',
    Properties: { Port: 80, Protocol: 'HTTP', VpcId: { Ref: vpc }, TargetType: 'instance' },
  };
  r[p('Listener')] = {
    Type: 'AWS::ElasticLoadBalancingV2::Listener',
    Properties: {
      LoadBalancerArn: { Ref: p('Lb') },
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: p('Tg') } }],
    },
  };
  r[p('Bucket')] = {
    Type: 'AWS::S3::Bucket',
    Properties: {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    },
  };
  r[p('Role')] = {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      ManagedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole'],
    },
  };
  r[p('Fn')] = {
    Type: 'AWS::Lambda::Function',
    Properties: {
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Role: { 'Fn::GetAtt': [p('Role'), 'Arn'] },
      Code: { ZipFile: 'exports.handler = async () => ({ ok: true });' },
      VpcConfig: { SubnetIds: subnets.slice(2).map((s) => ({ Ref: s })), SecurityGroupIds: [{ Ref: p('WebSg') }] },
      Environment: { Variables: { TABLE: { Ref: p('Table') }, BUCKET: { 'Fn::Sub': '${' + p('Bucket') + '}-x' } } },
    },
  };
  r[p('Table')] = {
    Type: 'AWS::DynamoDB::Table',
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: {
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    },
  };
  r[p('LaunchTemplate')] = {
    Type: 'AWS::EC2::LaunchTemplate',
    Properties: { LaunchTemplateData: { InstanceType: 't3.micro', ImageId: 'ami-12345678' } },
  };
  r[p('Asg')] = {
    Type: 'AWS::AutoScaling::AutoScalingGroup',
    Properties: {
      MinSize: '2',
      MaxSize: '4',
      VPCZoneIdentifier: subnets.slice(0, 2).map((s) => ({ Ref: s })),
      LaunchTemplate: {
        LaunchTemplateId: { Ref: p('LaunchTemplate') },
        Version: { 'Fn::GetAtt': [p('LaunchTemplate'), 'LatestVersionNumber'] },
      },
      TargetGroupARNs: [{ Ref: p('Tg') }],
    },
  };
}

/** A template with about `n` resources, as YAML or JSON text. */
export function generateTemplate(n: number, format: 'yaml' | 'json' = 'yaml'): string {
  const resources: Record<string, Res> = {};
  let i = 0;
  while (Object.keys(resources).length < n) cell(i++, resources);
  const keys = Object.keys(resources).slice(0, n);
  const t = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Generated benchmark template with ${n} resources`,
    Resources: Object.fromEntries(keys.map((k) => [k, resources[k]])),
  };
  return format === 'json' ? JSON.stringify(t, null, 2) : yaml.dump(t, { lineWidth: 200, noRefs: true });
}
