import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli';
import type { Finding } from '../../src/types';

const OLD = `Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{ AttributeName: pk, KeyType: HASH }]
  Jobs:
    Type: AWS::SQS::Queue
`;
const NEW = `Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{ AttributeName: id, KeyType: HASH }]
`;
const DIFF_RULES = new Set([
  'stateful-resource-replacement',
  'create-only-property-change',
  'rds-encryption-change',
  'rds-snapshot-identifier-change',
]);

const diffFindings = (stdout: string): Finding[] =>
  (JSON.parse(stdout) as { findings: Finding[] }).findings.filter((f) => DIFF_RULES.has(f.ruleId));

const brief = (f: Finding) => `${f.ruleId} ${f.file}:${f.line} ${f.logicalId}`;

describe('CLI diff mode', () => {
  const dir = tempDir({ 'old.yaml': OLD, 'new.yaml': NEW });

  it('archlint diff <old> <new>: a replacement in new.yaml, a removal in old.yaml', async () => {
    const r = await runCli(['diff', 'old.yaml', 'new.yaml', '-f', 'json'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(diffFindings(r.stdout).map(brief)).toEqual([
      'stateful-resource-replacement new.yaml:5 Orders',
      'stateful-resource-replacement old.yaml:6 Jobs',
    ]);
  });

  it('archlint <new> --baseline <old> is the same engine', async () => {
    const a = await runCli(['diff', 'old.yaml', 'new.yaml', '-f', 'json'], { cwd: dir });
    const b = await runCli(['new.yaml', '--baseline', 'old.yaml', '-f', 'json'], { cwd: dir });
    expect(b.code).toBe(a.code);
    expect(JSON.parse(b.stdout)).toEqual(JSON.parse(a.stdout));
  });

  it('stdin for one side (either side); both sides from stdin is a usage error', async () => {
    const a = await runCli(['new.yaml', '--baseline', '-', '-f', 'json'], { cwd: dir, stdin: OLD });
    expect(diffFindings(a.stdout).map(brief)).toEqual([
      'stateful-resource-replacement <stdin>:6 Jobs',
      'stateful-resource-replacement new.yaml:5 Orders',
    ]);
    const b = await runCli(['diff', 'old.yaml', '-', '-f', 'json'], { cwd: dir, stdin: NEW });
    expect(diffFindings(b.stdout).map(brief)).toEqual([
      'stateful-resource-replacement <stdin>:5 Orders',
      'stateful-resource-replacement old.yaml:6 Jobs',
    ]);
    const c = await runCli(['diff', '-', '-'], { cwd: dir, stdin: NEW });
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('only one side of a diff can be read from stdin');
  });

  it('a baseline from `aws cloudformation get-template --query TemplateBody --output json` of a YAML stack (a JSON string)', async () => {
    const r = await runCli(['new.yaml', '--baseline', '-', '-f', 'json'], {
      cwd: dir,
      stdin: JSON.stringify(OLD) + '\n',
    });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).errors).toEqual([]);
    expect(diffFindings(r.stdout).map(brief)).toEqual([
      'stateful-resource-replacement <stdin>:6 Jobs',
      'stateful-resource-replacement new.yaml:5 Orders',
    ]);
  });

  it('two identical templates: nothing from the diff rules', async () => {
    const r = await runCli(['diff', 'old.yaml', 'old.yaml', '-f', 'json'], { cwd: dir });
    expect(diffFindings(r.stdout)).toEqual([]);
  });

  it('--baseline-parameters gives the deployed stack its own parameter values', async () => {
    const t = `Parameters:
  Cidr: { Type: String }
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: { CidrBlock: !Ref Cidr }
`;
    const d = tempDir({ 'a.yaml': t, 'b.yaml': t });
    const same = await runCli(['diff', 'a.yaml', 'b.yaml', '-f', 'json', '-p', 'Cidr=10.0.0.0/16'], { cwd: d });
    expect(diffFindings(same.stdout)).toEqual([]);
    const changed = await runCli(
      ['diff', 'a.yaml', 'b.yaml', '-f', 'json', '-p', 'Cidr=10.0.0.0/16', '--baseline-parameters', 'Cidr=10.9.0.0/16'],
      { cwd: d },
    );
    expect(diffFindings(changed.stdout).map((f) => f.message)).toEqual([
      expect.stringContaining('CidrBlock (10.9.0.0/16 → 10.0.0.0/16)'),
    ]);
    const misuse = await runCli(['a.yaml', '--baseline-parameters', 'Cidr=x'], { cwd: d });
    expect(misuse.code).toBe(2);
    expect(misuse.stderr).toContain('--baseline-parameters needs --baseline');
  });

  it('two cdk.out folders: stacks are matched by stack name; an unmatched baseline stack is noted', async () => {
    const manifest = (stacks: Record<string, string>) =>
      JSON.stringify({
        version: '36.0.0',
        artifacts: Object.fromEntries(
          Object.entries(stacks).map(([id, name]) => [
            id,
            { type: 'aws:cloudformation:stack', properties: { templateFile: `${id}.template.json`, stackName: name } },
          ]),
        ),
      });
    const json = (yamlish: Record<string, unknown>) => JSON.stringify(yamlish, null, 1);
    const table = (key: string) => ({
      Resources: {
        Orders: { Type: 'AWS::DynamoDB::Table', Properties: { KeySchema: [{ AttributeName: key, KeyType: 'HASH' }] } },
      },
    });
    const d = tempDir({
      // The artifact ids differ between the two assemblies; the stack names pair them.
      'old/cdk.out/manifest.json': manifest({ DataStack: 'prod-data', WebStack: 'prod-web' }),
      'old/cdk.out/DataStack.template.json': json(table('pk')),
      'old/cdk.out/WebStack.template.json': json({ Resources: { T: { Type: 'AWS::SNS::Topic' } } }),
      'new/cdk.out/manifest.json': manifest({ DataStackV2: 'prod-data' }),
      'new/cdk.out/DataStackV2.template.json': json(table('id')),
    });
    const r = await runCli(['diff', join('old', 'cdk.out'), join('new', 'cdk.out'), '-f', 'json'], { cwd: d });
    const f = diffFindings(r.stdout);
    expect(f.map((x) => `${x.ruleId} ${x.file} ${x.logicalId} ${x.stack}`)).toEqual([
      'stateful-resource-replacement new/cdk.out/DataStackV2.template.json Orders prod-data',
    ]);
    expect(r.stderr).toContain('baseline prod-web has no counterpart among the new templates');
  });

  it('a construct moved in a cdk.out without path metadata: the rename names both construct paths from the manifest', async () => {
    const assembly = (logicalId: string, path: string) => ({
      'manifest.json': JSON.stringify({
        version: '36.0.0',
        artifacts: {
          Shop: {
            type: 'aws:cloudformation:stack',
            properties: { templateFile: 'Shop.template.json', stackName: 'shop' },
            metadata: { [path]: [{ type: 'aws:cdk:logicalId', data: logicalId }] },
          },
        },
      }),
      'Shop.template.json': JSON.stringify({
        Resources: {
          [logicalId]: { Type: 'AWS::S3::Bucket', Properties: { VersioningConfiguration: { Status: 'Enabled' } } },
        },
      }),
    });
    const files: Record<string, string> = {};
    for (const [side, a] of [
      ['old', assembly('Assets9A31D427', '/Shop/Assets/Resource')],
      ['new', assembly('StorageAssets320D2163', '/Shop/Storage/Assets/Resource')],
    ] as const)
      for (const [name, text] of Object.entries(a)) files[`${side}/cdk.out/${name}`] = text;
    const r = await runCli(['diff', 'old/cdk.out', 'new/cdk.out', '-f', 'json'], { cwd: tempDir(files) });
    const [f] = diffFindings(r.stdout);
    expect(f?.message).toContain(
      "The CDK construct moved from 'Shop/Assets/Resource' to 'Shop/Storage/Assets/Resource', which changed its logical id",
    );
    expect(f?.related?.[0]?.message).toBe("deployed as 'Assets9A31D427' (Shop/Assets/Resource)");
  });

  it('two folders of templates pair by their path below each folder', async () => {
    const d = tempDir({ 'v1/data.yaml': OLD, 'v1/other.yaml': NEW, 'v2/data.yaml': NEW, 'v2/other.yaml': NEW });
    const r = await runCli(['diff', 'v1', 'v2', '-f', 'json'], { cwd: d });
    expect(diffFindings(r.stdout).map(brief)).toEqual([
      'stateful-resource-replacement v1/data.yaml:6 Jobs',
      'stateful-resource-replacement v2/data.yaml:5 Orders',
    ]);
  });

  it("a removal (reported in the baseline file) honours the new template's suppressions", async () => {
    const suppressed = `Metadata:
  archlint:
    suppress:
      - id: stateful-resource-replacement
        reason: the jobs queue is retired (CHG-42)
${NEW}`;
    const d = tempDir({ 'old.yaml': OLD, 'new.yaml': suppressed });
    const r = await runCli(['diff', 'old.yaml', 'new.yaml', '-f', 'json'], { cwd: d });
    const jobs = diffFindings(r.stdout).find((f) => f.logicalId === 'Jobs');
    expect(jobs && brief(jobs)).toBe('stateful-resource-replacement old.yaml:6 Jobs');
    expect(jobs?.suppressed).toEqual({ kind: 'template-metadata', reason: 'the jobs queue is retired (CHG-42)' });
  });

  it('fingerprints of removals do not depend on the working directory (a fingerprint baseline matches)', async () => {
    const d = tempDir({ 'archlint.config.yaml': 'rules: {}\n', 'old.yaml': OLD, 'new.yaml': NEW, 'sub/x': '' });
    const fp = async (cwd: string, ...args: string[]) => {
      const r = await runCli(['diff', ...args, '-f', 'json'], { cwd });
      return diffFindings(r.stdout).map((f) => `${f.logicalId} ${f.fingerprint}`);
    };
    const fromRoot = await fp(d, 'old.yaml', 'new.yaml');
    expect(fromRoot).toHaveLength(2);
    expect(await fp(join(d, 'sub'), '../old.yaml', '../new.yaml')).toEqual(fromRoot);
  });

  it('a baseline that is missing or holds no template is an input error that names the baseline', async () => {
    const d = tempDir({ 'new.yaml': NEW, 'empty/package.json': '{"name": "x"}' });
    const missing = await runCli(['new.yaml', '--baseline', 'deployed.yaml'], { cwd: d });
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain('baseline deployed.yaml: no such file or folder');
    const empty = await runCli(['diff', 'empty', 'new.yaml', '-f', 'json'], { cwd: d });
    expect(empty.code).toBe(2);
    expect(JSON.parse(empty.stdout).errors).toEqual([
      { file: 'empty', message: 'baseline empty: no CloudFormation template found to compare against' },
    ]);
  });

  it('archlint diff: paths written after -p, --rule or --baseline-parameters are still the two sides', async () => {
    const expected = await runCli(['diff', 'old.yaml', 'new.yaml', '-f', 'json'], { cwd: dir });
    for (const args of [
      ['diff', '-p', 'Env=prod', 'old.yaml', 'new.yaml'],
      ['diff', 'old.yaml', '--rule', 's3-public-access=error', 'new.yaml'],
      ['diff', '--baseline-parameters', 'Env=prod', 'old.yaml', 'new.yaml'],
      ['diff', '--rule', 's3-public-access=error', 'old.yaml', '-p', 'Env=prod', 'new.yaml'],
      ['diff', '-p', 'Env=prod', 'old.yaml', '-f', 'json', 'new.yaml'],
    ]) {
      const r = await runCli([...args, '-f', 'json'], { cwd: dir });
      expect(r.stderr, args.join(' ')).toBe('');
      expect(diffFindings(r.stdout).map(brief)).toEqual(diffFindings(expected.stdout).map(brief));
    }
    const baselineFirst = await runCli(['new.yaml', '--baseline-parameters', 'Env=prod', '--baseline', 'old.yaml'], {
      cwd: dir,
    });
    expect(baselineFirst.stderr).toBe('');
  });

  it('archlint diff without both sides is a usage error, with no report', async () => {
    for (const args of [['diff'], ['diff', 'old.yaml'], ['diff', '-p', 'Env=prod', 'old.yaml']]) {
      const r = await runCli(args, { cwd: dir });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/archlint diff needs|Missing required argument/);
    }
  });

  it('normal linting does not run the diff rules', async () => {
    const r = await runCli(['new.yaml', '-f', 'json'], { cwd: dir });
    expect(diffFindings(r.stdout)).toEqual([]);
  });
});
