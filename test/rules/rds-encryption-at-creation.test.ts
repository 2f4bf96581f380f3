import { describe, expect, it } from 'vitest';
import { expectRule, unknownsOf, type ExpectedFinding } from '../helpers/inline';

const ID = 'rds-encryption-at-creation';
const HEAD = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Encrypt:
    Type: String
  EncryptDefaultFalse:
    Type: String
    Default: 'false'
  Env:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
`;

interface Row {
  name: string;
  resources: string;
  expected: ExpectedFinding[];
  config?: Record<string, unknown>;
}

const rows: Row[] = [
  {
    name: 'unencrypted-default: an instance with neither StorageEncrypted nor KmsKeyId',
    resources: `
  # expect: ${ID}
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.m6g.large
`,
    expected: [
      {
        logicalId: 'Db',
        severity: 'error',
        message:
          "RDS DB instance 'Db' will be created without storage encryption (StorageEncrypted is not set; RDS defaults to unencrypted). Encryption can only be chosen at creation, and turning it on later replaces the database. Set StorageEncrypted: true before the first deployment, with KmsKeyId pointing to a customer managed key if snapshots must be shared across accounts or key access must be controlled. This also encrypts backups, snapshots and read replicas.",
      },
    ],
  },
  {
    name: 'unencrypted-default: a cluster',
    resources: `
  # expect: ${ID}
  Cluster:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-mysql
`,
    expected: [{ logicalId: 'Cluster', severity: 'error', message: "RDS DB cluster 'Cluster' will be created" }],
  },
  {
    name: 'unencrypted-explicit: StorageEncrypted: false',
    resources: `
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      # expect: ${ID}
      StorageEncrypted: false
`,
    expected: [{ logicalId: 'Db', severity: 'error', message: '(StorageEncrypted: false)' }],
  },
  {
    name: "unencrypted-explicit: the string 'false'",
    resources: `
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      # expect: ${ID}
      StorageEncrypted: 'false'
`,
    expected: [{ logicalId: 'Db', severity: 'error' }],
  },
  {
    name: "unencrypted-explicit: a parameter whose Default is 'false'",
    resources: `
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      # expect: ${ID}
      StorageEncrypted: !Ref EncryptDefaultFalse
`,
    expected: [{ logicalId: 'Db', severity: 'error' }],
  },
  {
    name: 'key-contradiction: StorageEncrypted: false with KmsKeyId',
    resources: `
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      # expect: ${ID}
      StorageEncrypted: false
      KmsKeyId: alias/orders
`,
    expected: [{ logicalId: 'Db', severity: 'error', message: 'StorageEncrypted: false together with KmsKeyId' }],
  },
  {
    name: 'key-without-flag: KmsKeyId without StorageEncrypted',
    resources: `
  Cluster:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-postgresql
      # expect: ${ID}
      KmsKeyId: arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
`,
    expected: [{ logicalId: 'Cluster', severity: 'warning', message: 'sets KmsKeyId but not StorageEncrypted' }],
  },
  {
    name: 'aws-managed-key: encrypted without KmsKeyId',
    resources: `
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      # expect: ${ID}
      StorageEncrypted: true
`,
    expected: [{ logicalId: 'Db', severity: 'info', message: 'AWS managed key aws/rds (KmsKeyId is not set)' }],
  },
  {
    name: 'aws-managed-key: KmsKeyId alias/aws/rds',
    resources: `
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      StorageEncrypted: 'true'
      # expect: ${ID}
      KmsKeyId: alias/aws/rds
`,
    expected: [{ logicalId: 'Db', severity: 'info', message: 'KmsKeyId is alias/aws/rds' }],
  },
  {
    name: "pass: encrypted with a customer managed key (string 'true')",
    resources: `
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy: {}
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      StorageEncrypted: 'true'
      KmsKeyId: !Ref Key
`,
    expected: [],
  },
  {
    name: 'pass: both condition branches encrypted',
    resources: `
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      StorageEncrypted: !If [IsProd, true, 'true']
      KmsKeyId: alias/orders
`,
    expected: [],
  },
  {
    name: 'every branch unencrypted is still reported',
    resources: `
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      # expect: ${ID}
      StorageEncrypted: !If [IsProd, false, 'false']
`,
    expected: [{ logicalId: 'Db', severity: 'error' }],
  },
  {
    name: 'Aurora members are never judged on their own',
    resources: `
  Cluster:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-mysql
      StorageEncrypted: true
      KmsKeyId: alias/orders
  Member:
    Type: AWS::RDS::DBInstance
    Properties:
      DBClusterIdentifier: !Ref Cluster
      Engine: aurora-mysql
      StorageEncrypted: false
  MemberOfOtherStack:
    Type: AWS::RDS::DBInstance
    Properties:
      DBClusterIdentifier: shared-cluster
      Engine: aurora-mysql
`,
    expected: [],
  },
  {
    name: 'read replicas are left to the replica rule; RDS Custom is always encrypted',
    resources: `
  Primary:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: mysql
      StorageEncrypted: true
      KmsKeyId: alias/orders
  Replica:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: !Ref Primary
  Custom:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: custom-oracle-ee
      KmsKeyId: alias/custom
      StorageEncrypted: true
`,
    expected: [],
  },
  {
    name: 'restore from a snapshot that config declares unencrypted',
    config: { facts: { snapshots: { 'orders-2024-01-01': { encrypted: false } } } },
    resources: `
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      # expect: ${ID}
      DBSnapshotIdentifier: orders-2024-01-01
`,
    expected: [
      {
        logicalId: 'Db',
        severity: 'error',
        message: 'restored from snapshot orders-2024-01-01, which is not encrypted',
      },
    ],
  },
  {
    name: 'restore from a snapshot that config declares encrypted (matched by name in the ARN)',
    config: { facts: { snapshots: { 'orders-2024-01-01': { encrypted: true } } } },
    resources: `
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBSnapshotIdentifier: arn:aws:rds:eu-west-1:111122223333:snapshot:orders-2024-01-01
`,
    expected: [],
  },
  {
    name: 'cluster clone of an unencrypted in-template cluster with KmsKeyId is rejected',
    resources: `
  # expect: ${ID}
  Source:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-mysql
  Clone:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-mysql
      SourceDBClusterIdentifier: !Ref Source
      RestoreType: copy-on-write
      UseLatestRestorableTime: true
      # expect: ${ID}
      KmsKeyId: alias/orders
`,
    expected: [
      { logicalId: 'Source', severity: 'error' },
      { logicalId: 'Clone', severity: 'error', message: 'RDS rejects a KmsKeyId' },
    ],
  },
  {
    name: 'Aurora Serverless v1 is always encrypted: only the AWS managed key note',
    resources: `
  V1:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-mysql
      # expect: ${ID}
      EngineMode: serverless
`,
    expected: [{ logicalId: 'V1', severity: 'info', message: 'Aurora Serverless v1, always encrypted' }],
  },
  {
    name: 'a global secondary of an unencrypted global cluster',
    resources: `
  Global:
    Type: AWS::RDS::GlobalCluster
    Properties:
      Engine: aurora-mysql
      StorageEncrypted: false
  Secondary:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-mysql
      # expect: ${ID}
      GlobalClusterIdentifier: !Ref Global
`,
    expected: [
      { logicalId: 'Secondary', severity: 'error', message: "joins global cluster 'Global', which is not encrypted" },
    ],
  },
];

describe(ID, () => {
  for (const row of rows) {
    it(row.name, () => {
      expectRule(ID, HEAD + row.resources, row.expected, row.config ? { config: row.config } : {});
    });
  }

  it.each([
    [
      'a restore from a snapshot config does not declare',
      `
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBSnapshotIdentifier: undeclared-snapshot
`,
    ],
    [
      'an instance restore of an unencrypted snapshot with StorageEncrypted + KmsKeyId (not backed by the RDS API)',
      `
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBSnapshotIdentifier: declared-unencrypted
      StorageEncrypted: true
      KmsKeyId: alias/orders
`,
    ],
    [
      'a parameter without a default',
      `
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      StorageEncrypted: !Ref Encrypt
`,
    ],
    [
      'an unknown condition whose branches differ',
      `
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      StorageEncrypted: !If [IsProd, true, false]
`,
    ],
    [
      'a resource whose Condition is unknown',
      `
  Db:
    Type: AWS::RDS::DBInstance
    Condition: IsProd
    Properties:
      Engine: postgres
`,
    ],
    [
      'a snapshot identifier chosen by a condition',
      `
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBSnapshotIdentifier: !If [IsProd, snap-1, !Ref AWS::NoValue]
`,
    ],
  ])('unknown, never a finding: %s', (_name, resources) => {
    const { result } = expectRule(ID, HEAD + resources, [], {
      config: { facts: { snapshots: { 'declared-unencrypted': { encrypted: false } } } },
    });
    expect(unknownsOf(result, ID).length).toBeGreaterThan(0);
  });
});
