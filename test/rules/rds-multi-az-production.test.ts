import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS, envTags, expectRule, unknownsOf, type ExpectedFinding } from '../helpers/inline';

const ID = 'rds-multi-az-production';
const HEAD = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  MultiAz:
    Type: String
  MultiAzDefault:
    Type: String
    Default: 'false'
Resources:
`;

const db = (name: string, props: string, env?: 'prod' | 'dev', engine = 'postgres') => `
  ${name}:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: ${engine}
      DBInstanceClass: db.m6g.large
      StorageEncrypted: true
${props}${envTags(env)}`;

interface Row {
  name: string;
  resources: string;
  expected: ExpectedFinding[];
  config?: Record<string, unknown>;
}

const SINGLE_AZ =
  'runs in a single Availability Zone (MultiAZ is false). If that AZ, its storage or the host fails, the database is down until it is rebuilt or restored. Set MultiAZ: true. RDS then keeps a synchronous standby in another AZ and fails over automatically behind the same endpoint, usually within one to two minutes, with no lost committed writes. Read replicas do not replace this. Enabling MultiAZ is an in-place change with no replacement, so it is also safe on existing databases.';

const rows: Row[] = [
  {
    name: 'single-az: MultiAZ: false in prod is an error',
    config: ENVIRONMENTS,
    resources: db('Orders', `      # expect: ${ID}\n      MultiAZ: false\n`, 'prod'),
    expected: [{ logicalId: 'Orders', severity: 'error', message: `Production database 'Orders' ${SINGLE_AZ}` }],
  },
  {
    name: 'single-az: MultiAZ absent in prod (the default is single-AZ), reported at the resource',
    config: ENVIRONMENTS,
    resources: `
  # expect: ${ID}${db('Orders', '', 'prod')}`,
    expected: [{ logicalId: 'Orders', severity: 'error', message: '(MultiAZ is not set)' }],
  },
  {
    name: "single-az: the string 'false' in an unclassified stack is a warning",
    resources: db('Orders', `      # expect: ${ID}\n      MultiAZ: 'false'\n`),
    expected: [
      { logicalId: 'Orders', severity: 'warning', message: "Database 'Orders' runs in a single Availability Zone" },
    ],
  },
  {
    name: "single-az: a parameter whose Default is 'false'",
    resources: db('Orders', `      # expect: ${ID}\n      MultiAZ: !Ref MultiAzDefault\n`),
    expected: [{ logicalId: 'Orders', severity: 'warning' }],
  },
  {
    name: 'single-az: nothing for non-prod',
    config: ENVIRONMENTS,
    resources: db('Orders', '      MultiAZ: false\n', 'dev'),
    expected: [],
  },
  {
    name: 'az-pinned-multi-az: an error in every environment, even non-prod',
    config: ENVIRONMENTS,
    resources: db('Orders', `      MultiAZ: true\n      # expect: ${ID}\n      AvailabilityZone: eu-west-1a\n`, 'dev'),
    expected: [{ logicalId: 'Orders', severity: 'error', message: 'The RDS API rejects this combination' }],
  },
  {
    name: 'edition-cannot-multi-az: SQL Server Express in prod',
    config: ENVIRONMENTS,
    resources: `
  Legacy:
    Type: AWS::RDS::DBInstance
    Properties:
      # expect: ${ID}
      Engine: sqlserver-ex
      DBInstanceClass: db.t3.small
      StorageEncrypted: true
${envTags('prod')}`,
    expected: [
      {
        logicalId: 'Legacy',
        severity: 'warning',
        message: 'SQL Server Express (sqlserver-ex), which does not support Multi-AZ',
      },
    ],
  },
  {
    name: 'edition-cannot-multi-az: nothing outside prod',
    resources: db('Legacy', '', undefined, 'sqlserver-ex'),
    expected: [],
  },
  {
    name: "pass: MultiAZ: true and 'true'",
    config: ENVIRONMENTS,
    resources: db('A', '      MultiAZ: true\n', 'prod') + db('B', "      MultiAZ: 'true'\n", 'prod'),
    expected: [],
  },
  {
    name: 'not applicable: Aurora members, read replicas and RDS Custom',
    config: ENVIRONMENTS,
    resources: `
  Cluster:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-mysql
      StorageEncrypted: true
  Member:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: aurora-mysql
      DBClusterIdentifier: !Ref Cluster
${envTags('prod')}${db('Primary', '      MultiAZ: true\n', 'prod')}
  Replica:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: !Ref Primary
${envTags('prod')}
  Custom:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: custom-sqlserver-se
      KmsKeyId: alias/custom
${envTags('prod')}`,
    expected: [],
  },
  {
    name: 'silent when rds-read-replicas-not-ha reports the same instance',
    config: ENVIRONMENTS,
    resources: `${db('Primary', '      MultiAZ: false\n', 'prod')}
  Replica:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: !Ref Primary
`,
    expected: [],
  },
  {
    name: 'reports when rds-read-replicas-not-ha is turned off',
    config: { ...ENVIRONMENTS, rules: { 'rds-read-replicas-not-ha': 'off' } },
    resources: `${db('Primary', `      # expect: ${ID}\n      MultiAZ: false\n`, 'prod')}
  Replica:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: !Ref Primary
`,
    expected: [{ logicalId: 'Primary', severity: 'error' }],
  },
  {
    name: 'reports when the only replica may not exist (unknown Condition)',
    config: { ...ENVIRONMENTS },
    resources: `${db('Primary', `      # expect: ${ID}\n      MultiAZ: false\n`, 'prod')}
  Replica:
    Type: AWS::RDS::DBInstance
    Condition: WithReplica
    Properties:
      SourceDBInstanceIdentifier: !Ref Primary
`,
    expected: [{ logicalId: 'Primary', severity: 'error' }],
  },
];

describe(ID, () => {
  for (const row of rows) {
    it(row.name, () => {
      const head = row.resources.includes('WithReplica')
        ? HEAD.replace('Resources:\n', "Conditions:\n  WithReplica: !Equals [!Ref MultiAz, 'yes']\nResources:\n")
        : HEAD;
      expectRule(ID, head + row.resources, row.expected, row.config ? { config: row.config } : {});
    });
  }

  it('unknown, never a finding: MultiAZ from a parameter without a default', () => {
    const { result } = expectRule(ID, HEAD + db('Orders', '      MultiAZ: !Ref MultiAz\n', 'prod'), [], {
      config: ENVIRONMENTS,
    });
    expect(unknownsOf(result, ID).map((u) => u.logicalId)).toEqual(['Orders']);
  });
});
