import { describe, expect, it } from 'vitest';
import { lint } from '../../src/api';
import { defineRule } from '../../src/engine/rule';
import { INTERNAL_ERROR_RULE, SUPPRESSION_RULE } from '../../src/engine/linter';
import { ReferenceGraph } from '../../src/model/graph';
import { modelOf } from '../helpers/model';

const topicRule = defineRule({
  id: 'test-topic-name',
  title: 'Topics need a name',
  severity: 'warning',
  pillar: 'operations',
  tier: '2',
  scope: 'resource',
  resourceTypes: ['AWS::SNS::Topic'],
  rationale: 'r',
  remediation: 'm',
  citations: ['notes/x:1'],
  check(r, ctx) {
    const v = ctx.value(r, ['Properties', 'TopicName']);
    if (v.kind === 'missing') ctx.report(r, { message: `${r.logicalId} has no name` });
    else if (v.kind === 'unknown') ctx.unknown(r, { path: ['Properties', 'TopicName'], why: v.why });
  },
});

const throwing = defineRule({
  ...topicRule,
  id: 'test-throws',
  check() {
    throw new Error('boom');
  },
});

const text = `Parameters:
  Name: { Type: String }
  Flag: { Type: String }
Conditions:
  Maybe: !Equals [!Ref Flag, 'yes']
Resources:
  A:
    Type: AWS::SNS::Topic
  B:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Ref Name
  C:
    Type: AWS::SNS::Topic
    Condition: Maybe
  D:
    Type: AWS::SNS::Topic
    Metadata:
      archlint:
        suppress:
          - id: test-topic-name
            reason: legacy topic, renamed in Q3
  E:
    Type: AWS::SNS::Topic
    Metadata:
      archlint:
        suppress:
          - id: test-topic-name
`;

describe('engine', () => {
  const result = lint({ file: 't.yaml', text }, { rules: [topicRule, throwing] });
  const of = (id: string) => result.findings.filter((f) => f.ruleId === id);

  it('reports with file, logical id, type, line and column', () => {
    const a = of('test-topic-name').find((f) => f.logicalId === 'A')!;
    expect(a).toMatchObject({
      file: 't.yaml',
      resourceType: 'AWS::SNS::Topic',
      line: 7,
      column: 3,
      severity: 'warning',
    });
    expect(a.fingerprint).toMatch(/^[0-9a-f]{32}$/);
  });
  it('unknown values produce unknown outcomes, not findings', () => {
    expect(of('test-topic-name').some((f) => f.logicalId === 'B')).toBe(false);
    expect(result.unknowns.some((u) => u.logicalId === 'B' && /Name/.test(u.why))).toBe(true);
  });
  it('a resource that may not exist gives unknown outcomes', () => {
    expect(of('test-topic-name').some((f) => f.logicalId === 'C')).toBe(false);
    expect(result.unknowns.some((u) => u.logicalId === 'C' && /Maybe/.test(u.why))).toBe(true);
  });
  it('honours suppressions with a reason and keeps them marked', () => {
    const d = of('test-topic-name').find((f) => f.logicalId === 'D')!;
    expect(d.suppressed).toEqual({ kind: 'metadata', reason: 'legacy topic, renamed in Q3' });
  });
  it('does not honour a suppression without a reason and reports it', () => {
    const e = of('test-topic-name').find((f) => f.logicalId === 'E')!;
    expect(e.suppressed).toBeUndefined();
    const s = of(SUPPRESSION_RULE);
    expect(s).toHaveLength(1);
    expect(s[0]).toMatchObject({ logicalId: 'E', line: 28, column: 11 });
  });
  it('a throwing rule becomes an internal-error finding and linting continues', () => {
    const internal = of(INTERNAL_ERROR_RULE);
    expect(internal.length).toBeGreaterThan(0);
    expect(internal[0]!.message).toMatch(/test-throws.*boom/);
    expect(of('test-topic-name').length).toBeGreaterThan(0);
  });
  it('summary counts', () => {
    expect(result.summary.files).toBe(1);
    expect(result.summary.resources).toBe(5);
    expect(result.summary.suppressed).toBe(1);
  });
  it('config turns rules off and overrides severities', () => {
    const off = lint({ file: 't.yaml', text }, { rules: [topicRule], config: { rules: { 'test-topic-name': 'off' } } });
    expect(off.findings.filter((f) => f.ruleId === 'test-topic-name')).toEqual([]);
    const err = lint(
      { file: 't.yaml', text },
      { rules: [topicRule], config: { rules: { 'test-topic-name': 'error' } } },
    );
    expect(err.findings.find((f) => f.logicalId === 'A')!.severity).toBe('error');
  });
  it('parameters resolve unknowns', () => {
    const r2 = lint({ file: 't.yaml', text }, { rules: [topicRule], parameters: { Flag: 'yes' } });
    expect(r2.findings.some((f) => f.logicalId === 'C')).toBe(true);
  });
  it('baseline fingerprints mark findings as suppressed', () => {
    const fp = of('test-topic-name').find((f) => f.logicalId === 'A')!.fingerprint;
    const r2 = lint({ file: 't.yaml', text }, { rules: [topicRule], baselineFingerprints: new Set([fp]) });
    expect(r2.findings.find((f) => f.logicalId === 'A')!.suppressed?.kind).toBe('baseline');
  });
  it('fingerprints are stable across unrelated edits', () => {
    const edited =
      '# a new comment\n' +
      text.replace(
        '  A:\n    Type: AWS::SNS::Topic\n',
        '  A:\n    Type: AWS::SNS::Topic\n  Z:\n    Type: AWS::SQS::Queue\n',
      );
    const r2 = lint({ file: 't.yaml', text: edited }, { rules: [topicRule] });
    const a1 = of('test-topic-name').find((f) => f.logicalId === 'A')!;
    const a2 = r2.findings.find((f) => f.logicalId === 'A')!;
    expect(a2.fingerprint).toBe(a1.fingerprint);
    expect(a2.line).toBe(a1.line + 1);
  });
  it('template objects without text get locations from their JSON rendering', () => {
    const r2 = lint(
      { file: 'obj.json', template: { Resources: { A: { Type: 'AWS::SNS::Topic' } } } },
      { rules: [topicRule] },
    );
    expect(r2.findings[0]).toMatchObject({ logicalId: 'A', line: 3 });
  });
  it('reports the CDK construct path', () => {
    const r2 = lint(
      {
        file: 'cdk.json',
        template: {
          Resources: { A: { Type: 'AWS::SNS::Topic', Metadata: { 'aws:cdk:path': 'App/Stack/Topic/Resource' } } },
        },
      },
      { rules: [topicRule] },
    );
    expect(r2.findings[0]!.constructPath).toBe('App/Stack/Topic/Resource');
  });
  it('resolves Fn::ImportValue across analysed templates', () => {
    const producer = `Resources:\n  T:\n    Type: AWS::SQS::Queue\nOutputs:\n  N:\n    Value: shared-name\n    Export: { Name: topic-name }\n`;
    const consumer = `Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !ImportValue topic-name\n`;
    const alone = lint({ file: 'c.yaml', text: consumer }, { rules: [topicRule] });
    expect(alone.unknowns).toHaveLength(1);
    const both = lint(
      [
        { file: 'p.yaml', text: producer },
        { file: 'c.yaml', text: consumer },
      ],
      { rules: [topicRule] },
    );
    expect(both.unknowns).toHaveLength(0);
  });
  it('input errors name the file and other inputs are still linted', () => {
    const r2 = lint(
      [
        { file: 'broken.yaml', text: 'Resources: [' },
        { file: 'ok.yaml', text: 'Resources:\n  A:\n    Type: AWS::SNS::Topic\n' },
      ],
      { rules: [topicRule] },
    );
    expect(r2.errors).toHaveLength(1);
    expect(r2.errors[0]!.file).toBe('broken.yaml');
    expect(r2.errors[0]!.message).toMatch(/^broken\.yaml:\d+:\d+: invalid YAML/);
    expect(r2.findings.map((f) => f.file)).toEqual(['ok.yaml']);
  });
});

describe('defineRule validates metadata', () => {
  it('rejects a rule without citations or a bad id', () => {
    expect(() => defineRule({ ...topicRule, citations: [] })).toThrow(/citation/);
    expect(() => defineRule({ ...topicRule, id: 'Bad_Id' })).toThrow(/kebab/);
  });
});

describe('reference graph', () => {
  const m = modelOf(`Resources:
  Vpc: { Type: AWS::EC2::VPC }
  Subnet:
    Type: AWS::EC2::Subnet
    DependsOn: [Igw]
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: !Select [0, !GetAtt Vpc.CidrBlockAssociations]
      Tags: [{ Key: Name, Value: !Sub '\${Vpc}-\${AWS::Region}-\${X}' }]
  Igw: { Type: AWS::EC2::InternetGateway }
`);
  const g = new ReferenceGraph(m);
  it('forward edges with kinds and paths', () => {
    const edges = g.references('Subnet').map((e) => [e.kind, e.to, e.path.join('.')]);
    expect(edges).toEqual([
      ['DependsOn', 'Igw', 'DependsOn.0'],
      ['Ref', 'Vpc', 'Properties.VpcId'],
      ['GetAtt', 'Vpc', 'Properties.CidrBlock.Fn::Select.1'],
      ['Sub', 'Vpc', 'Properties.Tags.0.Value'],
    ]);
  });
  it('reverse edges', () => {
    expect(g.referrers('Vpc').map((e) => e.from)).toEqual(['Subnet', 'Subnet', 'Subnet']);
    expect(g.referrers('Igw').map((e) => e.kind)).toEqual(['DependsOn']);
  });
});
