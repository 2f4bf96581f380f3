import { describe, expect, it } from 'vitest';
import {
  ResourceRef,
  SymbolicAz,
  alternatives,
  toBool,
  toNumber,
  cidrSubnets,
  type Value,
} from '../../src/model/values';
import { evaluatorOf } from '../helpers/model';

const template = `
Parameters:
  Env: { Type: String, Default: prod }
  NoDefault: { Type: String }
  Subnets: { Type: CommaDelimitedList, Default: 'subnet-1, subnet-2' }
  Ami: { Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: /aws/ami }
  Size: { Type: Number, Default: 5 }
Mappings:
  RegionMap:
    eu-west-1: { Ami: ami-123 }
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  Unknown: !Equals [!Ref NoDefault, x]
  ProdOrUnknown: !Or [!Condition IsProd, !Condition Unknown]
  DevAndUnknown: !And [!Condition IsDev, !Condition Unknown]
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: { CidrBlock: 10.0.0.0/16 }
  Conditional:
    Type: AWS::SNS::Topic
    Condition: Unknown
  Off:
    Type: AWS::SNS::Topic
    Condition: IsDev
  R:
    Type: Test
    Properties:
      Lit: hello
      Bool: 'true'
      RefParam: !Ref Env
      RefNoDefault: !Ref NoDefault
      RefResource: !Ref Vpc
      Att: !GetAtt Vpc.CidrBlock
      Region: !Ref AWS::Region
      NoValue: !Ref AWS::NoValue
      Sub: !Sub '\${Env}-\${AWS::Region}'
      SubVars: !Sub ['\${A}-x', { A: !Ref Env }]
      SubResource: !Sub 'arn:\${Vpc}'
      SubEscape: !Sub '\${!Literal}-\${Env}'
      Join: !Join ['-', [a, !Ref Env]]
      SelectList: !Select [1, !Ref Subnets]
      SelectAz: !Select [1, !GetAZs '']
      Split: !Split [',', 'a,b,c']
      IfKnown: !If [IsProd, big, small]
      IfUnknown: !If [Unknown, big, small]
      IfSame: !If [Unknown, same, same]
      IfNoValue: !If [IsDev, x, !Ref AWS::NoValue]
      Map: !FindInMap [RegionMap, !Ref AWS::Region, Ami]
      Cidr: !Select [2, !Cidr [10.0.0.0/16, 4, 8]]
      B64: !Base64 hi
      Import: !ImportValue other-stack-vpc
      Ssm: !Ref Ami
      Dynamic: '{{resolve:secretsmanager:db:SecretString:password}}'
      Nested:
        Known: a
        Unknown: !Ref NoDefault
      List: [a, !If [IsDev, b, !Ref AWS::NoValue], c]
      Macro: !ValueOf [X, Y]
`;

const ev = evaluatorOf(template, { pseudo: { 'AWS::Region': 'eu-west-1' } });
const r = ev.model.resources.get('R')!;
const at = (k: string): Value => ev.at(r, ['Properties', k]);
const knownOf = (k: string) => {
  const v = at(k);
  expect(v.kind, `${k}: ${JSON.stringify(v)}`).toBe('known');
  return v.kind === 'known' ? v.value : undefined;
};

describe('evaluation of intrinsics', () => {
  it('literals', () => expect(knownOf('Lit')).toBe('hello'));
  it('Ref to a parameter uses its Default', () => expect(knownOf('RefParam')).toBe('prod'));
  it('Ref to a parameter without value is unknown and names it', () => {
    const v = at('RefNoDefault');
    expect(v).toMatchObject({ kind: 'unknown', why: expect.stringContaining('NoDefault') });
  });
  it('Ref and GetAtt to a resource resolve the edge', () => {
    expect(knownOf('RefResource')).toEqual(new ResourceRef('Vpc'));
    expect(knownOf('Att')).toEqual(new ResourceRef('Vpc', 'CidrBlock'));
  });
  it('pseudo parameters come from the environment', () => expect(knownOf('Region')).toBe('eu-west-1'));
  it('AWS::NoValue is missing', () => expect(at('NoValue').kind).toBe('missing'));
  it('Fn::Sub', () => {
    expect(knownOf('Sub')).toBe('prod-eu-west-1');
    expect(knownOf('SubVars')).toBe('prod-x');
    expect(knownOf('SubEscape')).toBe('${Literal}-prod');
    expect(at('SubResource').kind).toBe('unknown');
  });
  it('Fn::Join, Fn::Select, Fn::Split', () => {
    expect(knownOf('Join')).toBe('a-prod');
    expect(knownOf('SelectList')).toBe('subnet-2');
    expect(knownOf('Split')).toEqual(['a', 'b', 'c']);
  });
  it('Fn::Select over Fn::GetAZs gives a symbolic AZ', () => expect(knownOf('SelectAz')).toEqual(new SymbolicAz(1)));
  it('Fn::If with a known condition takes one branch', () => expect(knownOf('IfKnown')).toBe('big'));
  it('Fn::If with an unknown condition keeps both branches', () => {
    const v = at('IfUnknown');
    expect(v.kind).toBe('unknown');
    expect(alternatives(v)).toEqual(['big', 'small']);
    expect(knownOf('IfSame')).toBe('same');
  });
  it('Fn::If to AWS::NoValue is missing', () => expect(at('IfNoValue').kind).toBe('missing'));
  it('Fn::FindInMap keyed on the Region', () => expect(knownOf('Map')).toBe('ami-123'));
  it('Fn::Cidr', () => expect(knownOf('Cidr')).toBe('10.0.2.0/24'));
  it('Fn::Base64', () => expect(knownOf('B64')).toBe(Buffer.from('hi').toString('base64')));
  it('Fn::ImportValue of an unanalysed stack is unknown', () =>
    expect(at('Import')).toMatchObject({ kind: 'unknown', why: expect.stringContaining('other-stack-vpc') }));
  it('SSM parameter types are unknown even with a Default', () => expect(at('Ssm').kind).toBe('unknown'));
  it('dynamic references are unknown', () => expect(at('Dynamic').kind).toBe('unknown'));
  it('navigation reaches known leaves next to unknown siblings', () => {
    expect(ev.at(r, ['Properties', 'Nested', 'Known'])).toEqual({ kind: 'known', value: 'a' });
    expect(at('Nested').kind).toBe('unknown');
  });
  it('list items that are AWS::NoValue are dropped', () => expect(knownOf('List')).toEqual(['a', 'c']));
  it('functions archlint does not evaluate are unknown, never known objects', () =>
    expect(at('Macro').kind).toBe('unknown'));
  it('missing properties', () => expect(ev.at(r, ['Properties', 'Nope']).kind).toBe('missing'));
});

describe('conditions', () => {
  it.each([
    ['IsProd', true],
    ['IsDev', false],
    ['Unknown', undefined],
    ['ProdOrUnknown', true],
    ['DevAndUnknown', false],
  ])('%s -> %s', (name, expected) => expect(ev.condition(name)).toBe(expected));
  it('resource existence follows its condition', () => {
    expect(ev.exists('Vpc')).toBe('yes');
    expect(ev.exists('Off')).toBe('no');
    expect(ev.exists('Conditional')).toBe('maybe');
  });
  it('supplied parameters override defaults', () => {
    const e2 = evaluatorOf(template, { parameters: { Env: 'dev', NoDefault: 'x' } });
    expect(e2.condition('IsProd')).toBe(false);
    expect(e2.condition('Unknown')).toBe(true);
  });
  it('pseudo parameters without a configured value are unknown', () => {
    const e2 = evaluatorOf(template);
    expect(e2.at(e2.model.resources.get('R')!, ['Properties', 'Region']).kind).toBe('unknown');
  });
});

describe('normalisation', () => {
  it.each([
    ['true', true],
    ['False', false],
    [true, true],
    ['yes', undefined],
  ])('toBool(%j)', (v, b) => expect(toBool(v)).toBe(b));
  it.each([
    ['5', 5],
    [' 10 ', 10],
    ['1.5', 1.5],
    ['x', undefined],
    ['', undefined],
  ])('toNumber(%j)', (v, n) => expect(toNumber(v)).toBe(n));
  it('Fn::Cidr for IPv6', () => {
    expect(cidrSubnets('2001:db8::/56', 2, 64)).toEqual(['2001:db8::/64', '2001:db8:0:1::/64']);
  });
});

describe('scenarios of unknown conditions', () => {
  it('enumerates the unknown conditions of a node and assumes each combination', () => {
    const node = ev.model.resources.get('R')!.properties.IfUnknown;
    const s = ev.scenarios(node)!;
    expect(s.map((x) => x.assumptions)).toEqual([{ Unknown: false }, { Unknown: true }]);
    expect(s.map((x) => x.evaluator.value(node))).toEqual([
      { kind: 'known', value: 'small' },
      { kind: 'known', value: 'big' },
    ]);
  });
  it('known conditions are not enumerated', () => {
    expect(ev.scenarios(ev.model.resources.get('R')!.properties.IfKnown)!).toHaveLength(1);
  });
});
