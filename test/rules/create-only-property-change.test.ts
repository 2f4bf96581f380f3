import { describe, expect, it } from 'vitest';
import { expectDiffRule, lintDiff, unknownsOf } from '../helpers/diff';

const ID = 'create-only-property-change';
const E = `# expect: ${ID}`;

/** One resource of `type` with the given property lines (6-space indented YAML). */
function one(type: string, props: string, id = 'R', params = ''): string {
  return `${params}Resources:\n  ${id}:\n    Type: ${type}\n    Properties:\n${props}`;
}

describe('create-only-property-change: replacement outcomes', () => {
  it('custom-name-conflict: a named security group whose description changes', () => {
    const sg = (desc: string, e = false) =>
      one(
        'AWS::EC2::SecurityGroup',
        `      GroupName: web\n${e ? `      ${E}\n` : ''}      GroupDescription: ${desc}\n      VpcId: vpc-0a1b2c3d4e5f67890\n`,
      );
    expectDiffRule(ID, sg('Web'), sg('Web servers', true), [
      {
        logicalId: 'R',
        severity: 'error',
        message: [
          'Changing GroupDescription (Web → Web servers)',
          'its custom name GroupName (web) stays the same',
          'cannot update a stack when a custom-named resource requires replacing',
        ],
      },
    ]);
  });

  it('custom-name-conflict is not reported when the name changes too', () => {
    const sg = (name: string, desc: string, e = false) =>
      one(
        'AWS::EC2::SecurityGroup',
        `      GroupName: ${name}\n${e ? `      ${E}\n` : ''}      GroupDescription: ${desc}\n      VpcId: vpc-0a1b2c3d4e5f67890\n`,
      );
    expectDiffRule(ID, sg('web', 'Web'), sg('web-v2', 'Web servers', true), [
      {
        logicalId: 'R',
        severity: 'info',
        message: 'Changing GroupDescription (Web → Web servers) and GroupName (web → web-v2)',
      },
    ]);
  });

  it('replacement-cascade (error): a VPC CIDR change strands a database in its subnets', () => {
    const t = (cidr: string, e = false) => `Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
${e ? `      ${E}\n` : ''}      CidrBlock: ${cidr}
  A:
    Type: AWS::EC2::Subnet
    Properties: { VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/26 }
  B:
    Type: AWS::EC2::Subnet
    Properties: { VpcId: !Ref Vpc, CidrBlock: 10.0.0.64/26 }
  Nat:
    Type: AWS::EC2::NatGateway
    Properties: { SubnetId: !Ref A, ConnectivityType: private }
  Group:
    Type: AWS::RDS::DBSubnetGroup
    Properties: { DBSubnetGroupDescription: db, SubnetIds: [!Ref A, !Ref B] }
  Db:
    Type: AWS::RDS::DBInstance
    Properties: { Engine: postgres, DBInstanceClass: db.t4g.micro, StorageEncrypted: true, DBSubnetGroupName: !Ref Group }
`;
    expectDiffRule(ID, t('10.0.0.0/24'), t('10.0.0.0/16', true), [
      {
        logicalId: 'Vpc',
        severity: 'error',
        message: [
          "forces replacement of 3 dependent resources: 'A', 'B' and 'Nat'",
          "'Group' cannot follow",
          "1 of the affected resources holds data: 'Db' (cannot follow",
          'add an AWS::EC2::VPCCidrBlock',
        ],
      },
    ]);
  });

  it('replacement-cascade (error): the cascade replaces a data store to a fixed point', () => {
    // SubnetGroup name -> Db (DBSubnetGroupName is create-only) -> Proxy target? No: a replica of Db.
    const t = (name: string, e = false) => `Resources:
  Group:
    Type: AWS::RDS::DBSubnetGroup
    Properties:
${e ? `      ${E}\n` : ''}      DBSubnetGroupName: ${name}
      DBSubnetGroupDescription: db
      SubnetIds: [subnet-0123456789abcdef0, subnet-0fedcba9876543210]
  Db:
    Type: AWS::RDS::DBInstance
    Properties: { Engine: postgres, DBInstanceClass: db.t4g.micro, StorageEncrypted: true, DBSubnetGroupName: !Ref Group }
  Replica:
    Type: AWS::RDS::DBInstance
    Properties: { SourceDBInstanceIdentifier: !Ref Db, DBInstanceClass: db.t4g.micro }
`;
    expectDiffRule(ID, t('db-a'), t('db-b', true), [
      {
        logicalId: 'Group',
        severity: 'error',
        message: ["forces replacement of 2 dependent resources: 'Db' and 'Replica'", "'Db' (replaced)"],
      },
    ]);
  });

  it('replacement-cascade (warning): a subnet CIDR change replaces the instance in it', () => {
    const t = (cidr: string, e = false) => `Resources:
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: vpc-0a1b2c3d4e5f67890
${e ? `      ${E}\n` : ''}      CidrBlock: ${cidr}
  Host:
    Type: AWS::EC2::Instance
    Properties: { ImageId: ami-0abcdef1234567890, SubnetId: !Ref Subnet }
  Route:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: { SubnetId: !Sub '\${Subnet}', RouteTableId: rtb-0123456789abcdef0 }
`;
    expectDiffRule(ID, t('10.0.1.0/28'), t('10.0.1.0/26', true), [
      { logicalId: 'Subnet', severity: 'warning', message: "2 dependent resources: 'Host' and 'Route'" },
    ]);
  });

  it('replacement-new-address: load balancer scheme, EIP, instance AMI', () => {
    const t = (scheme: string, domain: string, ami: string, e = false) => `Resources:
  Lb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
${e ? `      ${E}\n` : ''}      Scheme: ${scheme}
      Subnets: [subnet-0123456789abcdef0, subnet-0fedcba9876543210]
  Ip:
    Type: AWS::EC2::EIP
    Properties:
${e ? `      ${E}\n` : ''}      Domain: ${domain}
  Host:
    Type: AWS::EC2::Instance
    Properties:
${e ? `      ${E}\n` : ''}      ImageId: ${ami}
`;
    expectDiffRule(
      ID,
      t('internet-facing', 'vpc', 'ami-0aaaaaaaaaaaaaaaa'),
      t('internal', 'standard', 'ami-0bbbbbbbbbbbbbbbb', true),
      [
        { logicalId: 'Lb', severity: 'warning', message: 'gets a new DNS name' },
        { logicalId: 'Ip', severity: 'warning', message: 'gets a new IP address' },
        { logicalId: 'Host', severity: 'warning', message: 'gets a new instance id and IP addresses' },
      ],
    );
  });

  it('replacement (info): any other replacement', () => {
    const t = (name: string, e = false) =>
      one('AWS::SNS::Topic', `${e ? `      ${E}\n` : ''}      TopicName: ${name}\n`);
    expectDiffRule(ID, t('alerts'), t('alerts-v2', true), [
      { logicalId: 'R', severity: 'info', message: 'Changing TopicName (alerts → alerts-v2)' },
    ]);
  });

  it('a replacement on a stateful type is left to stateful-resource-replacement', () => {
    const t = (key: string) =>
      one('AWS::DynamoDB::Table', `      KeySchema: [{ AttributeName: ${key}, KeyType: HASH }]\n`);
    expectDiffRule(ID, t('pk'), t('id'), []);
    expect(lintDiff(t('pk'), t('id')).findings.map((f) => f.ruleId)).toContain('stateful-resource-replacement');
  });

  it('RDS StorageEncrypted/KmsKeyId and snapshot identifiers are left to the RDS diff rules', () => {
    const enc = (v: boolean) =>
      one(
        'AWS::RDS::DBInstance',
        `      Engine: postgres\n      DBInstanceClass: db.t4g.micro\n      StorageEncrypted: ${v}\n`,
      );
    const snap = (v: string) =>
      one('AWS::RDS::DBInstance', `      DBInstanceClass: db.t4g.micro\n      DBSnapshotIdentifier: ${v}\n`);
    for (const [rule, r] of [
      ['rds-encryption-change', lintDiff(enc(false), enc(true))],
      ['rds-snapshot-identifier-change', lintDiff(snap('a'), snap('b'))],
    ] as const) {
      expect(r.findings.filter((f) => f.ruleId === ID)).toEqual([]);
      expect(r.findings.map((f) => f.ruleId)).toContain(rule);
    }
  });

  it('a nested create-only field: Elastic Beanstalk Tier.Type', () => {
    const t = (tier: string, e = false) =>
      one(
        'AWS::ElasticBeanstalk::Environment',
        `      ApplicationName: app\n      Tier:\n        Name: Worker\n${e ? `        ${E}\n` : ''}        Type: ${tier}\n`,
      );
    expectDiffRule(ID, t('Standard'), t('SQS/JSON', true), [
      { logicalId: 'R', severity: 'info', message: 'Tier.Type (Standard → SQS/JSON)' },
    ]);
  });
});

describe('create-only-property-change: updates that cannot be applied', () => {
  it('not-supported: a local secondary index added to an existing table', () => {
    const lsi = `      ${E}\n      LocalSecondaryIndexes:\n        - IndexName: byDate\n          KeySchema: [{ AttributeName: pk, KeyType: HASH }, { AttributeName: d, KeyType: RANGE }]\n          Projection: { ProjectionType: KEYS_ONLY }\n`;
    const t = (extra: string) =>
      one(
        'AWS::DynamoDB::Table',
        `      KeySchema: [{ AttributeName: pk, KeyType: HASH }, { AttributeName: sk, KeyType: RANGE }]\n${extra}`,
      );
    expectDiffRule(ID, t(''), t(lsi), [
      { logicalId: 'R', severity: 'error', message: ['cannot be applied', 'local secondary indexes exist only'] },
    ]);
  });

  it('not-supported: two global secondary indexes added in one update; one is fine', () => {
    const gsi = (names: string[]) =>
      names.length
        ? `      GlobalSecondaryIndexes:\n${names.map((n) => `        - { IndexName: ${n}, KeySchema: [{ AttributeName: ${n}, KeyType: HASH }], Projection: { ProjectionType: ALL } }\n`).join('')}`
        : '';
    const t = (names: string[], e = false) =>
      one(
        'AWS::DynamoDB::Table',
        `      KeySchema: [{ AttributeName: pk, KeyType: HASH }]\n${e ? `      ${E}\n` : ''}${gsi(names)}`,
      );
    expectDiffRule(ID, t(['a']), t(['a', 'b', 'c'], true), [
      {
        logicalId: 'R',
        severity: 'error',
        message: 'only one global secondary index per update, and this update creates b, c',
      },
    ]);
    expectDiffRule(ID, t(['a']), t(['a', 'b']), []);
    expectDiffRule(ID, t(['a', 'b']), t(['c'], true), [
      { logicalId: 'R', severity: 'error', message: 'creates c and deletes a, b' },
    ]);
  });

  it('not-supported: security groups attached to an existing Network Load Balancer (not to an ALB)', () => {
    const t = (type: string, sg: boolean) =>
      one(
        'AWS::ElasticLoadBalancingV2::LoadBalancer',
        `      Type: ${type}\n      Subnets: [subnet-0123456789abcdef0]\n${sg ? `      ${type === 'network' ? E : '# ok'}\n      SecurityGroups: [sg-0123456789abcdef0]\n` : ''}`,
      );
    expectDiffRule(ID, t('network', false), t('network', true), [
      { logicalId: 'R', severity: 'error', message: 'only be attached to a Network Load Balancer when it is created' },
    ]);
    expectDiffRule(ID, t('application', false), t('application', true), []);
  });

  it('not-supported: S3 Object Lock disabled, COMPLIANCE retention shortened', () => {
    const t = (enabled: boolean, days: number, e = false) =>
      one(
        'AWS::S3::Bucket',
        `${e ? `      ${E}\n` : ''}      ObjectLockEnabled: ${enabled}\n${e && days < 30 ? `      ${E}\n` : ''}      ObjectLockConfiguration: { ObjectLockEnabled: Enabled, Rule: { DefaultRetention: { Mode: COMPLIANCE, Days: ${days} } } }\n`,
      );
    const r = lintDiff(t(true, 30), t(false, 10, true));
    const f = r.findings.filter((x) => x.ruleId === ID);
    expect(f.map((x) => x.message)).toEqual([
      expect.stringContaining('Object Lock cannot be disabled'),
      expect.stringContaining('cannot be shortened'),
    ]);
    expectDiffRule(ID, t(true, 30), t(true, 60), []);
  });

  it('not-supported: Elastic Beanstalk load balancer type, SSM parameter tier, KMS key spec', () => {
    const eb = (lb: string, e = false) =>
      one(
        'AWS::ElasticBeanstalk::Environment',
        `      ApplicationName: app\n${e ? `      ${E}\n` : ''}      OptionSettings:\n        - { Namespace: 'aws:elasticbeanstalk:environment', OptionName: LoadBalancerType, Value: ${lb} }\n`,
      );
    expectDiffRule(ID, eb('classic'), eb('application', true), [
      { logicalId: 'R', severity: 'error', message: 'classic → application' },
    ]);
    const ssm = (tier: string, e = false) =>
      one('AWS::SSM::Parameter', `      Type: String\n      Value: x\n${e ? `      ${E}\n` : ''}      Tier: ${tier}\n`);
    expectDiffRule(ID, ssm('Advanced'), ssm('Standard', true), [
      { logicalId: 'R', severity: 'error', message: 'cannot be changed back to Standard' },
    ]);
    expectDiffRule(ID, ssm('Standard'), ssm('Advanced'), []);
    const key = (spec: string, e = false) =>
      one('AWS::KMS::Key', `      KeyPolicy: {}\n${e ? `      ${E}\n` : ''}      KeySpec: ${spec}\n`);
    expectDiffRule(ID, key('SYMMETRIC_DEFAULT'), key('RSA_2048', true), [
      { logicalId: 'R', severity: 'error', message: 'whatever the UpdateReplacePolicy' },
    ]);
  });

  it('not-supported: a type change of a stateless resource (a stateful one is left to the other rule)', () => {
    expectDiffRule(
      ID,
      'Resources:\n  T:\n    Type: AWS::SQS::Queue\n',
      'Resources:\n  T:\n    Type: AWS::SNS::Topic\n',
      [],
    );
    expectDiffRule(
      ID,
      'Resources:\n  T:\n    Type: AWS::SNS::Topic\n',
      `Resources:\n  T:\n    ${E}\n    Type: AWS::SQS::Queue\n`,
      [{ logicalId: 'T', severity: 'error', message: 'Update of resource type is not permitted' }],
    );
  });
});

describe('create-only-property-change: conditional, textual-only, unknown, in place', () => {
  it('conditional: an instance type change (replacement depends on the instance store)', () => {
    const t = (type: string, e = false) =>
      one(
        'AWS::EC2::Instance',
        `      ImageId: ami-0abcdef1234567890\n${e ? `      ${E}\n` : ''}      InstanceType: ${type}\n`,
      );
    expectDiffRule(ID, t('t3.micro'), t('t3.small', true), [
      {
        logicalId: 'R',
        severity: 'warning',
        message: ['may replace it (update behaviour: conditional)', 'change set'],
      },
    ]);
  });

  it('conditional (curated): ElastiCache TransitEncryptionEnabled', () => {
    const t = (v: boolean, e = false) =>
      one(
        'AWS::ElastiCache::ReplicationGroup',
        `      ReplicationGroupDescription: x\n      Engine: valkey\n${e ? `      ${E}\n` : ''}      TransitEncryptionEnabled: ${v}\n`,
      );
    expectDiffRule(ID, t(false), t(true, true), [
      { logicalId: 'R', severity: 'warning', message: 'TransitEncryptionMode migration' },
    ]);
  });

  it('textual-only: Absent versus the documented default', () => {
    const t = (scheme: string, e = false) =>
      one(
        'AWS::ElasticLoadBalancingV2::LoadBalancer',
        `      Subnets: [subnet-0123456789abcdef0]\n${scheme ? `${e ? `      ${E}\n` : ''}      Scheme: ${scheme}\n` : ''}`,
      );
    expectDiffRule(ID, t(''), t('internet-facing', true), [
      {
        logicalId: 'R',
        severity: 'warning',
        message: ['changes only in form', 'documented default (internet-facing)'],
      },
    ]);
  });

  it('textual-only: the same in-template target through Ref versus GetAtt Arn, and a key id versus its ARN', () => {
    const t = (ref: string, e = false) => `Resources:
  Key:
    Type: AWS::KMS::Key
    Properties: { KeyPolicy: {} }
  Files:
    Type: AWS::EFS::FileSystem
    Properties:
      Encrypted: true
${e ? `      ${E}\n` : ''}      KmsKeyId: ${ref}
`;
    expectDiffRule(ID, t('!Ref Key'), t('!GetAtt Key.Arn', true), [
      { logicalId: 'Files', severity: 'warning', message: ['Ref Key → GetAtt Key.Arn', 'name the same resource'] },
    ]);
    expectDiffRule(
      ID,
      t('1234abcd-12ab-34cd-56ef-1234567890ab'),
      t('arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab', true),
      [{ logicalId: 'Files', severity: 'warning', message: 'changes only in form' }],
    );
  });

  it('unknown: a value from a parameter known on one side only; never a finding', () => {
    const params = 'Parameters:\n  Cidr: { Type: String }\n';
    const base = one('AWS::EC2::VPC', '      CidrBlock: !Ref Cidr\n', 'Vpc', params);
    const { result } = expectDiffRule(ID, base, base, [], { baselineParameters: { Cidr: '10.0.0.0/16' } });
    expect(unknownsOf(result, ID)).toEqual([
      expect.objectContaining({ logicalId: 'Vpc', why: expect.stringContaining('parameter Cidr') }),
    ]);
  });

  it('parameters: a different baseline value is a change; the same text and values are not', () => {
    const params = "Parameters:\n  Cidr: { Type: String, Default: '10.0.0.0/16' }\n";
    const t = (e = false) =>
      one('AWS::EC2::VPC', `${e ? `      ${E}\n` : ''}      CidrBlock: !Ref Cidr\n`, 'Vpc', params);
    expectDiffRule(ID, t(), t(true), [{ logicalId: 'Vpc', severity: 'info', message: '10.1.0.0/16 → 10.0.0.0/16' }], {
      baselineParameters: { Cidr: '10.1.0.0/16' },
    });
    expectDiffRule(ID, t(), t(), []);
    // A literal replaced by a parameter with the same value: nothing changes.
    expectDiffRule(ID, one('AWS::EC2::VPC', '      CidrBlock: 10.0.0.0/16\n', 'Vpc'), t(), []);
  });

  it('in place: MultiAZ, backup retention and maintenance window of a DB instance (conditions decided)', () => {
    const t = (az: boolean, days: number, win: string) =>
      one(
        'AWS::RDS::DBInstance',
        `      Engine: postgres\n      DBInstanceClass: db.t4g.micro\n      StorageEncrypted: true\n      MultiAZ: ${az}\n      BackupRetentionPeriod: ${days}\n      PreferredMaintenanceWindow: ${win}\n`,
      );
    const r = lintDiff(t(false, 1, 'sun:03:00-sun:03:30'), t(true, 7, 'mon:03:00-mon:03:30'));
    expect(r.findings.filter((f) => f.ruleId === ID || f.ruleId === 'stateful-resource-replacement')).toEqual([]);
  });

  it('the same results with and without the cloudformation-diff cross-check', () => {
    const t = (cidr: string) =>
      one('AWS::EC2::Subnet', `      VpcId: vpc-0a1b2c3d4e5f67890\n      CidrBlock: ${cidr}\n`);
    const a = lintDiff(t('10.0.0.0/24'), t('10.0.1.0/24'), { cloudFormationDiff: true });
    const b = lintDiff(t('10.0.0.0/24'), t('10.0.1.0/24'), { cloudFormationDiff: false });
    expect(b.findings.map((f) => f.message)).toEqual(a.findings.map((f) => f.message));
    expect(a.findings.filter((f) => f.ruleId === ID)).toHaveLength(1);
  });
});
