import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli';
import { ROOT } from '../helpers/examples';

const VALID = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: ssh
      SecurityGroupIngress:
        - { IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0 }
`;
const CLEAN = `Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n`;

describe('folder with mixed inputs', () => {
  const dir = tempDir({
    'infra/broken.yaml': 'Resources:\n  A: [unclosed\n',
    'infra/k8s.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n',
    'infra/package.json': '{"name":"x","version":"1.0.0"}',
    'infra/stack.yaml': VALID,
  });
  it('exit 2, one error naming the broken file, one template linted, the others skipped', async () => {
    const r = await runCli(['infra', '-f', 'json'], { cwd: dir });
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout);
    expect(out.errors).toHaveLength(1);
    expect(out.errors[0].file).toBe('infra/broken.yaml');
    expect(out.errors[0].message).toMatch(/infra\/broken\.yaml:\d+:\d+: invalid YAML/);
    expect(out.summary.files).toBe(1);
    expect(out.findings.map((f: { file: string }) => f.file)).toEqual(['infra/stack.yaml']);
  });
  it('a non-template named explicitly is an error', async () => {
    const r = await runCli(['infra/k8s.yaml', 'infra/stack.yaml', '-f', 'json'], { cwd: dir });
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout);
    expect(out.errors).toEqual([
      { file: 'infra/k8s.yaml', message: expect.stringMatching(/not a CloudFormation template/) },
    ]);
    expect(out.summary.files).toBe(1);
  });
  it('a missing path is an input error', async () => {
    const r = await runCli(['nope.yaml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/nope\.yaml: no such file or folder/);
  });
});

describe('exit codes and options', () => {
  const dir = tempDir({ 'bad.yaml': VALID, 'clean.yaml': CLEAN });
  it('1 when findings reach the threshold, 0 otherwise', async () => {
    expect((await runCli(['bad.yaml'], { cwd: dir })).code).toBe(1);
    expect((await runCli(['clean.yaml'], { cwd: dir })).code).toBe(0);
    expect((await runCli(['bad.yaml', '--fail-on', 'none'], { cwd: dir })).code).toBe(0);
  });
  it('--rule turns a rule off or changes its severity', async () => {
    expect((await runCli(['bad.yaml', '--rule', 'sg-admin-ports-open-to-internet=off'], { cwd: dir })).code).toBe(0);
    const r = await runCli(['bad.yaml', '--rule', 'sg-admin-ports-open-to-internet=warning', '-f', 'json'], {
      cwd: dir,
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).findings[0].severity).toBe('warning');
    expect((await runCli(['bad.yaml', '--rule', 'sg-admin-ports-open-to-internet=loud'], { cwd: dir })).code).toBe(2);
  });
  it('--parameters resolves unknown values', async () => {
    const t = `Parameters:\n  Src: { Type: String }\nResources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: x\n      SecurityGroupIngress:\n        - { IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref Src }\n`;
    const d = tempDir({ 'p.yaml': t });
    expect((await runCli(['p.yaml'], { cwd: d })).code).toBe(0);
    const shown = await runCli(['p.yaml', '--show-unknown'], { cwd: d });
    expect(shown.stdout).toMatch(/unknown.*Src/);
    expect((await runCli(['p.yaml', '--parameters', 'Src=0.0.0.0/0'], { cwd: d })).code).toBe(1);
  });
  it('reads standard input with -', async () => {
    const r = await runCli(['-', '-f', 'json'], { cwd: dir, stdin: VALID });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings[0]).toMatchObject({ file: '<stdin>', line: 8 });
  });
  it('--output writes the report to a file', async () => {
    const r = await runCli(['bad.yaml', '-f', 'sarif', '-o', 'out.sarif'], { cwd: dir });
    expect(r.stdout).toBe('');
    expect(JSON.parse(readFileSync(join(dir, 'out.sarif'), 'utf8')).version).toBe('2.1.0');
  });
  it('--quiet shows errors only', async () => {
    const d = tempDir({ 'w.yaml': `Resources:\n  Q:\n    Type: AWS::SQS::Queue\n` });
    const r = await runCli(['w.yaml', '--quiet'], { cwd: d });
    expect(r.stdout).not.toMatch(/warning  /);
  });
  it('unknown options are usage errors', async () => {
    const r = await runCli(['--bogus'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bogus/);
  });
  it('stylish output has file:line:col severity message rule-id and no colour off a TTY', async () => {
    const r = await runCli(['bad.yaml'], { cwd: dir });
    expect(r.stdout).toMatch(/^bad\.yaml:8:\d+ {2}error {3}.*sg-admin-ports-open-to-internet$/m);
    expect(r.stdout).toMatch(/why: /);
    expect(r.stdout).toMatch(/fix: /);
    expect(r.stdout).not.toMatch(/\u001b\[/);
    const tty = await runCli(['bad.yaml'], { cwd: dir, tty: true });
    expect(tty.stdout).toMatch(/\u001b\[/);
    const noColor = await runCli(['bad.yaml', '--no-color'], { cwd: dir, tty: true });
    expect(noColor.stdout).not.toMatch(/\u001b\[/);
  });
  it('never modifies the linted files', async () => {
    const before = readFileSync(join(dir, 'bad.yaml'), 'utf8');
    await runCli(['bad.yaml'], { cwd: dir });
    expect(readFileSync(join(dir, 'bad.yaml'), 'utf8')).toBe(before);
  });
});

describe('configuration file', () => {
  it('is discovered upward and applies rules, parameters and ignore globs', async () => {
    const dir = tempDir({
      'archlint.config.yaml': 'rules:\n  sg-admin-ports-open-to-internet: warning\nignore:\n  - "vendor/**"\n',
      'sub/bad.yaml': VALID,
      'vendor/x.yaml': VALID,
    });
    const r = await runCli(['.', '-f', 'json'], { cwd: join(dir, 'sub') });
    expect(r.code).toBe(0);
    const all = await runCli(['.', '-f', 'json'], { cwd: dir });
    const files = JSON.parse(all.stdout).findings.map((f: { file: string }) => f.file);
    expect(files).toEqual(['sub/bad.yaml']);
  });
  it('a broken config file is a usage error naming the file', async () => {
    const dir = tempDir({ 'archlint.config.yaml': 'rules: [', 't.yaml': CLEAN });
    const r = await runCli(['t.yaml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/archlint\.config\.yaml/);
  });
  it('baseline fingerprints accept existing findings', async () => {
    const dir = tempDir({ 'bad.yaml': VALID });
    await runCli(['bad.yaml', '--write-baseline-fingerprints', 'baseline.json'], { cwd: dir });
    const r = await runCli(['bad.yaml', '--baseline-fingerprints', 'baseline.json', '-f', 'json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).findings[0].suppressed.kind).toBe('baseline');
  });
});

describe("an option given twice (a script's option, then `npm run lint -- <option>`)", () => {
  it('the last value wins, for every single-value option', async () => {
    const t = 'examples/s3-public-access/bad.yaml';
    const gate = await runCli([t, '--fail-on', 'error', '--fail-on', 'error', '-q']);
    expect(gate.code).toBe(1);
    const format = await runCli([t, '-f', 'stylish', '-f', 'json', '--fail-on', 'none', '--fail-on', 'error']);
    expect(format.stderr).toBe('');
    expect(format.code).toBe(1);
    expect(JSON.parse(format.stdout).summary.errors).toBeGreaterThan(0);
    const env = await runCli([t, '--environment', 'prod', '--environment', 'nonprod', '-f', 'json']);
    expect(env.stderr).toBe('');
  });
});

describe('rules and explain', () => {
  it('lists rules, as JSON metadata too', async () => {
    const r = await runCli(['rules']);
    expect(r.stdout).toMatch(/s3-public-access/);
    const j = JSON.parse((await runCli(['rules', '--format', 'json'])).stdout);
    expect(j.find((x: { id: string }) => x.id === 's3-public-access')).toMatchObject({ severity: 'error', tier: '1' });
  });
  it('explains a rule with its examples', async () => {
    const r = await runCli(['explain', 'sg-admin-ports-open-to-internet']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Why it matters/);
    expect(r.stdout).toMatch(/How to fix/);
    expect(r.stdout).toMatch(/Failing example/);
    expect((await runCli(['explain', 'nope'])).code).toBe(2);
  });
  it('explains a diff rule with the deployed template its examples are linted against', async () => {
    const r = await runCli(['explain', 'rds-encryption-change']);
    expect(r.code).toBe(0);
    const baseline = r.stdout.indexOf('Deployed template (baseline)');
    expect(baseline).toBeGreaterThan(0);
    expect(baseline).toBeLessThan(r.stdout.indexOf('Failing example'));
    expect(r.stdout).toContain(
      'archlint examples/rds-encryption-change/bad.yaml --baseline examples/rds-encryption-change/baseline.yaml',
    );
    const plain = await runCli(['explain', 'sg-admin-ports-open-to-internet']);
    expect(plain.stdout).not.toContain('baseline');
  });
});

describe('safety through the CLI', () => {
  it('alias bombs and prototype keys give a clean result or a clear error', async () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 12; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      lines.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    lines.push('Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      X: *l');
    const dir = tempDir({
      'bomb.yaml': lines.join('\n') + '\n',
      'proto.yaml': 'Resources:\n  __proto__:\n    Type: AWS::SQS::Queue\n  constructor:\n    Type: AWS::SNS::Topic\n',
      'proto.json':
        '{"Resources":{"__proto__":{"Type":"AWS::SQS::Queue"},"constructor":{"Type":"AWS::SQS::Queue","Properties":{"__proto__":{"x":1}}}}}',
    });
    const r = await runCli(['.', '-f', 'json'], { cwd: dir });
    const out = JSON.parse(r.stdout);
    expect(out.errors.map((e: { file: string }) => e.file)).toEqual(['bomb.yaml']);
    expect(out.errors[0].message).toMatch(/alias/);
    expect(out.summary.files).toBe(2);
    expect(out.findings.filter((f: { ruleId: string }) => f.ruleId === 'archlint-internal-error')).toEqual([]);
    expect(out.findings.some((f: { logicalId: string }) => f.logicalId === '__proto__')).toBe(true);
  });
});

describe('package', () => {
  it('bin points at the built CLI', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.bin.archlint).toBe('dist/bin/archlint.js');
    expect(existsSync(join(ROOT, 'bin', 'archlint.ts'))).toBe(true);
  });
});

describe('strictness of the command line', () => {
  it('an unknown rule id in --rule is a usage error', async () => {
    const dir = tempDir({ 't.yaml': CLEAN });
    const r = await runCli(['t.yaml', '--rule', 'no-such-rule=off'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown rule "no-such-rule"/);
  });
  it('--quiet shows what fails the run: warnings too with --fail-on warning', async () => {
    const dir = tempDir({ 'w.yaml': `Resources:\n  Q:\n    Type: AWS::SQS::Queue\n` });
    const quiet = await runCli(['w.yaml', '--quiet'], { cwd: dir });
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).not.toMatch(/cfn-stateful-deletion-policy$/m);
    const strict = await runCli(['w.yaml', '--quiet', '--fail-on', 'warning'], { cwd: dir });
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/w\.yaml:2:3 {2}warning .*cfn-stateful-deletion-policy$/m);
  });
});

describe('pseudo parameters on the command line', () => {
  it('-p AWS::StackName=... classifies the stack like config pseudoParameters do', async () => {
    const dir = tempDir({
      'archlint.config.yaml': 'environments:\n  prod:\n    stackNames: ["*-prod"]\n',
      't.yaml': `Resources:\n  Table:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      KeySchema: [{ AttributeName: pk, KeyType: HASH }]\n      AttributeDefinitions: [{ AttributeName: pk, AttributeType: S }]\n      BillingMode: PAY_PER_REQUEST\n`,
    });
    const dev = JSON.parse(
      (await runCli(['t.yaml', '-f', 'json', '-p', 'AWS::StackName=orders-dev'], { cwd: dir })).stdout,
    );
    expect(dev.findings.find((f: { ruleId: string }) => f.ruleId === 'cfn-stateful-deletion-policy').severity).toBe(
      'warning',
    );
    const prod = JSON.parse(
      (await runCli(['t.yaml', '-f', 'json', '-p', 'AWS::StackName=orders-prod'], { cwd: dir })).stdout,
    );
    expect(prod.findings.find((f: { ruleId: string }) => f.ruleId === 'cfn-stateful-deletion-policy').severity).toBe(
      'error',
    );
  });
});
