import { describe, expect, it } from 'vitest';
import { hits, lintYaml } from '../helpers/rule';

const ID = 'cfn-stateful-deletion-policy';
const one = (type: string, attrs = '', props = '') =>
  `Resources:\n  R:\n    Type: ${type}\n${attrs}${props ? `    Properties:\n${props}` : ''}`;

describe(ID, () => {
  it.each([
    ['DynamoDB table without a policy', one('AWS::DynamoDB::Table'), 2, 'warning'],
    ['explicit Delete', one('AWS::EFS::FileSystem', '    DeletionPolicy: Delete\n'), 4, 'warning'],
    ['Retain without UpdateReplacePolicy', one('AWS::S3::Bucket', '    DeletionPolicy: Retain\n'), 4, 'warning'],
    [
      'Snapshot + UpdateReplacePolicy Delete',
      one('AWS::RDS::DBCluster', '    DeletionPolicy: Snapshot\n    UpdateReplacePolicy: Delete\n'),
      5,
      'warning',
    ],
    ['RDS cluster default Snapshot but no UpdateReplacePolicy', one('AWS::RDS::DBCluster'), 2, 'warning'],
    [
      'Snapshot on a type without snapshots',
      one('AWS::DynamoDB::Table', '    DeletionPolicy: Snapshot\n    UpdateReplacePolicy: Retain\n'),
      4,
      'error',
    ],
    ['Redis cache cluster', one('AWS::ElastiCache::CacheCluster', '', '      Engine: redis\n'), 2, 'warning'],
  ])('%s', (_n, text, line, severity) => {
    const r = lintYaml(text);
    expect(hits(r, ID)).toEqual([['R', line]]);
    expect(r.findings.find((f) => f.ruleId === ID)!.severity).toBe(severity);
  });

  it.each([
    ['Retain + Retain', one('AWS::DynamoDB::Table', '    DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain\n')],
    ['a stateless type', one('AWS::SNS::Topic')],
    ['a read replica', one('AWS::RDS::DBInstance', '', '      SourceDBInstanceIdentifier: primary\n')],
    ['an Aurora member instance', one('AWS::RDS::DBInstance', '', '      DBClusterIdentifier: c\n')],
    ['memcached', one('AWS::ElastiCache::CacheCluster', '', '      Engine: memcached\n')],
  ])('is silent for %s', (_n, text) => {
    expect(hits(lintYaml(text), ID)).toEqual([]);
  });

  it('is an error for databases in production stacks', () => {
    const r = lintYaml(one('AWS::DynamoDB::Table'), { config: { environments: { default: 'prod' } } });
    expect(r.findings.find((f) => f.ruleId === ID)!.severity).toBe('error');
    const tagged = lintYaml(
      one('AWS::RDS::DBCluster', '', '      Tags:\n        - { Key: Environment, Value: prod }\n'),
      {
        config: { environments: { prod: { tags: { Environment: ['prod'] } } } },
      },
    );
    expect(tagged.findings.find((f) => f.ruleId === ID)!.severity).toBe('error');
  });

  it('says whether the DeletionPolicy that keeps the data is written or the RDS default', () => {
    const message = (text: string) => lintYaml(text).findings.find((f) => f.ruleId === ID)!.message;
    expect(message(one('AWS::RDS::DBCluster'))).toContain(
      "RDS DB cluster 'R' keeps its data on deletion (DeletionPolicy not set, so Snapshot), but UpdateReplacePolicy is not set (Delete)",
    );
    expect(message(one('AWS::RDS::DBCluster', '    DeletionPolicy: Snapshot\n'))).toContain(
      'keeps its data on deletion (DeletionPolicy: Snapshot), but',
    );
  });

  it('names a log group like the other data stores, capitalised at the start of the message', () => {
    const r = lintYaml(one('AWS::Logs::LogGroup'));
    expect(r.findings.find((f) => f.ruleId === ID)!.message).toMatch(
      /^CloudWatch Logs log group 'R' has no DeletionPolicy/,
    );
  });

  it('follows a DeletionPolicy chosen by a condition only when it is known', () => {
    const t = `Parameters:\n  Env: { Type: String }\nConditions:\n  Prod: !Equals [!Ref Env, prod]\n${one(
      'AWS::DynamoDB::Table',
      '    DeletionPolicy: !If [Prod, Retain, Delete]\n    UpdateReplacePolicy: Retain\n',
    )}`;
    expect(hits(lintYaml(t), ID)).toEqual([]);
    expect(hits(lintYaml(t, { parameters: { Env: 'dev' } }), ID)).toEqual([['R', 8]]);
  });
});
