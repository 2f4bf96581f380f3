import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lint } from '../../src/api';
import { parseTemplate } from '../../src/parse/parse';
import { isRecord } from '../../src/parse/parse';
import { EXAMPLES, ROOT, expectedLines, linesOf, lintFile } from '../helpers/examples';

const ELB_RULES = [
  'elb-listener-protocol-lb-type',
  'elb-target-group-compatibility',
  'elb-feature-lb-type-mismatch',
  'elb-nlb-security-groups',
  'elb-type-selection-advice',
  'elb-gwlb-appliance-wiring',
];

describe('examples/architectures/elb-edge.yaml', () => {
  it('is clean for every rule and fully decided by the load-balancer rules', () => {
    const result = lintFile(join(EXAMPLES, 'architectures', 'elb-edge.yaml'));
    expect(result.errors).toEqual([]);
    expect(result.findings).toEqual([]);
    expect(result.unknowns.filter((u) => ELB_RULES.includes(u.ruleId))).toEqual([]);
  });
});

describe('examples/architectures/elb-edge-mistakes.yaml', () => {
  const path = join(EXAMPLES, 'architectures', 'elb-edge-mistakes.yaml');
  const expected = expectedLines(readFileSync(path, 'utf8'));
  const result = lintFile(path);
  it('reports exactly the annotated lines', () => {
    expect(result.errors).toEqual([]);
    for (const id of ELB_RULES) expect(linesOf(result.findings, id), id).toEqual(expected.get(id) ?? []);
    expect(result.findings.filter((f) => !ELB_RULES.includes(f.ruleId))).toEqual([]);
  });
  it('covers five of the six rules', () => {
    expect([...expected.keys()].sort()).toEqual(ELB_RULES.filter((id) => id !== 'elb-type-selection-advice').sort());
  });
});

/**
 * The reviewed findings of the load-balancer rules over the shared corpus (every one was read and is true).
 * A change here means a rule changed behaviour on real templates: review the new findings before updating.
 */
const CORPUS_FINDINGS = [
  'acft__AWSSupplyChain__SapPrivateLink__SapPrivateLink.yaml:209 elb-nlb-security-groups ASCPrivateLinkNLB',
  'acft__AWSSupplyChain__SapPrivateLink__SapPrivateLinkNoHostedZone.yaml:181 elb-nlb-security-groups ASCPrivateLinkNLB',
  'acft__ElasticLoadBalancing__NetworkLoadBalancerWithEIPs.yaml:54 elb-nlb-security-groups loadBalancer',
  'iac-eval__cloudformation__ec2-vpc-endpointservice.yaml:16 elb-nlb-security-groups NetworkLoadBalancer',
  'prx__spire__templates__apps__exchange.yml:1999 elb-nlb-security-groups FtpServerNlb',
  'prx__spire__templates__apps__networks.yml:479 elb-nlb-security-groups Nlb',
];

const corpus = join(ROOT, '..', 'shared', 'corpus', 'templates');
describe.skipIf(!existsSync(corpus))('corpus (../shared/corpus/templates; skipped when absent)', () => {
  it('the load-balancer rules report only the reviewed findings', () => {
    const files = readdirSync(corpus).filter((f) => /\.(ya?ml|json|template)$/.test(f));
    const inputs = files
      .map((f) => ({ file: f, text: readFileSync(join(corpus, f), 'utf8') }))
      .filter((i) => i.text.includes('AWS::ElasticLoadBalancingV2::') || i.text.includes('SourceDestCheck'));
    const result = lint(
      inputs.map((i) => ({ ...i, explicit: false })),
      { config: { rules: {} } },
    );
    const found = result.findings
      .filter((f) => ELB_RULES.includes(f.ruleId) || f.ruleId === 'archlint-internal-error')
      .map((f) => `${f.file}:${f.line} ${f.ruleId} ${f.logicalId}`)
      .sort();
    expect(found).toEqual([...CORPUS_FINDINGS].sort());
  });
});

/** Every location a finding of these rules points at (and every related location) is written in the template. */
describe('finding and related locations exist in the examples', () => {
  const files = [
    ...ELB_RULES.flatMap((id) => ['bad.yaml', 'good.yaml'].map((f) => join(EXAMPLES, id, f))),
    join(EXAMPLES, 'architectures', 'elb-edge-mistakes.yaml'),
  ];
  const exists = (root: unknown, path: readonly (string | number)[]): boolean => {
    let cur = root;
    for (const seg of path) {
      if (Array.isArray(cur) && typeof seg === 'number') cur = cur[seg];
      else if (isRecord(cur) && typeof seg === 'string' && Object.hasOwn(cur, seg)) cur = cur[seg];
      else return false;
      if (cur === undefined) return false;
    }
    return true;
  };
  for (const file of files) {
    it(file.slice(EXAMPLES.length + 1), () => {
      const text = readFileSync(file, 'utf8');
      const parsed = parseTemplate(text, file);
      if (parsed.kind !== 'template') throw new Error(parsed.reason);
      const resources = parsed.template.Resources as Record<string, unknown>;
      for (const f of lintFile(file).findings.filter((x) => ELB_RULES.includes(x.ruleId))) {
        expect(exists(resources[f.logicalId!], f.path), `${f.ruleId} ${f.logicalId} ${f.path.join('.')}`).toBe(true);
        for (const r of f.related ?? []) {
          expect(exists(resources[r.logicalId!], r.path), `related ${r.logicalId} ${r.path.join('.')}`).toBe(true);
        }
      }
    });
  }
});
