import { describe, expect, it } from 'vitest';
import { expectDiffRule, lintDiff, unknownsOf } from '../helpers/diff';

const ID = 'stateful-resource-replacement';

/** A DynamoDB table template; `extra` is inserted below Type (policies), `key` is the partition key. */
function table(opts: { id?: string; key?: string; extra?: string; name?: string; expectKey?: boolean } = {}): string {
  return `Resources:
  ${opts.id ?? 'Orders'}:
    Type: AWS::DynamoDB::Table
${opts.extra ?? ''}    Properties:
${opts.name ? `      TableName: ${opts.name}\n` : ''}      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: ${opts.key ?? 'pk'}
          AttributeType: S
${opts.expectKey ? `      # expect: ${ID}\n` : ''}      KeySchema:
        - AttributeName: ${opts.key ?? 'pk'}
          KeyType: HASH
`;
}

describe('stateful-resource-replacement: replacement by a property change', () => {
  it('replaced-data-deleted: UpdateReplacePolicy not set', () => {
    expectDiffRule(ID, table(), table({ key: 'id', expectKey: true }), [
      {
        logicalId: 'Orders',
        severity: 'error',
        message: [
          "AWS::DynamoDB::Table 'Orders' will be REPLACED by this update because KeySchema changed",
          'deletes the old one and its data (UpdateReplacePolicy is not set)',
          'export it to S3 or back it up first',
          'set UpdateReplacePolicy: Retain in a separate deployment beforehand',
        ],
      },
    ]);
  });

  it('replaced-data-deleted: explicit UpdateReplacePolicy Delete', () => {
    const extra = '    UpdateReplacePolicy: Delete\n';
    expectDiffRule(ID, table({ extra }), table({ extra, key: 'id', expectKey: true }), [
      { logicalId: 'Orders', severity: 'error', message: '(UpdateReplacePolicy is Delete)' },
    ]);
  });

  const db = (port: string, policy: string, expect = false) => `Resources:
  Db:
    Type: AWS::RDS::DBInstance
${policy}    Properties:
      Engine: postgres
      DBInstanceClass: db.t4g.micro
      StorageEncrypted: true
${expect ? `      # expect: ${ID}\n` : ''}      Port: ${port}
`;

  it('replaced-data-snapshotted: UpdateReplacePolicy Snapshot', () => {
    const p = '    UpdateReplacePolicy: Snapshot\n';
    expectDiffRule(ID, db('5432', p), db("'6432'", p, true), [
      {
        logicalId: 'Db',
        severity: 'error',
        message: ['after a final snapshot (UpdateReplacePolicy: Snapshot)', 'survives only in that snapshot'],
      },
    ]);
  });

  it('replaced-data-orphaned: UpdateReplacePolicy Retain', () => {
    const p = '    UpdateReplacePolicy: Retain\n';
    expectDiffRule(ID, db('5432', p), db('6432', p, true), [
      {
        logicalId: 'Db',
        severity: 'error',
        message: ['without deleting it (UpdateReplacePolicy: Retain)', 'keeps running and billing outside the stack'],
      },
    ]);
  });

  it('the policy changing in the same update is called out', () => {
    expectDiffRule(ID, db('5432', ''), db('6432', '    UpdateReplacePolicy: Snapshot\n', true), [
      {
        logicalId: 'Db',
        severity: 'error',
        message: 'UpdateReplacePolicy changes in this same update (Delete → Snapshot)',
      },
    ]);
  });

  it('replaced-from-snapshot: an EBS volume that moves AZ is recreated from its SnapshotId', () => {
    const vol = (az: string, e = false) => `Resources:
  Data:
    Type: AWS::EC2::Volume
    UpdateReplacePolicy: Snapshot
    Properties:
      SnapshotId: snap-0123456789abcdef0
${e ? `      # expect: ${ID}\n` : ''}      AvailabilityZone: ${az}
`;
    expectDiffRule(ID, vol('eu-west-1a'), vol('eu-west-1b', true), [
      {
        logicalId: 'Data',
        severity: 'warning',
        message: ['restored from SnapshotId snap-0123456789abcdef0', 'every write made after it is lost'],
      },
    ]);
  });

  it('replaced-from-snapshot: ElastiCache restored with SnapshotName', () => {
    const rg = (port: number, e = false) => `Resources:
  Cache:
    Type: AWS::ElastiCache::ReplicationGroup
    UpdateReplacePolicy: Snapshot
    Properties:
      ReplicationGroupDescription: sessions
      Engine: valkey
      CacheNodeType: cache.t4g.small
      SnapshotName: sessions-nightly
${e ? `      # expect: ${ID}\n` : ''}      Port: ${port}
`;
    expectDiffRule(ID, rg(6379), rg(6380, true), [
      { logicalId: 'Cache', severity: 'warning', message: 'restored from SnapshotName sessions-nightly' },
    ]);
  });

  it('replica-replaced: a read replica is recreated (warning)', () => {
    const t = (port: number, e = false) => `Resources:
  Primary:
    Type: AWS::RDS::DBInstance
    Properties: { Engine: mysql, DBInstanceClass: db.r7g.large, StorageEncrypted: true }
  Replica:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: !Ref Primary
      DBInstanceClass: db.r7g.large
${e ? `      # expect: ${ID}\n` : ''}      Port: ${port}
`;
    expectDiffRule(ID, t(3306), t(3307, true), [
      { logicalId: 'Replica', severity: 'warning', message: ['re-syncs from its source', 'Ref Primary'] },
    ]);
  });

  it('name-blocks: replacement with an unchanged explicit name fails the update', () => {
    expectDiffRule(ID, table({ name: 'orders' }), table({ name: 'orders', key: 'id', expectKey: true }), [
      {
        logicalId: 'Orders',
        severity: 'error',
        message: ['must be REPLACED', 'its TableName (orders) stays the same', 'the update fails and rolls back'],
      },
    ]);
  });

  it('a replacement that also renames the resource is not blocked by the name', () => {
    const next = table({ name: 'orders-v2', key: 'id', expectKey: true });
    const { findings } = expectDiffRule(ID, table({ name: 'orders' }), next, [
      { logicalId: 'Orders', severity: 'error', message: 'TableName (orders → orders-v2)' },
    ]);
    expect(findings[0]!.message).toContain('KeySchema');
  });

  it('a stateful resource replaced through the cascade names the replaced target', () => {
    const t = (name: string, e = false) => `Resources:
  Subnets:
    Type: AWS::RDS::DBSubnetGroup
    Properties:
      DBSubnetGroupName: ${name}
      DBSubnetGroupDescription: db
      SubnetIds: [subnet-0123456789abcdef0, subnet-0fedcba9876543210]
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t4g.micro
      StorageEncrypted: true
${e ? `      # expect: ${ID}\n` : ''}      DBSubnetGroupName: !Ref Subnets
`;
    expectDiffRule(ID, t('db-a'), t('db-b', true), [
      {
        logicalId: 'Db',
        severity: 'error',
        message: "DBSubnetGroupName refers to 'Subnets', which this update replaces",
      },
    ]);
  });

  it('string booleans: Encrypted "false" to true replaces an EFS file system; "true" to true does not', () => {
    const efs = (v: string, e = false) => `Resources:
  Files:
    Type: AWS::EFS::FileSystem
    Properties:
${e ? `      # expect: ${ID}\n` : ''}      Encrypted: ${v}
`;
    expectDiffRule(ID, efs("'false'"), efs('true', true), [
      { logicalId: 'Files', severity: 'error', message: 'Encrypted (false → true)' },
    ]);
    expectDiffRule(ID, efs("'true'"), efs('true'), []);
  });
});

describe('stateful-resource-replacement: deferrals and data-free resources', () => {
  it('RDS StorageEncrypted changes are left to rds-encryption-change', () => {
    const t = (v: boolean) => `Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties: { Engine: postgres, DBInstanceClass: db.t4g.micro, StorageEncrypted: ${v} }
`;
    const r = lintDiff(t(false), t(true));
    expect(r.findings.filter((f) => f.ruleId === ID)).toEqual([]);
    expect(r.findings.filter((f) => f.ruleId === 'rds-encryption-change')).toHaveLength(1);
  });

  it('RDS snapshot identifier changes are left to rds-snapshot-identifier-change', () => {
    const t = (s: string) => `Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties: { DBSnapshotIdentifier: ${s}, DBInstanceClass: db.t4g.micro }
`;
    const r = lintDiff(t('snap-a'), t('snap-b'));
    expect(r.findings.filter((f) => f.ruleId === ID)).toEqual([]);
    expect(r.findings.filter((f) => f.ruleId === 'rds-snapshot-identifier-change')).toHaveLength(1);
  });

  it('Aurora member instances hold no data of their own', () => {
    const t = (cls: string, port: number) => `Resources:
  Cluster:
    Type: AWS::RDS::DBCluster
    Properties: { Engine: aurora-mysql, StorageEncrypted: true }
  Member:
    Type: AWS::RDS::DBInstance
    Properties: { Engine: aurora-mysql, DBClusterIdentifier: !Ref Cluster, DBInstanceClass: ${cls}, Port: ${port} }
`;
    expectDiffRule(ID, t('db.r7g.large', 3306), t('db.r7g.large', 3307), []);
  });

  it('memcached holds no durable data; an unknown engine is an unknown outcome', () => {
    const t = (engine: string, port: number) => `Parameters:
  Engine: { Type: String }
Resources:
  Cache:
    Type: AWS::ElastiCache::CacheCluster
    Properties: { Engine: ${engine}, CacheNodeType: cache.t4g.micro, NumCacheNodes: 1, Port: ${port} }
`;
    expectDiffRule(ID, t('memcached', 11211), t('memcached', 11212), []);
    const { result } = expectDiffRule(ID, t('!Ref Engine', 11211), t('!Ref Engine', 11212), []);
    expect(unknownsOf(result, ID).map((u) => u.why)).toEqual([expect.stringContaining('cache engine')]);
  });

  it('unknown: an UpdateReplacePolicy from a parameter without a value', () => {
    const extra = '    UpdateReplacePolicy: !Ref Policy\n';
    const params = 'Parameters:\n  Policy: { Type: String }\n';
    const { result } = expectDiffRule(ID, params + table({ extra }), params + table({ extra, key: 'id' }), []);
    expect(unknownsOf(result, ID).map((u) => u.why)).toEqual([expect.stringContaining('UpdateReplacePolicy')]);
  });

  it('unknown: a replacement property from a parameter that has no value on the new side', () => {
    const base = `Resources:
  Files:
    Type: AWS::EFS::FileSystem
    Properties: { PerformanceMode: generalPurpose }
`;
    const next = `Parameters:
  Mode: { Type: String }
Resources:
  Files:
    Type: AWS::EFS::FileSystem
    Properties: { PerformanceMode: !Ref Mode }
`;
    const { result } = expectDiffRule(ID, base, next, []);
    expect(unknownsOf(result, ID)).toEqual([
      expect.objectContaining({ logicalId: 'Files', why: expect.stringContaining('parameter Mode') }),
    ]);
  });

  it('in-place changes stay silent (MultiAZ false to true, class, storage, tags)', () => {
    const t = (multiAz: boolean, cls: string, storage: number) => `Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: ${cls}
      AllocatedStorage: '${storage}'
      StorageEncrypted: true
      MultiAZ: ${multiAz}
      Tags: [{ Key: team, Value: ${multiAz ? 'a' : 'b'} }]
`;
    const r = lintDiff(t(false, 'db.t4g.micro', 20), t(true, 'db.m7g.large', 100));
    expect(r.findings.filter((f) => f.ruleId === ID || f.ruleId === 'create-only-property-change')).toEqual([]);
  });
});

describe('stateful-resource-replacement: type change, rename, removal, promotion', () => {
  it('type change: CloudFormation rejects it', () => {
    const next = `Resources:
  Jobs:
    # expect: ${ID}
    Type: AWS::SNS::Topic
`;
    expectDiffRule(ID, 'Resources:\n  Jobs:\n    Type: AWS::SQS::Queue\n', next, [
      {
        logicalId: 'Jobs',
        severity: 'error',
        message: ['changes type from AWS::SQS::Queue to AWS::SNS::Topic', 'Update of resource type is not permitted'],
      },
    ]);
  });

  it('rename by at least 80% equal properties: both CDK paths, fate by the baseline DeletionPolicy', () => {
    const bucket = (id: string, path: string, extra = '') => `Resources:
${extra}  ${id}:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
    Metadata: { 'aws:cdk:path': ${path} }
    Properties:
      VersioningConfiguration: { Status: Enabled }
      ObjectLockEnabled: false
      OwnershipControls: { Rules: [{ ObjectOwnership: BucketOwnerEnforced }] }
      Tags: [{ Key: a, Value: b }]
      AccelerateConfiguration: { AccelerationStatus: Suspended }
`;
    expectDiffRule(
      ID,
      bucket('DataBucketE3889A50', 'App/DataBucket/Resource'),
      bucket('StorageDataBucket0A9B2C31', 'App/Storage/DataBucket/Resource', `  # expect: ${ID}\n`),
      [
        {
          logicalId: 'StorageDataBucket0A9B2C31',
          severity: 'error',
          message: [
            "replaces the deployed 'DataBucketE3889A50' (100% of its top-level properties are equal)",
            "moved from 'App/DataBucket/Resource' to 'App/Storage/DataBucket/Resource'",
            'without deleting it (DeletionPolicy: Retain)',
            "overrideLogicalId('DataBucketE3889A50')",
          ],
        },
      ],
    );
  });

  it("an S3 bucket's fate: a retained bucket is not said to fail deletion; a deleted one is not said to lose its data", () => {
    const bucket = (id: string, policy: string) => `Resources:
  ${id}:
    Type: AWS::S3::Bucket
${policy}    Properties:
      VersioningConfiguration: { Status: Enabled }
      Tags: [{ Key: a, Value: b }]
`;
    const message = (policy: string) =>
      lintDiff(bucket('AssetsA1', policy), bucket('StorageAssetsB2', policy)).findings.find((f) => f.ruleId === ID)!
        .message;
    const retained = message('    DeletionPolicy: Retain\n');
    expect(retained).toContain('without deleting it (DeletionPolicy: Retain)');
    expect(retained).toContain('Copy the objects with S3 Batch Operations or DataSync');
    expect(retained).not.toMatch(/deletion fails|cannot delete/);
    const deleted = message('');
    expect(deleted).toContain("then tries to delete 'AssetsA1' (DeletionPolicy is not set)");
    expect(deleted).toContain('a bucket that still holds objects cannot be deleted');
    expect(deleted).not.toContain('and its data');
  });

  it('rename threshold: 4 of 5 equal properties is a rename, 3 of 5 is a removal and an addition', () => {
    const q = (id: string, a: number, b: number, e = '') => `Resources:
${e}  ${id}:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: ${a}
      MessageRetentionPeriod: ${b}
      DelaySeconds: 0
      MaximumMessageSize: 262144
      ReceiveMessageWaitTimeSeconds: 20
`;
    expectDiffRule(ID, q('Old', 30, 345600), q('New', 60, 345600, `  # expect: ${ID}\n`), [
      { logicalId: 'New', severity: 'error', message: "'New' replaces the deployed 'Old' (80% of" },
    ]);
    const base = q('Old', 30, 345600).replace('Resources:\n', `Resources:\n  # expect: ${ID}\n`);
    expectDiffRule(ID, base, q('New', 60, 86400), [
      { logicalId: 'Old', severity: 'error', message: 'is deleted with its data because it is removed' },
    ]);
  });

  it('rename with the same explicit name: creating the new resource fails (name-blocks)', () => {
    const t = (id: string, e = '') =>
      `Resources:\n${e}  ${id}:\n    Type: AWS::S3::Bucket\n    Properties: { BucketName: acme-logs }\n`;
    expectDiffRule(ID, t('Logs'), t('AccessLogs', `  # expect: ${ID}\n`), [
      {
        logicalId: 'AccessLogs',
        severity: 'error',
        message: ['same BucketName', 'BucketName acme-logs is still taken, so the update fails'],
      },
    ]);
  });

  it('different explicit names are different resources, whatever the other properties', () => {
    const t = (id: string, name: string, e = '') =>
      `Resources:\n${e}  ${id}:\n    Type: AWS::S3::Bucket\n    Properties: { BucketName: ${name} }\n`;
    expectDiffRule(ID, t('Logs', 'acme-logs', `  # expect: ${ID}\n`), t('Audit', 'acme-audit'), [
      { logicalId: 'Logs', severity: 'error', message: 'removed from the template' },
    ]);
  });

  it('removed-deleted, removed-snapshotted (RDS default), removed-retained', () => {
    const base = `Resources:
  # expect: ${ID}
  Sessions:
    Type: AWS::DynamoDB::Table
    Properties: { KeySchema: [{ AttributeName: pk, KeyType: HASH }] }
  # expect: ${ID}
  Db:
    Type: AWS::RDS::DBInstance
    Properties: { Engine: mysql, DBInstanceClass: db.t4g.micro }
  Archive:
    Type: AWS::S3::Bucket
    # expect: ${ID}
    DeletionPolicy: RetainExceptOnCreate
  Stays:
    Type: AWS::SNS::Topic
`;
    expectDiffRule(ID, base, 'Resources:\n  Stays:\n    Type: AWS::SNS::Topic\n', [
      { logicalId: 'Sessions', severity: 'error', message: 'DeletionPolicy not set, so Delete' },
      { logicalId: 'Db', severity: 'warning', message: 'final snapshot first (DeletionPolicy not set, so Snapshot)' },
      { logicalId: 'Archive', severity: 'info', message: 'DeletionPolicy: RetainExceptOnCreate' },
    ]);
  });

  it('removal through a Condition that is false in the new template', () => {
    const t = (create: string) => `Parameters:
  Create: { Type: String, Default: '${create}' }
Conditions:
  CreateQueue: !Equals [!Ref Create, 'yes']
Resources:
  # expect: ${create === 'yes' ? ID : 'none'}
  Queue:
    Type: AWS::SQS::Queue
    Condition: CreateQueue
`;
    expectDiffRule(ID, t('yes'), t('no').replace(`# expect: none`, '# no'), [
      { logicalId: 'Queue', severity: 'error', message: 'its Condition CreateQueue is false in the new template' },
    ]);
  });

  it('a resource whose Condition is unknown in the new template is an unknown outcome', () => {
    const base = 'Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n';
    const next = `Parameters:
  Create: { Type: String }
Conditions:
  CreateQueue: !Equals [!Ref Create, 'yes']
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Condition: CreateQueue
`;
    const { result } = expectDiffRule(ID, base, next, []);
    expect(unknownsOf(result, ID)).toEqual([expect.objectContaining({ why: expect.stringContaining('CreateQueue') })]);
  });

  it('removing a read replica or an Aurora member loses no data', () => {
    const base = `Resources:
  Primary:
    Type: AWS::RDS::DBInstance
    Properties: { Engine: mysql, DBInstanceClass: db.t4g.micro }
  Replica:
    Type: AWS::RDS::DBInstance
    Properties: { SourceDBInstanceIdentifier: !Ref Primary, DBInstanceClass: db.t4g.micro }
  Cluster:
    Type: AWS::RDS::DBCluster
    Properties: { Engine: aurora-mysql }
  Member:
    Type: AWS::RDS::DBInstance
    Properties: { Engine: aurora-mysql, DBClusterIdentifier: !Ref Cluster, DBInstanceClass: db.r7g.large }
`;
    const next = base.replace(/ {2}Replica:\n.*\n.*\n/, '').replace(/ {2}Member:\n.*\n.*\n/, '');
    expectDiffRule(ID, base, next, []);
  });

  it('key-scheduled-for-deletion: a KMS key removed while a bucket uses it', () => {
    const base = `Resources:
  # expect: ${ID}
  Key:
    Type: AWS::KMS::Key
    Properties: { PendingWindowInDays: 10, KeyPolicy: {} }
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: { SSEAlgorithm: aws:kms, KMSMasterKeyID: !GetAtt Key.Arn }
`;
    const next = 'Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n';
    expectDiffRule(ID, base, next, [
      {
        logicalId: 'Key',
        severity: 'error',
        message: ['schedules it for deletion (after 10 days)', "'Bucket' refers to it", 'unrecoverable'],
      },
    ]);
  });

  it('key-scheduled-for-deletion: a KMS key moved to a new logical id', () => {
    const t = (id: string, e = '') => `Resources:
${e}  ${id}:
    Type: AWS::KMS::Key
    Properties: { EnableKeyRotation: true, KeyPolicy: {} }
  Queue:
    Type: AWS::SQS::Queue
    Properties: { KmsMasterKeyId: !Ref ${id} }
`;
    expectDiffRule(ID, t('OldKey'), t('NewKey', `  # expect: ${ID}\n`), [
      {
        logicalId: 'NewKey',
        severity: 'error',
        message: ["'Queue' refers to it", 'after 30 days'],
      },
    ]);
  });

  it('a removed KMS key that nothing refers to is removed-deleted', () => {
    const base = `Resources:\n  # expect: ${ID}\n  Key:\n    Type: AWS::KMS::Key\n    Properties: { KeyPolicy: {} }\n  T:\n    Type: AWS::SNS::Topic\n`;
    expectDiffRule(ID, base, 'Resources:\n  T:\n    Type: AWS::SNS::Topic\n', [
      { logicalId: 'Key', severity: 'error', message: "KMS key 'Key' is deleted with its data" },
    ]);
  });

  it('replica promotion: removing SourceDBInstanceIdentifier (info)', () => {
    const t = (replica: boolean) => `Resources:
  Primary:
    Type: AWS::RDS::DBInstance
    Properties: { Engine: mysql, DBInstanceClass: db.t4g.micro, StorageEncrypted: true }
  Reporting:
    Type: AWS::RDS::DBInstance
${replica ? '' : `    # expect: ${ID}\n`}    Properties:
${replica ? '      SourceDBInstanceIdentifier: !Ref Primary\n' : ''}      DBInstanceClass: db.t4g.micro
`;
    expectDiffRule(ID, t(true), t(false), [
      { logicalId: 'Reporting', severity: 'info', message: ['promotes it to a standalone database', 'not replaced'] },
    ]);
  });

  it('two identical templates: nothing', () => {
    expectDiffRule(ID, table(), table(), []);
  });
});
