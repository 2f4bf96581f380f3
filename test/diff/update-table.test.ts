import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/examples';
import { CURATED, specPropertyBehaviour, tableTypes, type Behaviour } from '../../src/diff/update-behaviour';
import { SPEC_VERSION } from '../../src/diff/update-table.generated';
import { cfnDiffImpacts, installedSpecVersion } from '../../src/diff/cfn-diff';

interface Generator {
  buildTable(): { specVersion: string; lines: string[] };
  renderTable(t: { specVersion: string; lines: string[] }): string;
  tableBody(text: string): string;
}

const loadGenerator = async (): Promise<Generator> =>
  (await import(join(ROOT, 'scripts', 'gen-update-table.mjs'))) as Generator;

describe('update-behaviour table (catalog 2.5.1)', () => {
  it('the committed table matches the installed service specification (node scripts/gen-update-table.mjs)', async () => {
    const gen = await loadGenerator();
    const fresh = gen.renderTable(gen.buildTable());
    const committed = readFileSync(join(ROOT, 'src', 'diff', 'update-table.generated.ts'), 'utf8');
    expect(gen.tableBody(committed), `generated from spec ${SPEC_VERSION}, installed ${installedSpecVersion()}`).toBe(
      gen.tableBody(fresh),
    );
  });

  it('cloudformation-diff agrees with the table on every top-level property of every type', () => {
    // One resource per (type, property) whose value changes; the library judges each from the installed spec.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { loadAwsServiceSpecSync } = require('@aws-cdk/aws-service-spec') as {
      loadAwsServiceSpecSync(): {
        all(k: 'resource'): { cloudFormationType: string; properties: object; cloudFormationTransform?: string }[];
      };
    };
    const db = loadAwsServiceSpecSync();
    const old: Record<string, unknown> = {};
    const next: Record<string, unknown> = {};
    const cases: [string, string, string][] = [];
    for (const r of db.all('resource')) {
      // SAM types are macros expanded before deployment; the table leaves them out on purpose.
      if (r.cloudFormationTransform) continue;
      for (const prop of Object.keys(r.properties)) {
        const id = `R${cases.length}`;
        cases.push([id, r.cloudFormationType, prop]);
        old[id] = { Type: r.cloudFormationType, Properties: { [prop]: 'old-value' } };
        next[id] = { Type: r.cloudFormationType, Properties: { [prop]: 'new-value' } };
      }
    }
    const impacts = cfnDiffImpacts({ Resources: old }, { Resources: next });
    expect(impacts).toBeDefined();
    const disagreements: string[] = [];
    for (const [id, type, prop] of cases) {
      const cfn: Behaviour = impacts!.get(id)?.get(prop) ?? 'InPlace';
      const table = specPropertyBehaviour(type, prop);
      if (cfn !== table) disagreements.push(`${type}.${prop}: table ${table}, cloudformation-diff ${cfn}`);
    }
    expect(cases.length).toBeGreaterThan(10000);
    expect(disagreements).toEqual([]);
  });

  it('covers the types the catalog names', () => {
    const types = new Set(tableTypes());
    for (const t of ['AWS::RDS::DBInstance', 'AWS::DynamoDB::Table', 'AWS::EC2::VPC', 'AWS::EFS::FileSystem'])
      expect(types.has(t), t).toBe(true);
    expect(specPropertyBehaviour('AWS::EC2::VPC', 'CidrBlock')).toBe('Replacement');
    expect(specPropertyBehaviour('AWS::DynamoDB::Table', 'KeySchema')).toBe('Replacement');
    expect(specPropertyBehaviour('AWS::RDS::DBInstance', 'StorageEncrypted')).toBe('Replacement');
    expect(specPropertyBehaviour('AWS::EFS::FileSystem', 'PerformanceMode')).toBe('Replacement');
  });

  // The curated entries exist because the specification says something else. When a specification update
  // starts to agree (or changes), the entry must be revisited: these assertions notice it.
  const assumptions: [string, string, Behaviour, string][] = [
    ['AWS::EC2::Volume', 'Encrypted', 'InPlace', 'curated Replacement (EBS cannot change it)'],
    ['AWS::EC2::Volume', 'KmsKeyId', 'InPlace', 'curated Replacement'],
    ['AWS::EC2::Volume', 'SnapshotId', 'InPlace', 'curated Replacement'],
    ['AWS::EC2::Volume', 'AvailabilityZone', 'InPlace', 'curated Replacement'],
    ['AWS::ElasticLoadBalancingV2::LoadBalancer', 'SecurityGroups', 'InPlace', 'curated NotSupported for NLBs'],
    ['AWS::DynamoDB::Table', 'LocalSecondaryIndexes', 'InPlace', 'curated NotSupported'],
    ['AWS::DynamoDB::Table', 'GlobalSecondaryIndexes', 'InPlace', 'curated NotSupported for several at once'],
    ['AWS::S3::Bucket', 'ObjectLockEnabled', 'Replacement', 'curated NotSupported when disabled'],
    ['AWS::S3::Bucket', 'ObjectLockConfiguration', 'InPlace', 'curated NotSupported for COMPLIANCE'],
    ['AWS::ElasticBeanstalk::Environment', 'OptionSettings', 'InPlace', 'curated NotSupported for LoadBalancerType'],
    ['AWS::ElastiCache::ReplicationGroup', 'TransitEncryptionEnabled', 'InPlace', 'curated Conditional'],
    ['AWS::SSM::Parameter', 'Tier', 'InPlace', 'curated NotSupported Advanced -> Standard'],
    ['AWS::KMS::Key', 'KeySpec', 'InPlace', 'curated NotSupported'],
    ['AWS::KMS::Key', 'KeyUsage', 'InPlace', 'curated NotSupported'],
    ['AWS::KMS::Key', 'MultiRegion', 'InPlace', 'curated NotSupported'],
    ['AWS::RDS::DBInstance', 'DBSnapshotIdentifier', 'Conditional', 'curated restore (rds-snapshot-identifier-change)'],
    ['AWS::RDS::DBInstance', 'DBClusterSnapshotIdentifier', 'Conditional', 'curated restore'],
    ['AWS::RDS::DBCluster', 'SnapshotIdentifier', 'Replacement', 'curated restore'],
    ['AWS::RDS::DBInstance', 'SourceDBInstanceIdentifier', 'Conditional', 'curated promotion / replacement'],
    ['AWS::RDS::DBInstance', 'MultiAZ', 'Conditional', 'curated InPlace (ModifyDBInstance)'],
    ['AWS::RDS::DBInstance', 'AutoMinorVersionUpgrade', 'Conditional', 'curated InPlace'],
    ['AWS::RDS::DBInstance', 'PreferredMaintenanceWindow', 'Conditional', 'curated InPlace'],
    ['AWS::RDS::DBInstance', 'BackupRetentionPeriod', 'Conditional', 'curated InPlace'],
    ['AWS::RDS::DBInstance', 'StorageType', 'Conditional', 'curated InPlace'],
    ['AWS::RDS::DBInstance', 'DBParameterGroupName', 'Conditional', 'curated InPlace'],
  ];
  it.each(assumptions)('the specification still says %s %s is %s (%s)', (type, prop, behaviour) => {
    expect(specPropertyBehaviour(type, prop)).toBe(behaviour);
  });

  it('every curated entry is covered by an assumption above', () => {
    const covered = new Set(assumptions.map(([t, p]) => `${t}.${p}`));
    for (const c of CURATED)
      for (const p of c.properties) expect(covered.has(`${c.type}.${p}`), `${c.type}.${p}`).toBe(true);
  });
});
