import { describe, expect, it } from 'vitest';
import { parseTemplate, ParseError, DEFAULT_LIMITS } from '../../src/parse/parse';

const tpl = (body: string) => `AWSTemplateFormatVersion: 2010-09-09\nResources:\n${body}`;

function parse(text: string) {
  const r = parseTemplate(text, 'x.yaml');
  if (r.kind !== 'template') throw new Error(r.reason);
  return r.template as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe('YAML short-form tags are normalised to long form', () => {
  const t = parse(
    tpl(`  R:
    Type: X
    Properties:
      Ref1: !Ref Param
      Att1: !GetAtt Res.Attr.Nested
      Att2: !GetAtt [Res, Attr]
      Sub1: !Sub 'a-\${AWS::Region}'
      Sub2: !Sub ['\${x}', { x: !Ref P }]
      Join: !Join [',', [a, b]]
      Select: !Select [0, !GetAZs '']
      Split: !Split [',', 'a,b']
      If: !If [Cond, a, !Ref AWS::NoValue]
      Eq: !Equals [a, b]
      And: !And [!Condition A, !Not [!Condition B]]
      Or: !Or [!Condition A, !Condition B]
      Map: !FindInMap [M, K1, K2]
      Azs: !GetAZs us-east-1
      Imp: !ImportValue shared-vpc
      B64: !Base64 hello
      Cidr: !Cidr ['10.0.0.0/16', 4, 8]
      Tr: !Transform { Name: AWS::Include, Parameters: { Location: s3://b/k } }
`),
  );
  const p = t.Resources.R.Properties;
  it.each([
    ['Ref1', { Ref: 'Param' }],
    ['Att1', { 'Fn::GetAtt': ['Res', 'Attr.Nested'] }],
    ['Att2', { 'Fn::GetAtt': ['Res', 'Attr'] }],
    ['Sub1', { 'Fn::Sub': 'a-${AWS::Region}' }],
    ['Sub2', { 'Fn::Sub': ['${x}', { x: { Ref: 'P' } }] }],
    ['Join', { 'Fn::Join': [',', ['a', 'b']] }],
    ['Select', { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] }],
    ['Split', { 'Fn::Split': [',', 'a,b'] }],
    ['If', { 'Fn::If': ['Cond', 'a', { Ref: 'AWS::NoValue' }] }],
    ['Eq', { 'Fn::Equals': ['a', 'b'] }],
    ['And', { 'Fn::And': [{ Condition: 'A' }, { 'Fn::Not': [{ Condition: 'B' }] }] }],
    ['Or', { 'Fn::Or': [{ Condition: 'A' }, { Condition: 'B' }] }],
    ['Map', { 'Fn::FindInMap': ['M', 'K1', 'K2'] }],
    ['Azs', { 'Fn::GetAZs': 'us-east-1' }],
    ['Imp', { 'Fn::ImportValue': 'shared-vpc' }],
    ['B64', { 'Fn::Base64': 'hello' }],
    ['Cidr', { 'Fn::Cidr': ['10.0.0.0/16', 4, 8] }],
    ['Tr', { 'Fn::Transform': { Name: 'AWS::Include', Parameters: { Location: 's3://b/k' } } }],
  ])('%s', (key, expected) => {
    expect(JSON.parse(JSON.stringify(p[key]))).toEqual(expected);
  });

  it('keeps AWSTemplateFormatVersion a string (no YAML timestamps)', () => {
    expect(t.AWSTemplateFormatVersion).toBe('2010-09-09');
  });

  it('accepts tags outside the CloudFormation set as Fn:: functions', () => {
    const t2 = parse(tpl(`  R:\n    Type: X\n    Properties:\n      V: !ValueOf [P, Attr]\n`));
    expect(JSON.parse(JSON.stringify(t2.Resources.R.Properties.V))).toEqual({ 'Fn::ValueOf': ['P', 'Attr'] });
  });
});

describe('JSON', () => {
  it('parses JSON templates', () => {
    const r = parseTemplate('{"Resources":{"A":{"Type":"AWS::SNS::Topic"}}}', 'a.json');
    expect(r.kind).toBe('template');
    expect(r.format).toBe('json');
  });
  it('reports the line of a JSON syntax error', () => {
    try {
      parseTemplate('{\n  "Resources": {\n    "A": ,\n  }\n}', 'a.json');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ParseError);
      expect((e as ParseError).message).toMatch(/invalid JSON/);
      expect((e as ParseError).line).toBe(3);
    }
  });
});

describe('non-templates', () => {
  it.each([
    ['a Kubernetes manifest', 'apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n', 'k8s.yaml'],
    ['package.json', '{"name":"x","version":"1.0.0"}', 'package.json'],
    ['a YAML list', '- a\n- b\n', 'list.yaml'],
  ])('%s is not a template', (_n, text, file) => {
    expect(parseTemplate(text, file).kind).toBe('not-a-template');
  });
  it('a template with only AWSTemplateFormatVersion is a template', () => {
    expect(parseTemplate('AWSTemplateFormatVersion: "2010-09-09"\n', 'a.yaml').kind).toBe('template');
  });
});

describe('safety', () => {
  it('treats __proto__ and constructor keys as data without polluting prototypes', () => {
    const yaml = tpl(
      `  __proto__:\n    Type: AWS::SNS::Topic\n    polluted: yes\n  constructor:\n    Type: AWS::SNS::Topic\n`,
    );
    const t = parse(yaml);
    expect(Object.keys(t.Resources)).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(t.Resources)).toBeNull();
    const j = parseTemplate('{"Resources":{"__proto__":{"Type":"AWS::SNS::Topic","polluted":1}}}', 'a.json');
    expect(j.kind).toBe('template');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects a YAML alias bomb quickly with a clear error', () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 12; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      lines.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    lines.push('Resources: {}');
    expect(() => parseTemplate(lines.join('\n'), 'bomb.yaml')).toThrow(/aliases|nodes/);
  });

  it('rejects too deep nesting', () => {
    const deep = 'Resources:\n  A:\n    Type: X\n    Properties:\n      P: ' + '['.repeat(500) + ']'.repeat(500) + '\n';
    expect(() => parseTemplate(deep, 'deep.yaml')).toThrow(ParseError);
  });

  it('rejects files over the size limit', () => {
    expect(() => parseTemplate('x'.repeat(100), 'big.yaml', { ...DEFAULT_LIMITS, maxBytes: 10 })).toThrow(/larger/);
  });

  it('reports invalid YAML with its line', () => {
    try {
      parseTemplate('Resources:\n  A:\n    Type: [unclosed\n', 'bad.yaml');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ParseError);
      expect((e as ParseError).message).toMatch(/invalid YAML/);
      expect((e as ParseError).line).toBeGreaterThan(0);
    }
  });
});
