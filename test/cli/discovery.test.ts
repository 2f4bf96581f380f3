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
