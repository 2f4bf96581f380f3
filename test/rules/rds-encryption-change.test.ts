import { describe, expect, it } from 'vitest';
import { lint } from '../../src/api';
import { expectDiffRule, lintDiff, unknownsOf } from '../helpers/diff';

const ID = 'rds-encryption-change';
const E = `# expect: ${ID}`;
const KEY_A = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_B = 'arn:aws:kms:eu-west-1:111122223333:key/9999abcd-12ab-34cd-56ef-1234567890ab';

/** A DB instance; `props` are extra property lines (6-space indent); `policy` goes below Type. */
function db(props: string, policy = '', id = 'Db'): string {
  return `Resources:
  ${id}:
    Type: AWS::RDS::DBInstance
${policy}    Properties:
      Engine: postgres
      DBInstanceClass: db.m7g.large
      AllocatedStorage: '100'
${props}`;
}

describe('rds-encryption-change: replacements', () => {
  it('enable-replaces: StorageEncrypted false -> true (string booleans), with the full migration text', () => {
    const { findings } = expectDiffRule(
      ID,
      db("      StorageEncrypted: 'false'\n"),
      db(`      ${E}\n      StorageEncrypted: true\n`),
      [
        {
          logicalId: 'Db',
          severity: 'error',
          message: [
            "Changing StorageEncrypted from false to true on 'Db' replaces the database",
            'new, EMPTY encrypted instance',
            'deletes the old one together with its automated backups',
            'RDS cannot encrypt an existing database in place',
            '3. Copy the snapshot with encryption under the KMS key you want.',
            '4. Point DBSnapshotIdentifier at the encrypted copy',
            '5. If DBInstanceIdentifier is set, give it a new value.',
            '6. Deploy, then keep the snapshot identifier in the template permanently.',
            'AWS DMS',
          ],
        },
      ],
    );
    expect(findings[0]!.related?.[0]).toMatchObject({
      file: 'baseline.yaml',
      message: 'deployed StorageEncrypted: false',
    });
  });

  it('enable-replaces: absent -> true, and the fate follows UpdateReplacePolicy (Snapshot, Retain)', () => {
    expectDiffRule(
      ID,
      db('', '    UpdateReplacePolicy: Snapshot\n'),
      db(`      ${E}\n      StorageEncrypted: true\n`, '    UpdateReplacePolicy: Snapshot\n'),
      [
        {
          logicalId: 'Db',
          severity: 'error',
          message: ['from (not set) to true', 'keeps a final snapshot of the old one (UpdateReplacePolicy: Snapshot)'],
        },
      ],
    );
    expectDiffRule(
      ID,
      db('', '    UpdateReplacePolicy: Retain\n'),
      db(`      ${E}\n      StorageEncrypted: true\n`, '    UpdateReplacePolicy: Retain\n'),
      [{ logicalId: 'Db', severity: 'error', message: 'keeps the old one running outside the stack' }],
    );
  });

  it('enable-replaces: a key added without the flag', () => {
    expectDiffRule(ID, db(''), db(`      ${E}\n      KmsKeyId: ${KEY_A}\n`), [
      { logicalId: 'Db', severity: 'error', message: `Adding KmsKeyId ${KEY_A}, which asks for encryption,` },
    ]);
  });

  it('disable-replaces: true -> false; the data cannot follow', () => {
    expectDiffRule(ID, db('      StorageEncrypted: true\n'), db(`      ${E}\n      StorageEncrypted: false\n`), [
      {
        logicalId: 'Db',
        severity: 'error',
        message: [
          'new, EMPTY unencrypted instance',
          'cannot restore an encrypted snapshot into an unencrypted database',
        ],
      },
    ]);
  });

  it('key-change-replaces: a different KMS key, or a customer key instead of aws/rds', () => {
    const k = (key?: string, e = false) =>
      db(`      StorageEncrypted: true\n${key ? `${e ? `      ${E}\n` : ''}      KmsKeyId: ${key}\n` : ''}`);
    expectDiffRule(ID, k(KEY_A), k(KEY_B, true), [
      {
        logicalId: 'Db',
        severity: 'error',
        message: [`Changing KmsKeyId from ${KEY_A} to ${KEY_B}`, 'copied under the new key'],
      },
    ]);
    expectDiffRule(ID, k(), k(KEY_B, true), [{ logicalId: 'Db', severity: 'error', message: 'Adding KmsKeyId' }]);
  });

  it('key-change-replaces: a different in-template key', () => {
    const t = (key: string, e = false) => `Resources:
  KeyA:
    Type: AWS::KMS::Key
    Properties: { KeyPolicy: {} }
  KeyB:
    Type: AWS::KMS::Key
    Properties: { KeyPolicy: {} }
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.m7g.large
      StorageEncrypted: true
${e ? `      ${E}\n` : ''}      KmsKeyId: !Ref ${key}
`;
    expectDiffRule(ID, t('KeyA'), t('KeyB', true), [
      { logicalId: 'Db', severity: 'error', message: 'from Ref KeyA to Ref KeyB' },
    ]);
  });

  it('custom-name-blocks: an unchanged DBInstanceIdentifier fails the update', () => {
    const t = (enc: boolean, e = false) =>
      db(`      DBInstanceIdentifier: billing-prod\n${e ? `      ${E}\n` : ''}      StorageEncrypted: ${enc}\n`);
    expectDiffRule(ID, t(false), t(true, true), [
      {
        logicalId: 'Db',
        severity: 'error',
        message: [
          'DBInstanceIdentifier (billing-prod) stays the same',
          'the update fails and rolls back',
          '5. If DBInstanceIdentifier',
        ],
      },
    ]);
  });

  it('clusters: DBClusterIdentifier and the cluster migration text', () => {
    const t = (enc: boolean, e = false) => `Resources:
  Cluster:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-mysql
${e ? `      ${E}\n` : ''}      StorageEncrypted: ${enc}
`;
    expectDiffRule(ID, t(false), t(true, true), [
      {
        logicalId: 'Cluster',
        severity: 'error',
        message: [
          'EMPTY encrypted cluster',
          'Point SnapshotIdentifier at the encrypted copy',
          'restore the unencrypted cluster snapshot with KmsKeyId set',
        ],
      },
    ]);
  });
});

describe('rds-encryption-change: migrations, textual changes, replicas, unknowns', () => {
  it('migration-in-progress: an instance restored from a snapshot that config declares encrypted', () => {
    const base = db('', '    UpdateReplacePolicy: Snapshot\n');
    const next = `Resources:
  Db:
    Type: AWS::RDS::DBInstance
    UpdateReplacePolicy: Snapshot
    Properties:
      ${E}
      DBSnapshotIdentifier: orders-encrypted-copy
      DBInstanceClass: db.m7g.large
`;
    expectDiffRule(
      ID,
      base,
      next,
      [
        {
          logicalId: 'Db',
          severity: 'warning',
          message: [
            "'Db' is being migrated",
            'DBSnapshotIdentifier orders-encrypted-copy restores a new encrypted instance',
            '1. Writes made after the snapshot are lost',
            '4. Set UpdateReplacePolicy: Snapshot or Retain',
          ],
        },
      ],
      { config: { facts: { snapshots: { 'orders-encrypted-copy': { encrypted: true } } } } },
    );
  });

  it('the usual instance migration without a declared snapshot is unknown here (the snapshot rule reports it)', () => {
    const next = `Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      DBSnapshotIdentifier: orders-encrypted-copy
      DBInstanceClass: db.m7g.large
`;
    const { result } = expectDiffRule(ID, db(''), next, []);
    expect(unknownsOf(result, ID)).toEqual([
      expect.objectContaining({ why: expect.stringContaining('facts.snapshots') }),
    ]);
    expect(result.findings.map((f) => f.ruleId)).toContain('rds-snapshot-identifier-change');
  });

  it('textual-change-only: absent <-> explicit false', () => {
    expectDiffRule(ID, db(''), db(`      ${E}\n      StorageEncrypted: false\n`), [
      { logicalId: 'Db', severity: 'warning', message: ['changes only in form', 'stays unencrypted'] },
    ]);
  });

  it('textual-change-only: the same key through Ref and GetAtt Arn, or a key id and its ARN', () => {
    const t = (key: string, e = false) => `Resources:
  Key:
    Type: AWS::KMS::Key
    Properties: { KeyPolicy: {} }
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.m7g.large
      StorageEncrypted: true
${e ? `      ${E}\n` : ''}      KmsKeyId: ${key}
`;
    expectDiffRule(ID, t('!Ref Key'), t('!GetAtt Key.Arn', true), [
      { logicalId: 'Db', severity: 'warning', message: ['Ref Key → GetAtt Key.Arn', 'same key'] },
    ]);
    expectDiffRule(ID, t('1234abcd-12ab-34cd-56ef-1234567890ab'), t(KEY_A, true), [
      { logicalId: 'Db', severity: 'warning', message: 'changes only in form' },
    ]);
  });

  it('replica-change: a read replica that changes its own StorageEncrypted is recreated (warning)', () => {
    const t = (enc?: boolean) => `Resources:
  Primary:
    Type: AWS::RDS::DBInstance
    Properties: { Engine: mysql, DBInstanceClass: db.r7g.large, StorageEncrypted: true }
  Replica:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: !Ref Primary
      DBInstanceClass: db.r7g.large
${enc === undefined ? '' : `      ${E}\n      StorageEncrypted: ${enc}\n`}`;
    expectDiffRule(ID, t(), t(true), [
      { logicalId: 'Replica', severity: 'warning', message: ['re-synced from its source', 'endpoint changes'] },
    ]);
  });

  it('unknown: StorageEncrypted from a parameter without a value', () => {
    const params = 'Parameters:\n  Encrypt: { Type: String }\n';
    const { result } = expectDiffRule(
      ID,
      db('      StorageEncrypted: false\n'),
      params + db('      StorageEncrypted: !Ref Encrypt\n'),
      [],
    );
    expect(unknownsOf(result, ID)).toEqual([
      expect.objectContaining({ logicalId: 'Db', why: expect.stringContaining('parameter Encrypt') }),
    ]);
  });

  it('Aurora members are ignored (the cluster decides); a promoted replica keeps its encryption', () => {
    const members = (enc: boolean) => `Resources:
  Cluster:
    Type: AWS::RDS::DBCluster
    Properties: { Engine: aurora-mysql, StorageEncrypted: true }
  Member:
    Type: AWS::RDS::DBInstance
    Properties: { Engine: aurora-mysql, DBClusterIdentifier: !Ref Cluster, DBInstanceClass: db.r7g.large, StorageEncrypted: ${enc} }
`;
    expectDiffRule(ID, members(false), members(true), []);
    const promo = (replica: boolean) => `Resources:
  Primary:
    Type: AWS::RDS::DBInstance
    Properties: { Engine: mysql, DBInstanceClass: db.r7g.large, StorageEncrypted: true }
  Reporting:
    Type: AWS::RDS::DBInstance
    Properties:
${replica ? '      SourceDBInstanceIdentifier: !Ref Primary\n' : ''}      DBInstanceClass: db.r7g.large
`;
    expectDiffRule(ID, promo(true), promo(false), []);
  });

  it('unchanged encryption, identical templates, and no baseline: nothing', () => {
    const t = db('      StorageEncrypted: true\n      MultiAZ: true\n');
    expectDiffRule(ID, db('      StorageEncrypted: true\n'), t, []);
    expectDiffRule(ID, t, t, []);
    expect(lint({ file: 'x.yaml', text: t }).findings.filter((f) => f.ruleId === ID)).toEqual([]);
    expect(lintDiff(t, t).findings).toEqual(lint({ file: 'new.yaml', text: t }).findings);
  });
});

describe('rds-encryption-at-creation in diff mode', () => {
  it('a database deployed unencrypted gets the migration text, not "set the flag"', () => {
    const r = lintDiff(db(''), db('      MultiAZ: true\n'));
    const f = r.findings.filter((x) => x.ruleId === 'rds-encryption-at-creation');
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toContain('is deployed without storage encryption and stays unencrypted');
    expect(f[0]!.message).toContain('Migrate instead');
    expect(f[0]!.message).not.toContain('before the first deployment');
  });
});
