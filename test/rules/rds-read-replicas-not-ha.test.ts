import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS, envTags, expectRule, unknownsOf, type ExpectedFinding } from '../helpers/inline';

const ID = 'rds-read-replicas-not-ha';
const HEAD = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  SourceParam:
    Type: String
  Toggle:
    Type: String
Conditions:
  WithReplica: !Equals [!Ref Toggle, 'yes']
Resources:
`;
const REGION = { pseudoParameters: { region: 'eu-west-1' } };

const primary = (props: string, env?: 'prod' | 'dev', comment = '') => `${comment}
  Primary:
    Type: AWS::RDS::DBInstance
    Properties:
      DBInstanceIdentifier: orders-primary
      Engine: mysql
      DBInstanceClass: db.m6g.large
      StorageEncrypted: true
${props}${envTags(env)}`;

const replica = (name: string, source: string, extra = '') => `
  ${name}:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: ${source}
      DBInstanceClass: db.m6g.large
${extra}`;

interface Row {
  name: string;
  resources: string;
  expected: ExpectedFinding[];
  config?: Record<string, unknown>;
}

const rows: Row[] = [
  {
    name: 'replicas-instead-of-multi-az: error in prod, at MultiAZ',
    config: ENVIRONMENTS,
    resources:
      primary(`      # expect: ${ID}\n      MultiAZ: false\n`, 'prod') +
      replica('ReplicaA', '!Ref Primary') +
      replica('ReplicaB', '!GetAtt Primary.DBInstanceArn'),
    expected: [
      {
        logicalId: 'Primary',
        severity: 'error',
        message:
          "'Primary' has 2 read replicas ('ReplicaA', 'ReplicaB') but is not Multi-AZ. Read replicas are asynchronous copies for scaling reads. RDS does not fail over to them: promotion is manual, breaks replication, gives the application a different endpoint, and loses writes that had not yet replicated. Set MultiAZ: true on 'Primary' for automatic failover, and keep the replicas for read traffic. A replica can itself be Multi-AZ if it is your DR copy.",
      },
    ],
  },
  {
    name: 'replicas-instead-of-multi-az: warning when unclassified, at the resource when MultiAZ is absent',
    resources: primary('', undefined, `\n  # expect: ${ID}`) + replica('Replica', 'orders-primary'),
    expected: [{ logicalId: 'Primary', severity: 'warning', message: "'Primary' has 1 read replica ('Replica') but" }],
  },
  {
    name: 'replicas-instead-of-multi-az: warning for non-prod (error (prod) / warning)',
    config: ENVIRONMENTS,
    resources: primary(`      # expect: ${ID}\n      MultiAZ: 'false'\n`, 'dev') + replica('Replica', '!Ref Primary'),
    expected: [{ logicalId: 'Primary', severity: 'warning' }],
  },
  {
    name: 'dr-replica-only: the only replica is cross-Region',
    config: { ...ENVIRONMENTS, ...REGION },
    resources:
      primary(`      # expect: ${ID}\n      MultiAZ: false\n`, 'prod') +
      replica(
        'DrReplica',
        "!Sub 'arn:aws:rds:us-east-1:${AWS::AccountId}:db:orders-primary'",
        '      SourceRegion: us-east-1\n      KmsKeyId: arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\n',
      ),
    expected: [
      { logicalId: 'Primary', severity: 'error', message: "its only read replica ('DrReplica') is cross-Region" },
    ],
  },
  {
    name: 'dr-replica-not-ha: a cross-Region DR replica (tag role=dr) that is not Multi-AZ',
    config: REGION,
    resources: `
  # expect: ${ID}${replica('DrReplica', 'arn:aws:rds:us-east-1:111122223333:db:orders-primary', '      Tags:\n        - Key: role\n          Value: DR\n')}`,
    expected: [
      {
        logicalId: 'DrReplica',
        severity: 'info',
        message: 'Once it is promoted after a disaster it becomes a single-AZ primary',
      },
    ],
  },
  {
    name: 'dr-replica-not-ha: marked through the rule option drReplicas, MultiAZ: false',
    config: { ...REGION, rules: { [ID]: { options: { drReplicas: ['DrReplica'] } } } },
    resources: replica(
      'DrReplica',
      'arn:aws:rds:us-east-1:111122223333:db:orders-primary',
      `      # expect: ${ID}\n      MultiAZ: false\n`,
    ),
    expected: [{ logicalId: 'DrReplica', severity: 'info' }],
  },
  {
    name: 'pass: a DR replica that is Multi-AZ, and a cross-Region replica that is not marked DR',
    config: REGION,
    resources:
      replica(
        'DrReplica',
        'arn:aws:rds:us-east-1:111122223333:db:orders-primary',
        '      MultiAZ: true\n      Tags:\n        - Key: Role\n          Value: dr\n',
      ) + replica('ReadCopy', 'arn:aws:rds:us-east-1:111122223333:db:orders-primary'),
    expected: [],
  },
  {
    name: 'replica-chain: a replica of a replica',
    resources:
      primary('      MultiAZ: true\n') +
      replica('Hop1', '!Ref Primary') +
      `
  Hop2:
    Type: AWS::RDS::DBInstance
    Properties:
      # expect: ${ID}
      SourceDBInstanceIdentifier: !Ref Hop1
`,
    expected: [{ logicalId: 'Hop2', severity: 'info', message: "which is itself a read replica of 'Primary'" }],
  },
  {
    name: "pass: a Multi-AZ primary (string 'true') with replicas",
    config: ENVIRONMENTS,
    resources: primary("      MultiAZ: 'true'\n", 'prod') + replica('Replica', '!Ref Primary'),
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
    ['a replica whose source is a parameter without a default', replica('Replica', '!Ref SourceParam')],
    [
      'a primary whose only replica may not exist',
      primary('      MultiAZ: false\n') +
        replica('Replica', '!Ref Primary').replace('    Properties:', '    Condition: WithReplica\n    Properties:'),
    ],
    [
      'a primary whose replica may be cross-Region (stack Region not configured)',
      primary('      MultiAZ: false\n') + replica('Replica', 'arn:aws:rds:us-east-1:111122223333:db:orders-primary'),
    ],
  ])('unknown, never a finding: %s', (_name, resources) => {
    const { result } = expectRule(ID, HEAD + resources, []);
    expect(unknownsOf(result, ID).length).toBeGreaterThan(0);
  });
});
