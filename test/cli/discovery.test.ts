import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli';

const OPEN_SSH = `Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: ssh
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0
`;

interface Out {
  findings: { file: string; ruleId: string; line: number }[];
  errors: { file: string }[];
  summary: { files: number };
}
const json = (s: string) => JSON.parse(s) as Out;

describe('folder discovery', () => {
  it('a symlink loop is followed once: every template is linted once', async () => {
    const dir = tempDir({ 'infra/stack.yaml': OPEN_SSH });
    symlinkSync('..', join(dir, 'infra', 'loop'));
    const r = await runCli(['infra', '-f', 'json'], { cwd: dir });
    const out = json(r.stdout);
    expect(out.errors).toEqual([]);
    expect(out.summary.files).toBe(1);
    expect(out.findings.map((f) => f.file)).toEqual(['infra/stack.yaml']);
  });
  it('a template reached twice (named, and inside a named folder) is linted once', async () => {
    const dir = tempDir({ 'infra/stack.yaml': OPEN_SSH });
    const r = await runCli(['infra', 'infra/stack.yaml', './infra/stack.yaml', '-f', 'json'], { cwd: dir });
    const out = json(r.stdout);
    expect(out.summary.files).toBe(1);
    expect(out.findings).toHaveLength(1);
  });
});

describe('paths in the configuration file mean the same from any working directory', () => {
  it('a baseline written from the project root accepts the findings when archlint runs in a subfolder', async () => {
    const dir = tempDir({ 'archlint.config.yaml': 'baseline: baseline.json\n', 'infra/stack.yaml': OPEN_SSH });
    await runCli(['infra', '--write-baseline-fingerprints', 'baseline.json', '-f', 'json'], { cwd: dir });
    const fromRoot = json((await runCli(['infra', '-f', 'json'], { cwd: dir })).stdout);
    const fromSub = await runCli(['.', '-f', 'json'], { cwd: join(dir, 'infra') });
    expect(fromSub.code).toBe(0);
    const out = json(fromSub.stdout) as Out & { findings: { suppressed?: { kind: string }; fingerprint: string }[] };
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0]!.suppressed?.kind).toBe('baseline');
    expect(out.findings[0]!.fingerprint).toBe((fromRoot.findings[0] as { fingerprint?: string }).fingerprint);
  });
  it('ignore globs are relative to the configuration file', async () => {
    const dir = tempDir({
      'archlint.config.yaml': 'ignore:\n  - "vendor/**"\n',
      'vendor/x.yaml': OPEN_SSH,
      'infra/stack.yaml': OPEN_SSH,
    });
    const r = await runCli(['..', '-f', 'json'], { cwd: join(dir, 'infra') });
    expect(json(r.stdout).findings.map((f) => f.file)).toEqual(['stack.yaml']);
  });
  it('an unknown pseudo parameter named like an Object.prototype member is a clear configuration error', async () => {
    const dir = tempDir({ 'archlint.config.yaml': 'pseudoParameters:\n  constructor: x\n', 't.yaml': OPEN_SSH });
    const r = await runCli(['t.yaml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/archlint\.config\.yaml: unknown pseudo parameter "constructor"/);
  });
});

describe('--parameters and --rule values', () => {
  const T = `Parameters:
  Desc: { Type: String }
  Port: { Type: Number }
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: !Ref Desc
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: !Ref Port
          CidrIp: 0.0.0.0/0
`;
  it('a path written after -p or --rule is still a path', async () => {
    const dir = tempDir({ 't.yaml': T });
    const r = await runCli(['-p', 'Port=22', 't.yaml', '-f', 'json'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(json(r.stdout).findings.map((f) => [f.ruleId, f.line])).toEqual([['sg-admin-ports-open-to-internet', 13]]);
    const off = await runCli(
      ['--rule', 'sg-admin-ports-open-to-internet=off', 't.yaml', '-p', 'Port=22', '-f', 'json'],
      {
        cwd: dir,
      },
    );
    expect(off.code).toBe(0);
    expect(json(off.stdout).summary.files).toBe(1);
  });
  it('a value may contain spaces; several Key=Value pairs may share one argument', async () => {
    const dir = tempDir({ 't.yaml': T });
    const r = await runCli(['t.yaml', '-p', 'Desc=two words', 'Port=22', '-f', 'json'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const both = await runCli(['t.yaml', '-p', 'Desc=x Port=22', '-f', 'json'], { cwd: dir });
    expect(both.code).toBe(1);
  });
});
