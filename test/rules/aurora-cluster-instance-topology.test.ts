import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS, envTags, expectRule, unknownsOf, type ExpectedFinding } from '../helpers/inline';

const ID = 'aurora-cluster-instance-topology';
const HEAD = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Toggle:
    Type: String
Conditions:
  WithReader: !Equals [!Ref Toggle, 'yes']
Resources:
`;

const cluster = (props = '', env?: 'prod' | 'dev', comment = '') => `${comment}
  Cluster:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-postgresql
      StorageEncrypted: true
${props}${envTags(env)}`;

const member = (name: string, props = '', head = '') => `${head}
  ${name}:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: aurora-postgresql
      DBClusterIdentifier: !Ref Cluster
${props}`;

const expectAt = `\n  # expect: ${ID}`;

interface Row {
  name: string;
  resources: string;
  expected: ExpectedFinding[];
  config?: Record<string, unknown>;
}

const rows: Row[] = [
  {
    name: 'single-instance: error in prod',
    config: ENVIRONMENTS,
    resources: cluster('', 'prod', expectAt) + member('Writer', '      DBInstanceClass: db.r6g.large\n'),
    expected: [
      {
        logicalId: 'Cluster',
        severity: 'error',
        message:
          "Aurora cluster 'Cluster' has only one DB instance. Aurora storage is replicated across three AZs, but compute is not: if this instance or its AZ fails, Aurora has to create a new instance before the database is usable again. Add at least one reader in a different AZ (same instance class as the writer, PromotionTier 0 or 1) so that failover can promote it in about 30 seconds.",
      },
    ],
  },
  {
    name: 'single-instance: warning when unclassified, including a Serverless v2 writer',
    resources: cluster('', undefined, expectAt) + member('Writer', '      DBInstanceClass: db.serverless\n'),
    expected: [{ logicalId: 'Cluster', severity: 'warning' }],
  },
  {
    name: 'pass: one instance plus a reader auto scaling floor of 1',
    resources:
      cluster() +
      member('Writer', '      DBInstanceClass: db.r6g.large\n') +
      `
  ReaderScaling:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: rds
      ScalableDimension: rds:cluster:ReadReplicaCount
      ResourceId: !Join [':', [cluster, !Ref Cluster]]
      MinCapacity: 1
      MaxCapacity: 4
`,
    expected: [],
  },
  {
    name: 'no-instances: a cluster without compute',
    resources: cluster('', undefined, expectAt),
    expected: [{ logicalId: 'Cluster', severity: 'warning', message: 'has no DB instances in this template' }],
  },
  {
    name: 'headless-secondary: no instances, member of a global database',
    resources: cluster(`      # expect: ${ID}\n      GlobalClusterIdentifier: orders-global\n`),
    expected: [{ logicalId: 'Cluster', severity: 'info', message: 'headless secondary' }],
  },
  {
    name: 'single-az-compute: two members pinned to the same literal AZ (prod)',
    config: ENVIRONMENTS,
    resources:
      cluster('', 'prod', expectAt) +
      member('Writer', '      DBInstanceClass: db.r6g.large\n      AvailabilityZone: eu-west-1a\n') +
      member('Reader', '      DBInstanceClass: db.r6g.large\n      AvailabilityZone: eu-west-1a\n'),
    expected: [{ logicalId: 'Cluster', severity: 'error', message: 'same Availability Zone (eu-west-1a)' }],
  },
  {
    name: 'single-az-compute: the same symbolic AZ (Fn::Select 0 of Fn::GetAZs)',
    resources:
      cluster('', undefined, expectAt) +
      member('Writer', "      AvailabilityZone: !Select [0, !GetAZs '']\n") +
      member('Reader', "      AvailabilityZone: !Select [0, !GetAZs '']\n"),
    expected: [{ logicalId: 'Cluster', severity: 'warning', message: 'az[0]' }],
  },
  {
    name: 'pass: members in different AZs, or without AvailabilityZone',
    resources:
      cluster() +
      member('Writer', "      AvailabilityZone: !Select [0, !GetAZs '']\n") +
      member('Reader', "      AvailabilityZone: !Select [1, !GetAZs '']\n") +
      member('Reader2'),
    expected: [],
  },
  {
    name: 'too-many-replicas: 17 instances',
    resources:
      cluster('', undefined, expectAt) +
      Array.from({ length: 17 }, (_, i) => member(`Member${i}`, '      DBInstanceClass: db.r6g.large\n')).join(''),
    expected: [{ logicalId: 'Cluster', severity: 'error', message: '17 DB instances, that is 16 Aurora Replicas' }],
  },
  {
    name: 'too-many-replicas: reader auto scaling MaxCapacity above 15',
    resources:
      cluster() +
      member('Writer') +
      member('Reader') +
      `
  ReaderScaling:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: rds
      ScalableDimension: rds:cluster:ReadReplicaCount
      ResourceId: !Sub cluster:\${Cluster}
      MinCapacity: 1
      # expect: ${ID}
      MaxCapacity: '20'
`,
    expected: [{ logicalId: 'ReaderScaling', severity: 'error', message: 'MaxCapacity 20' }],
  },
  {
    name: 'failover-target-smaller: the reader with the best PromotionTier is smaller than the writer',
    resources:
      cluster() +
      member('Writer', '      DBInstanceClass: db.r6g.2xlarge\n      PromotionTier: 0\n') +
      member('SmallReader', `      # expect: ${ID}\n      DBInstanceClass: db.r6g.large\n      PromotionTier: 1\n`) +
      member('BigReader', '      DBInstanceClass: db.r6g.2xlarge\n      PromotionTier: 2\n'),
    expected: [{ logicalId: 'SmallReader', severity: 'info', message: "smaller than 'Writer' (db.r6g.2xlarge)" }],
  },
  {
    name: 'pass: the best-tier reader matches the writer class',
    resources:
      cluster() +
      member('Writer', '      DBInstanceClass: db.r6g.2xlarge\n      PromotionTier: 0\n') +
      member('BigReader', '      DBInstanceClass: db.r6g.2xlarge\n      PromotionTier: 1\n') +
      member('SmallReader', '      DBInstanceClass: db.r6g.large\n      PromotionTier: 15\n'),
    expected: [],
  },
  ...[
    ['AllocatedStorage', "'100'"],
    ['Iops', '3000'],
    ['StorageType', 'io1'],
    ['BackupRetentionPeriod', '7'],
    ['MasterUsername', 'admin'],
    ['MasterUserPassword', "'{{resolve:secretsmanager:db}}'"],
    ['StorageEncrypted', 'true'],
    ['KmsKeyId', 'alias/orders'],
    ['MultiAZ', 'false'],
  ].map(([prop, value]): Row => ({
    name: `instance-level-setting: ${prop} on a member`,
    resources: cluster() + member('Writer') + member('Reader', `      # expect: ${ID}\n      ${prop}: ${value}\n`),
    expected: [
      {
        logicalId: 'Reader',
        severity: 'warning',
        message: `sets ${prop}, which does not apply to a member of 'Cluster'`,
      },
    ],
  })),
  {
    name: 'micro-class: a micro member',
    resources:
      cluster() + member('Writer') + member('Reader', `      # expect: ${ID}\n      DBInstanceClass: db.t3.micro\n`),
    expected: [{ logicalId: 'Reader', severity: 'error', message: 'does not support micro instance classes' }],
  },
  {
    name: 'micro-class: judged by the member engine when the cluster engine is a parameter without a value',
    resources: `
  Cluster:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: !Ref Toggle
  Writer:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: aurora-mysql
      DBClusterIdentifier: !Ref Cluster
      # expect: ${ID}
      DBInstanceClass: db.t2.micro
`,
    expected: [{ logicalId: 'Writer', severity: 'error' }],
  },
  {
    name: 'serverless-v1: warning in prod',
    config: ENVIRONMENTS,
    resources: cluster(`      # expect: ${ID}\n      EngineMode: serverless\n`, 'prod'),
    expected: [{ logicalId: 'Cluster', severity: 'warning', message: 'reached end of life on 2025-03-31' }],
  },
  {
    name: 'serverless-v1: info otherwise',
    resources: cluster(`      # expect: ${ID}\n      EngineMode: serverless\n`),
    expected: [{ logicalId: 'Cluster', severity: 'info' }],
  },
  {
    name: 'pass: a writer and a reader (members named by identifier too)',
    resources:
      cluster('      DBClusterIdentifier: catalog\n') +
      member('Writer') +
      `
  Reader:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: aurora-postgresql
      DBClusterIdentifier: catalog
`,
    expected: [],
  },
  {
    name: 'not applicable: a Multi-AZ DB cluster (non-Aurora engine)',
    resources: `
  MultiAzCluster:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: postgres
      DBClusterInstanceClass: db.m6gd.large
      StorageType: io1
      Iops: 1000
      AllocatedStorage: 100
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

  it('unknown, never a finding: a second member that may not exist', () => {
    const resources =
      cluster() +
      member('Writer') +
      member('Reader').replace('    Properties:', '    Condition: WithReader\n    Properties:');
    const { result } = expectRule(ID, HEAD + resources, []);
    expect(unknownsOf(result, ID).map((u) => u.logicalId)).toContain('Cluster');
  });

  it('unknown, never a finding: an Engine parameter without a value or allowed values', () => {
    const text =
      HEAD.replace('Resources:\n', '').replace('Parameters:\n', 'Parameters:\n  Engine:\n    Type: String\n') +
      `Resources:
  Cluster:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: !Ref Engine
`;
    const { result } = expectRule(ID, text, []);
    expect(unknownsOf(result, ID).map((u) => u.logicalId)).toEqual(['Cluster']);
  });
});
