import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineRule } from '../../src/engine/rule';
import type { TemplateDiff } from '../../src/diff/types';
import { ROOT } from '../helpers/examples';
import { DIFF_RULES, lintDiff } from '../helpers/diff';

/** Capture the diff the engine computes for a baseline/new pair. */
function diffOf(baseline: string, next: string, opts: Parameters<typeof lintDiff>[2] = {}): TemplateDiff {
  let captured: TemplateDiff | undefined;
  const probe = defineRule({
    id: 'test-diff-probe',
    title: 'probe',
    severity: 'info',
    pillar: 'reliability',
    tier: '2',
    scope: 'diff',
    rationale: 'test',
    remediation: 'test',
    citations: ['test'],
    checkTemplate(ctx) {
      captured = ctx.baseline?.diff;
    },
  });
  lintDiff(baseline, next, { ...opts, rules: [probe] });
  expect(captured).toBeDefined();
  return captured!;
}

describe('matching and events (catalog 2.5.3)', () => {
  it('pairs by logical id and type; type changes, removals and additions are separate', () => {
    const d = diffOf(
      'Resources:\n  A: { Type: AWS::SNS::Topic }\n  B: { Type: AWS::SQS::Queue }\n  C: { Type: AWS::SNS::Topic }\n',
      'Resources:\n  A: { Type: AWS::SNS::Topic }\n  B: { Type: AWS::SNS::Topic }\n  D: { Type: AWS::Lambda::Url, Properties: { AuthType: NONE, TargetFunctionArn: x } }\n',
    );
    expect([...d.pairs.keys()]).toEqual(['A']);
    expect(d.typeChanges.map((t) => [t.logicalId, t.old.type, t.new.type])).toEqual([
      ['B', 'AWS::SQS::Queue', 'AWS::SNS::Topic'],
    ]);
    expect(d.removals.map((r) => r.logicalId)).toEqual(['C']);
    expect(d.additions.map((r) => r.logicalId)).toEqual(['D']);
  });

  it('renames only stateful types, by explicit name or similarity', () => {
    const d = diffOf(
      'Resources:\n  T1: { Type: AWS::SNS::Topic }\n  Q1: { Type: AWS::SQS::Queue, Properties: { QueueName: jobs, VisibilityTimeout: 5 } }\n',
      'Resources:\n  T2: { Type: AWS::SNS::Topic }\n  Q2: { Type: AWS::SQS::Queue, Properties: { QueueName: jobs, VisibilityTimeout: 60 } }\n',
    );
    expect(d.renames.map((r) => [r.old.logicalId, r.new.logicalId, r.by])).toEqual([['Q1', 'Q2', 'name']]);
    expect(d.removals.map((r) => r.logicalId)).toEqual(['T1']);
  });

  it('references to resources renamed together count as equal for the similarity', () => {
    const t = (key: string, bucket: string) => `Resources:
  ${key}: { Type: AWS::KMS::Key, Properties: { KeyPolicy: {}, EnableKeyRotation: true } }
  ${bucket}:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: aws:kms, KMSMasterKeyID: !Ref ${key} } }] }
`;
    const d = diffOf(t('Key1', 'Bucket1'), t('Key2', 'Bucket2'));
    expect(d.renames.map((r) => `${r.old.logicalId}->${r.new.logicalId}`).sort()).toEqual([
      'Bucket1->Bucket2',
      'Key1->Key2',
    ]);
  });

  it('the cascade runs to a fixed point, through Ref, GetAtt and Fn::Sub, and stops at in-place properties', () => {
    const t = (cidr: string) => `Resources:
  Vpc: { Type: AWS::EC2::VPC, Properties: { CidrBlock: ${cidr} } }
  Subnet: { Type: AWS::EC2::Subnet, Properties: { VpcId: !GetAtt Vpc.VpcId, CidrBlock: 10.0.0.0/28 } }
  Nat: { Type: AWS::EC2::NatGateway, Properties: { SubnetId: !Sub '\${Subnet}', ConnectivityType: private } }
  Route: { Type: AWS::EC2::Route, Properties: { RouteTableId: rtb-1, DestinationCidrBlock: 0.0.0.0/0, NatGatewayId: !Ref Nat } }
  Table: { Type: AWS::EC2::RouteTable, Properties: { VpcId: !Ref Vpc } }
  Assoc: { Type: AWS::EC2::SubnetRouteTableAssociation, Properties: { SubnetId: !Ref Subnet, RouteTableId: !Ref Table } }
`;
    const d = diffOf(t('10.0.0.0/24'), t('10.1.0.0/24'));
    expect(d.cascades.get('Vpc')?.replaced).toEqual(['Subnet', 'Table', 'Nat', 'Assoc']);
    expect(d.replacements.get('Nat')?.via).toEqual({ property: 'SubnetId', target: 'Subnet' });
    expect(d.replacements.has('Route')).toBe(false); // NatGatewayId is updated in place
  });

  it('identical templates: no changes at all', () => {
    for (const c of readdirSync(join(ROOT, 'examples', 'diff'))) {
      const text = readFileSync(join(ROOT, 'examples', 'diff', c, 'new.yaml'), 'utf8');
      const d = diffOf(text, text);
      expect([...d.pairs.values()].flatMap((p) => p.changes.filter((x) => x.status !== 'unknown'))).toEqual([]);
      expect([d.removals, d.additions, d.renames, d.typeChanges, [...d.replacements.keys()]]).toEqual([
        [],
        [],
        [],
        [],
        [],
      ]);
    }
  });
});

describe('secrets are masked in every message', () => {
  it('NoEcho parameters (with a default or a supplied value) and dynamic references show as ****', () => {
    const t = (user: string, name: string) => `Parameters:
  DbUser: { Type: String, NoEcho: true, Default: s3cr3t-admin }
  DbUser2: { Type: String, NoEcho: true, Default: other-admin }
  DbName: { Type: String, NoEcho: true }
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t4g.micro
      StorageEncrypted: true
      MasterUsername: ${user}
      DBName: ${name}
`;
    const r = lintDiff(t('!Ref DbUser', "'{{resolve:ssm:/prod/db/name}}'"), t('!Ref DbUser2', "!Sub 'app_${DbName}'"), {
      parameters: { DbName: 'topsecretname' },
    });
    const messages = r.findings.filter((f) => DIFF_RULES.includes(f.ruleId)).map((f) => f.message);
    expect(messages).toEqual([expect.stringContaining('because MasterUsername changed: MasterUsername (**** → ****)')]);
    // The dynamic reference makes DBName unknown on the baseline side: an unknown outcome, never a finding.
    expect(r.unknowns.map((u) => u.why)).toContain('whether DBName changes: baseline value: dynamic reference to ssm');
    const all = JSON.stringify(r);
    for (const secret of ['s3cr3t-admin', 'other-admin', 'topsecretname', 'resolve:ssm'])
      expect(all).not.toContain(secret);
  });

  it('a known NoEcho value inside another value is replaced by ****', () => {
    const t = (bucket: string) => `Parameters:
  Token: { Type: String, NoEcho: true, Default: abcd1234efgh }
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: ${bucket}
`;
    const r = lintDiff(t('alerts-abcd1234efgh'), t('alerts-v2'));
    const f = r.findings.filter((x) => x.ruleId === 'create-only-property-change');
    expect(f.map((x) => x.message)).toEqual([expect.stringContaining('TopicName (alerts-**** → alerts-v2)')]);
  });
});

describe('loading', () => {
  it('rule files and the normal CLI path do not import the diff engine, its table or cloudformation-diff', () => {
    // Follow static imports from the rule index and the CLI entry; dynamic import() is allowed.
    const seen = new Set<string>();
    const heavy: string[] = [];
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^import\s+(type\s+)?[^'"]*from\s+'([^']+)';/gm)) {
        if (m[1]) continue; // type-only
        const spec = m[2]!;
        if (spec.includes('cloudformation-diff') || spec.includes('aws-service-spec')) heavy.push(`${file}: ${spec}`);
        if (!spec.startsWith('.')) continue;
        const target = join(file, '..', spec.replace(/\.js$/, '')) + '.ts';
        if (/update-table\.generated|update-behaviour|src\/diff\/(diff|baseline|cfn-diff)/.test(target))
          heavy.push(`${file}: ${spec}`);
        visit(target);
      }
    };
    visit(join(ROOT, 'rules', 'index.ts'));
    visit(join(ROOT, 'src', 'cli', 'main.ts'));
    expect(heavy).toEqual([]);
  });
});
