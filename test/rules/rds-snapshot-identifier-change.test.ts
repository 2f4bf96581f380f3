import { describe, expect, it } from 'vitest';
import { lint } from '../../src/api';
import { expectDiffRule, unknownsOf } from '../helpers/diff';

const ID = 'rds-snapshot-identifier-change';
const E = `# expect: ${ID}`;

const instance = (snapshot: string | undefined, e: 'prop' | 'properties' | '' = '', extra = '') => `Resources:
  Db:
    Type: AWS::RDS::DBInstance
    UpdateReplacePolicy: Snapshot
${e === 'properties' ? `    ${E}\n` : ''}    Properties:
${snapshot !== undefined ? `${e === 'prop' ? `      ${E}\n` : ''}      DBSnapshotIdentifier: ${snapshot}\n` : ''}      DBInstanceClass: db.m7g.large
${extra}`;

describe('rds-snapshot-identifier-change', () => {
  it('error: the identifier is removed (a new, EMPTY database)', () => {
    expectDiffRule(ID, instance('orders-2024'), instance(undefined, 'properties'), [
      {
        logicalId: 'Db',
        severity: 'error',
        message: [
          'was restored from snapshot orders-2024',
          'drops DBSnapshotIdentifier',
          'new, EMPTY database',
          'after a final snapshot (UpdateReplacePolicy: Snapshot)',
          'Keep DBSnapshotIdentifier: orders-2024',
        ],
      },
    ]);
  });

  it("error: the identifier is emptied ('')", () => {
    expectDiffRule(ID, instance('orders-2024'), instance("''", 'prop'), [
      { logicalId: 'Db', severity: 'error', message: 'empties DBSnapshotIdentifier' },
    ]);
  });

  it('warning: the identifier points at another snapshot', () => {
    expectDiffRule(ID, instance('orders-2024'), instance('orders-2025', 'prop'), [
      {
        logicalId: 'Db',
        severity: 'warning',
        message: ['(orders-2024 → orders-2025)', 'restores a new database from orders-2025', 'writes made after'],
      },
    ]);
  });

  it('warning: the same snapshot written as an ARN (CloudFormation compares template values)', () => {
    expectDiffRule(
      ID,
      instance('orders-2024'),
      instance('arn:aws:rds:eu-west-1:111122223333:snapshot:orders-2024', 'prop'),
      [{ logicalId: 'Db', severity: 'warning', message: 'but CloudFormation compares template values' }],
    );
  });

  it('info: the identifier is added to an existing database (a restore, part of the encryption migration)', () => {
    expectDiffRule(ID, instance(undefined), instance('orders-encrypted', 'prop'), [
      { logicalId: 'Db', severity: 'info', message: ['gets DBSnapshotIdentifier orders-encrypted', 'documented path'] },
    ]);
  });

  it('clusters: SnapshotIdentifier removed; UpdateReplacePolicy not set deletes the current cluster', () => {
    const cluster = (s?: string) => `Resources:
  Cluster:
    Type: AWS::RDS::DBCluster
${s ? '' : `    ${E}\n`}    Properties:
      Engine: aurora-postgresql
${s ? `      SnapshotIdentifier: ${s}\n` : ''}`;
    expectDiffRule(ID, cluster('app-2024'), cluster(), [
      {
        logicalId: 'Cluster',
        severity: 'error',
        message: ['new, EMPTY cluster', 'deletes the current one together with its automated backups'],
      },
    ]);
  });

  it('DBClusterSnapshotIdentifier of an instance (Multi-AZ DB cluster snapshot restored to an instance)', () => {
    const t = (s: string, e = false) => `Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
${e ? `      ${E}\n` : ''}      DBClusterSnapshotIdentifier: ${s}
      DBInstanceClass: db.m7g.large
`;
    expectDiffRule(ID, t('a'), t('b', true), [{ logicalId: 'Db', severity: 'warning' }]);
  });

  it('unchanged identifier, other changes: nothing; unknown identifier: unknown outcome', () => {
    expectDiffRule(ID, instance('orders-2024'), instance('orders-2024', '', '      MultiAZ: true\n'), []);
    const params = 'Parameters:\n  Snap: { Type: String }\n';
    const { result } = expectDiffRule(ID, instance('orders-2024'), params + instance('!Ref Snap'), []);
    expect(unknownsOf(result, ID)).toEqual([
      expect.objectContaining({ logicalId: 'Db', why: expect.stringContaining('parameter Snap') }),
    ]);
  });

  it('without a baseline the rule does nothing', () => {
    expect(lint({ file: 'x.yaml', text: instance(undefined) }).findings.filter((f) => f.ruleId === ID)).toEqual([]);
  });
});
