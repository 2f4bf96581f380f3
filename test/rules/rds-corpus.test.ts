import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lint } from '../../src/api';
import { builtinRules } from '../../rules/index';
import { ROOT } from '../helpers/examples';

const corpus = join(ROOT, '..', 'shared', 'corpus', 'templates');
const RDS_RULES = new Set([
  'rds-encryption-at-creation',
  'rds-replica-encryption-consistency',
  'rds-multi-az-production',
  'rds-read-replicas-not-ha',
  'aurora-cluster-instance-topology',
]);

/** Every finding of the RDS rules on the corpus (default config), each one read and confirmed by hand. */
const REVIEWED = [
  'acft__DMS__DMSAuroraToS3FullLoadAndOngoingReplication.yaml:157 aurora-cluster-instance-topology warning AuroraCluster',
  'acft__DMS__DMSAuroraToS3FullLoadAndOngoingReplication.yaml:189 aurora-cluster-instance-topology warning AuroraDB',
  'acft__RDS__RDS_MySQL_With_Read_Replica.yaml:112 rds-read-replicas-not-ha warning MainDB',
  'acft__RDS__RDS_MySQL_With_Read_Replica.yaml:114 rds-encryption-at-creation info MainDB',
  'acft__RDS__RDS_PIOPS.yaml:27 rds-multi-az-production warning myDB',
  'acft__RDS__RDS_PIOPS.yaml:39 rds-encryption-at-creation info myDB',
  'acft__RDS__RDS_Snapshot_On_Delete.yaml:9 rds-multi-az-production warning MyDB',
  'acft__RDS__RDS_Snapshot_On_Delete.yaml:22 rds-encryption-at-creation info MyDB',
  'acft__RDS__RDS_with_DBParameterGroup.yaml:38 rds-multi-az-production warning MyDB',
  'acft__RDS__RDS_with_DBParameterGroup.yaml:53 rds-encryption-at-creation info MyDB',
  'cfnlint__public__rds-cluster.yaml:25 aurora-cluster-instance-topology info DBCluster',
  'cfnlint__public__rds-cluster.yaml:25 rds-encryption-at-creation info DBCluster',
  'cfnlint__quickstart__nist_application.yaml:1021 rds-encryption-at-creation info rRDSInstanceMySQL',
  'cfnlint__quickstart__test.yaml:144 rds-encryption-at-creation info rDBServerInstance',
  'iac-eval__cloudformation__rds-sql-server-w-vpc.yaml:134 rds-encryption-at-creation info RdsDB',
  'prx__db__mysql-instance.yml:138 rds-encryption-at-creation error MysqlInstance',
  'prx__db__mysql-instance.yml:159 rds-multi-az-production warning MysqlInstance',
  'prx__db__shared-apps-aurora-mysql__database-cluster.yml:103 aurora-cluster-instance-topology warning DbCluster',
  'prx__db__shared-apps-aurora-pg__database-cluster.yml:85 aurora-cluster-instance-topology warning DbCluster',
  'prx__theworld__terra__templates__shared-aurora-mysql.yml:55 aurora-cluster-instance-topology warning DbCluster2',
  'startup-kit__templates__aurora.cfn.yml:197 aurora-cluster-instance-topology warning AuroraCluster',
  'startup-kit__templates__aurora.cfn.yml:204 rds-encryption-at-creation error AuroraCluster',
  'startup-kit__templates__aurora.cfn.yml:219 aurora-cluster-instance-topology warning AuroraInstance0',
  'startup-kit__templates__db.cfn.yml:230 rds-multi-az-production warning Database',
  'startup-kit__templates__db.cfn.yml:231 rds-encryption-at-creation error Database',
  'widdix__state__rds-aurora-serverless-postgres.yaml:218 aurora-cluster-instance-topology info DBCluster',
  'widdix__state__rds-aurora-serverless.yaml:225 aurora-cluster-instance-topology info DBCluster',
  'widdix__state__rds-aurora.yaml:320 rds-encryption-at-creation error DBCluster',
  'widdix__state__rds-mysql.yaml:229 rds-encryption-at-creation error DBInstance',
  'widdix__state__rds-postgres.yaml:229 rds-encryption-at-creation error DBInstance',
  'widdix__wordpress__wordpress-ha-aurora.yaml:508 rds-encryption-at-creation error DatabaseCluster',
  'widdix__wordpress__wordpress-ha.yaml:649 rds-encryption-at-creation error Database',
];

describe.skipIf(!existsSync(corpus))('RDS rules on the corpus (skipped: ../shared/corpus is absent)', () => {
  it('report exactly the reviewed findings on the templates with RDS or Aurora databases', () => {
    const files = readdirSync(corpus).filter((f) =>
      /AWS::RDS::DB(Instance|Cluster)/.test(readFileSync(join(corpus, f), 'utf8')),
    );
    expect(files.length).toBe(28);
    const rules = builtinRules.filter((r) => RDS_RULES.has(r.id));
    const result = lint(
      files.map((f) => ({ file: f, text: readFileSync(join(corpus, f), 'utf8') })),
      { rules },
    );
    expect(result.findings.filter((f) => f.ruleId.startsWith('archlint-'))).toEqual([]);
    const got = result.findings.map((f) => `${f.file}:${f.line} ${f.ruleId} ${f.severity} ${f.logicalId}`);
    expect(got.sort()).toEqual([...REVIEWED].sort());
  });
});
