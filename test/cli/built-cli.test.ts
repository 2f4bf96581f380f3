/**
 * The built CLI (CommonJS output of tsc), not the sources run by vitest: identifiers behave differently there
 * (a local named `exports` once hid the module's exported rule ids from the engine).
 */
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureDist } from '../helpers/dist';
import { tempDir } from '../helpers/cli';

beforeAll(() => {
  ensureDist();
});

function runBuilt(args: string[], cwd: string): { findings: { ruleId: string; line: number; message: string }[] } {
  let out: string;
  try {
    out = execFileSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  } catch (e) {
    out = (e as { stdout: string }).stdout;
  }
  return JSON.parse(out) as { findings: { ruleId: string; line: number; message: string }[] };
}

describe('built CLI', () => {
  it('reports suppressions without a reason and internal errors under their rule ids', () => {
    const dir = tempDir({
      'stack.yaml': `Resources:
  Topic:
    Type: AWS::SNS::Topic
    Metadata:
      archlint:
        suppress:
          - id: boom
`,
      'boom.js': `module.exports = { id: 'boom', title: 'boom', severity: 'error', resourceTypes: ['AWS::SNS::Topic'],
  check() { throw new Error('kaboom'); } };
`,
      'archlint.config.yaml': 'plugins: [./boom.js]\n',
    });
    const r = runBuilt(['stack.yaml', '-f', 'json'], dir);
    expect(r.findings.map((f) => [f.ruleId, f.line])).toEqual([
      ['archlint-internal-error', 2],
      ['archlint-suppression-reason', 7],
    ]);
  });
});
