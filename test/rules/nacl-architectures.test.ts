import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLES, expectedLines, linesOf, lintFile } from '../helpers/examples';

const NACL_RULES = ['nacl-ephemeral-return-traffic', 'nacl-entry-validity-and-order', 'nacl-subnet-association'];
const dir = join(EXAMPLES, 'architectures');

describe('three-tier VPC architecture', () => {
  it('vpc-three-tier.yaml is clean for every rule, with no unknown NACL outcome', () => {
    const r = lintFile(join(dir, 'vpc-three-tier.yaml'));
    expect(r.errors).toEqual([]);
    expect(r.findings.map((f) => `${f.ruleId} ${f.logicalId}:${f.line}`)).toEqual([]);
    expect(r.unknowns.filter((u) => NACL_RULES.includes(u.ruleId))).toEqual([]);
  });

  it('vpc-three-tier-mistakes.yaml reports exactly the annotated lines', () => {
    const path = join(dir, 'vpc-three-tier-mistakes.yaml');
    const expected = expectedLines(readFileSync(path, 'utf8'));
    const r = lintFile(path);
    expect(r.errors).toEqual([]);
    for (const id of NACL_RULES) {
      expect(expected.get(id)?.length, `annotations for ${id}`).toBeGreaterThan(0);
      expect(linesOf(r.findings, id), id).toEqual(expected.get(id));
    }
  });
});
