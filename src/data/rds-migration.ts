/**
 * The RDS encryption migration texts of catalog 2.2.4, shared by rds-encryption-change (diff mode) and any rule
 * that must not tell the owner of an existing unencrypted database to "just set the flag".
 */

export type RdsKind = 'instance' | 'cluster';

export function rdsKind(type: string): RdsKind {
  return type === 'AWS::RDS::DBCluster' ? 'cluster' : 'instance';
}

export const SNAPSHOT_PROPERTY: Record<RdsKind, string> = {
  instance: 'DBSnapshotIdentifier',
  cluster: 'SnapshotIdentifier',
};

export const IDENTIFIER_PROPERTY: Record<RdsKind, string> = {
  instance: 'DBInstanceIdentifier',
  cluster: 'DBClusterIdentifier',
};

/** The numbered migration path: snapshot, encrypted copy, restore, keep the snapshot identifier. */
export function rdsEncryptionMigration(kind: RdsKind): string {
  return [
    'RDS cannot encrypt an existing database in place. Migrate instead:',
    '1. Stop writes.',
    '2. Take a manual snapshot.',
    '3. Copy the snapshot with encryption under the KMS key you want.',
    `4. Point ${SNAPSHOT_PROPERTY[kind]} at the encrypted copy, leaving StorageEncrypted unset because it is inherited from the snapshot.${
      kind === 'cluster'
        ? ' For an Aurora or Multi-AZ DB cluster you may instead restore the unencrypted cluster snapshot with KmsKeyId set.'
        : ''
    }`,
    `5. If ${IDENTIFIER_PROPERTY[kind]} is set, give it a new value.`,
    '6. Deploy, then keep the snapshot identifier in the template permanently.',
    'For near-zero downtime, replicate into a new encrypted database (for example with AWS DMS) and switch over.',
  ].join('\n');
}

/** The checklist for a migration that is under way (catalog 2.2.4, `migration-in-progress`). */
export function rdsMigrationChecklist(kind: RdsKind): string {
  return [
    '1. Writes made after the snapshot are lost unless the application was quiesced.',
    `2. The endpoint changes if the identifier changes. Consumers that use GetAtt Endpoint.Address follow automatically; hard-coded hostnames do not.`,
    `3. Removing or changing ${SNAPSHOT_PROPERTY[kind]} later creates a new empty or re-restored database (see rds-snapshot-identifier-change).`,
    '4. Set UpdateReplacePolicy: Snapshot or Retain on the resource before this deployment, so that the old database survives as a fallback.',
  ].join('\n');
}
