import { describe, expect, it } from 'vitest';
import { expectRule, unknownsOf, type ExpectedFinding } from '../helpers/inline';

const ID = 'rds-replica-encryption-consistency';
const HEAD = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  SourceParam:
    Type: String
Resources:
  KeyA:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy: {}
  KeyB:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy: {}
  Plain:
    Type: AWS::RDS::DBInstance
    Properties:
      DBInstanceIdentifier: plain-primary
      Engine: mysql
  Encrypted:
    Type: AWS::RDS::DBInstance
    Properties:
      DBInstanceIdentifier: orders-primary
      Engine: mysql
      StorageEncrypted: true
      KmsKeyId: !Ref KeyA
`;
const REGION = { pseudoParameters: { region: 'eu-west-1' } };

interface Row {
  name: string;
  resources: string;
  expected: ExpectedFinding[];
  config?: Record<string, unknown>;
}

const rows: Row[] = [
  {
    name: 'encrypted-replica-of-unencrypted: StorageEncrypted: true on a replica of an unencrypted source',
    resources: `
  Replica:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: !Ref Plain
      # expect: ${ID}
      StorageEncrypted: 'true'
`,
    expected: [
      {
        logicalId: 'Replica',
        severity: 'error',
        message:
          "Read replica 'Replica' asks for encryption, but its source 'Plain' is not encrypted. RDS cannot create an encrypted replica from an unencrypted source, so this deployment will fail. Encrypt the source first (see rds-encryption-change), or remove StorageEncrypted/KmsKeyId from the replica.",
      },
    ],
  },
  {
    name: 'encrypted-replica-of-unencrypted: a KmsKeyId on a replica named by identifier',
    resources: `
  Replica:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: plain-primary
      # expect: ${ID}
      KmsKeyId: !Ref KeyB
`,
    expected: [{ logicalId: 'Replica', severity: 'error', message: "its source 'Plain' is not encrypted" }],
  },
  {
    name: 'encrypted-replica-of-unencrypted: an Aurora replica cluster of an unencrypted instance',
    resources: `
  ReplicaCluster:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-mysql
      ReplicationSourceIdentifier: !GetAtt Plain.DBInstanceArn
      # expect: ${ID}
      StorageEncrypted: true
`,
    expected: [{ logicalId: 'ReplicaCluster', severity: 'error' }],
  },
  {
    name: 'cross-region-missing-key: a cross-Region replica of an encrypted source without KmsKeyId',
    config: REGION,
    resources: `
  # expect: ${ID}
  DrReplica:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: arn:aws:rds:us-east-1:111122223333:db:orders-primary
      SourceRegion: us-east-1
`,
    expected: [{ logicalId: 'DrReplica', severity: 'error', message: 'must name a KMS key in the replica' }],
  },
  {
    name: 'key-wrong-region: a cross-Region replica whose key ARN is in the source Region',
    config: REGION,
    resources: `
  DrReplica:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: arn:aws:rds:us-east-1:111122223333:db:orders-primary
      # expect: ${ID}
      KmsKeyId: arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab
`,
    expected: [{ logicalId: 'DrReplica', severity: 'error', message: 'multi-Region key' }],
  },
  {
    name: 'pass: a cross-Region replica with a key in its own Region',
    config: REGION,
    resources: `
  DrReplica:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: arn:aws:rds:us-east-1:111122223333:db:orders-primary
      KmsKeyId: arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
`,
    expected: [],
  },
  {
    name: 'key-wrong-region: not for a same-Region replica, whose KmsKeyId RDS does not use',
    config: REGION,
    resources: `
  Replica:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: !Ref Encrypted
      KmsKeyId: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
`,
    expected: [],
  },
  {
    name: 'key-wrong-region: a global cluster member with a key ARN in another Region',
    config: REGION,
    resources: `
  Secondary:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-mysql
      GlobalClusterIdentifier: orders-global
      StorageEncrypted: true
      # expect: ${ID}
      KmsKeyId: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
`,
    expected: [{ logicalId: 'Secondary', severity: 'error', message: 'is created in eu-west-1' }],
  },
  {
    name: 'global-mismatch: member StorageEncrypted: false in an encrypted global cluster',
    resources: `
  Global:
    Type: AWS::RDS::GlobalCluster
    Properties:
      GlobalClusterIdentifier: orders-global
      Engine: aurora-mysql
      StorageEncrypted: true
  Secondary:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-mysql
      GlobalClusterIdentifier: orders-global
      # expect: ${ID}
      StorageEncrypted: false
`,
    expected: [
      { logicalId: 'Secondary', severity: 'error', message: "global cluster 'Global' has StorageEncrypted: true" },
    ],
  },
  {
    name: 'global-mismatch: the reverse (member true, global cluster false)',
    resources: `
  Global:
    Type: AWS::RDS::GlobalCluster
    Properties:
      Engine: aurora-mysql
      StorageEncrypted: 'false'
  Secondary:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-mysql
      GlobalClusterIdentifier: !Ref Global
      # expect: ${ID}
      StorageEncrypted: true
`,
    expected: [{ logicalId: 'Secondary', severity: 'error' }],
  },
  {
    name: 'replica-flag-ignored: StorageEncrypted: false on a replica of an encrypted source',
    resources: `
  Replica:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: !Ref Encrypted
      # expect: ${ID}
      StorageEncrypted: false
`,
    expected: [{ logicalId: 'Replica', severity: 'warning', message: 'the setting is ignored' }],
  },
  {
    name: 'replica-flag-ignored: even when the source is outside the template',
    resources: `
  Replica:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: some-other-db
      # expect: ${ID}
      StorageEncrypted: true
`,
    expected: [{ logicalId: 'Replica', severity: 'warning' }],
  },
  {
    name: 'same-region-key-ignored: a same-Region replica naming another key',
    resources: `
  Replica:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: !Ref Encrypted
      # expect: ${ID}
      KmsKeyId: !GetAtt KeyB.Arn
`,
    expected: [{ logicalId: 'Replica', severity: 'info', message: "always encrypted with the source's key" }],
  },
  {
    name: 'pass: a same-Region replica naming the source key another way (GetAtt Arn versus Ref)',
    resources: `
  Replica:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: !Ref Encrypted
      KmsKeyId: !GetAtt KeyA.Arn
  PlainReplica:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: !Ref Plain
`,
    expected: [],
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
      'a source given by a parameter without a default',
      `
  Replica:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: !Ref SourceParam
      KmsKeyId: !Ref KeyB
`,
      undefined,
    ],
    [
      'a source outside the template',
      `
  Replica:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: arn:aws:rds:eu-west-1:111122223333:db:elsewhere
      KmsKeyId: !Ref KeyB
`,
      REGION,
    ],
    [
      'a cross-Region source when the stack Region is not configured',
      `
  DrReplica:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: arn:aws:rds:us-east-1:111122223333:db:orders-primary
`,
      undefined,
    ],
  ])('unknown, never a finding: %s', (_name, resources, config) => {
    const { result } = expectRule(ID, HEAD + resources, [], config ? { config } : {});
    expect(unknownsOf(result, ID).length).toBeGreaterThan(0);
  });
});
