import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLES, expectedLines, linesOf, lintFile } from '../helpers/examples';

const RDS_RULES = [
  'rds-encryption-at-creation',
  'rds-replica-encryption-consistency',
  'rds-multi-az-production',
  'rds-read-replicas-not-ha',
  'aurora-cluster-instance-topology',
];

describe('examples/architectures: RDS production tier', () => {
  it('rds-production-tier.yaml is clean for every rule', () => {
    const result = lintFile(join(EXAMPLES, 'architectures', 'rds-production-tier.yaml'));
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => `${f.line} ${f.ruleId}: ${f.message}`)).toEqual([]);
  });

  it('rds-production-tier-mistakes.yaml reports exactly the annotated lines', () => {
    const path = join(EXAMPLES, 'architectures', 'rds-production-tier-mistakes.yaml');
    const expected = expectedLines(readFileSync(path, 'utf8'));
    const result = lintFile(path);
    expect(result.errors).toEqual([]);
    for (const id of new Set([...RDS_RULES, ...expected.keys()])) {
      expect(linesOf(result.findings, id), id).toEqual(expected.get(id) ?? []);
    }
  });
});
