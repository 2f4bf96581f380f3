import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli';
import { ROOT } from '../helpers/examples';

const FORMATS = ['stylish', 'json', 'sarif', 'junit', 'github', 'markdown'] as const;
const target = 'examples/architectures';

describe('formatter snapshots over examples/architectures', () => {
  for (const format of FORMATS) {
    it(format, async () => {
      const r = await runCli([target, '-f', format, '--fail-on', 'none'], { cwd: ROOT });
      expect(r.code).toBe(0);
      await expect(r.stdout).toMatchFileSnapshot(`__snapshots__/architectures.${format}.txt`);
    });
  }
});

describe('SARIF', () => {
  const schema = JSON.parse(
    readFileSync(join(ROOT, 'node_modules', '@microsoft', 'sarif-multitool-linux', 'sarif-2.1.0.json'), 'utf8'),
  );
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(schema);

  it('is valid against the official SARIF 2.1.0 schema, with suppressions and related locations', async () => {
    const r = await runCli([target, 'examples/s3-public-access', '-f', 'sarif'], { cwd: ROOT });
    const log = JSON.parse(r.stdout);
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    const results = log.runs[0].results;
    expect(results.length).toBeGreaterThan(0);
    for (const res of results) {
      expect(res.locations[0].physicalLocation.region.startLine).toBeGreaterThan(0);
      expect(res.partialFingerprints['archlintFingerprint/v1']).toMatch(/^[0-9a-f]{32}$/);
      expect(log.runs[0].tool.driver.rules[res.ruleIndex].id).toBe(res.ruleId);
    }
    expect(results.some((x: { relatedLocations?: unknown[] }) => x.relatedLocations?.length)).toBe(true);
  });

  it('marks suppressed findings with SARIF suppressions', async () => {
    const dir = tempDir({
      't.yaml': `Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Metadata:\n      archlint:\n        suppress:\n          - id: cfn-stateful-deletion-policy\n            reason: transient work queue\n`,
    });
    const r = await runCli(['t.yaml', '-f', 'sarif'], { cwd: dir });
    const log = JSON.parse(r.stdout);
    expect(validate(log)).toBe(true);
    expect(log.runs[0].results[0].suppressions).toEqual([
      { kind: 'inSource', status: 'accepted', justification: 'transient work queue' },
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse((await runCli(['t.yaml', '-f', 'json'], { cwd: dir })).stdout);
    expect(j.findings[0].suppressed).toEqual({ kind: 'metadata', reason: 'transient work queue' });
    expect(j.summary.suppressed).toBe(1);
  });
});

describe('every format carries file, line and column', () => {
  it('github annotations', async () => {
    const r = await runCli(['examples/sg-admin-ports-open-to-internet/bad.yaml', '-f', 'github'], { cwd: ROOT });
    expect(r.stdout).toMatch(
      /^::error file=examples\/sg-admin-ports-open-to-internet\/bad\.yaml,line=17,col=11,endLine=17,endColumn=\d+,title=archlint sg-admin-ports-open-to-internet::/m,
    );
  });
  it('junit', async () => {
    const r = await runCli(['examples/sg-admin-ports-open-to-internet/bad.yaml', '-f', 'junit'], { cwd: ROOT });
    expect(r.stdout).toMatch(/<testcase name="sg-admin-ports-open-to-internet BastionSecurityGroup" [^>]*line="17">/);
    expect(r.stdout).toMatch(/bad\.yaml:17:11 error/);
  });
  it('markdown', async () => {
    const r = await runCli(['examples/sg-admin-ports-open-to-internet/bad.yaml', '-f', 'markdown'], { cwd: ROOT });
    expect(r.stdout).toMatch(/`examples\/sg-admin-ports-open-to-internet\/bad\.yaml:17:11`/);
  });
});

describe('summary line', () => {
  it('counts one template and one resource in the singular (stylish, markdown)', async () => {
    const dir = tempDir({ 't.yaml': 'Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n' });
    expect((await runCli(['t.yaml'], { cwd: dir })).stdout).toContain('No problems in 1 template (1 resource)\n');
    expect((await runCli(['t.yaml', '-f', 'markdown'], { cwd: dir })).stdout).toContain('in 1 template (1 resource)\n');
  });
});

describe('--show-unknown in every format', () => {
  const dir = tempDir({
    'p.yaml': `Parameters:\n  Src: { Type: String }\nResources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: x\n      SecurityGroupIngress:\n        - { IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref Src }\n`,
  });
  const why = /needs the value of parameter Src/;
  for (const format of FORMATS) {
    it(`${format} lists the unknown outcome only when asked (json always)`, async () => {
      const shown = await runCli(['p.yaml', '-f', format, '--show-unknown'], { cwd: dir });
      expect(shown.code).toBe(0);
      expect(shown.stdout).toMatch(why);
      expect(shown.stdout).toMatch(/sg-admin-ports-open-to-internet/);
      const plain = await runCli(['p.yaml', '-f', format], { cwd: dir });
      if (format !== 'json') expect(plain.stdout).not.toMatch(why);
    });
  }
  it('SARIF open results stay valid', async () => {
    const schema = JSON.parse(
      readFileSync(join(ROOT, 'node_modules', '@microsoft', 'sarif-multitool-linux', 'sarif-2.1.0.json'), 'utf8'),
    );
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const log = JSON.parse((await runCli(['p.yaml', '-f', 'sarif', '--show-unknown'], { cwd: dir })).stdout);
    expect(validate(log)).toBe(true);
    const res = log.runs[0].results[0];
    expect([res.kind, res.level, log.runs[0].tool.driver.rules[res.ruleIndex].id]).toEqual([
      'open',
      'none',
      'sg-admin-ports-open-to-internet',
    ]);
  });
  it('JUnit counts them as skipped', async () => {
    const out = (await runCli(['p.yaml', '-f', 'junit', '--show-unknown'], { cwd: dir })).stdout;
    expect(out).toMatch(/<testsuite name="p.yaml" tests="1" failures="0" errors="0" skipped="1">/);
    expect(out).toMatch(/<skipped message="not decided: /);
  });
});
