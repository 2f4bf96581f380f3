/**
 * archlint/cdk as a package: the CLI and the main API never load aws-cdk-lib, and CDK apps written as
 * TypeScript compiled to CommonJS, as TypeScript run through a require hook (ts-node style) and as ES modules
 * (.mjs) all load archlint/cdk and lint their stacks.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, symlinkSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureDist, ROOT, tempProject } from '../helpers/dist';
import { cdkEnv, run, TSC } from '../ecosystem/helpers';
import { BASE_RULES, ONLY_BASE_RULES } from './helpers';

beforeAll(() => {
  ensureDist();
});

/** A preload script that makes aws-cdk-lib and constructs impossible to load, as for a user without them. */
function blockCdkHook(dir: string): string {
  const hook = join(dir, 'no-cdk.cjs');
  writeFileSync(
    hook,
    `const Module = require('module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (/^(aws-cdk-lib|constructs)(\\/|$)/.test(request)) {
    const e = new Error("Cannot find module '" + request + "'");
    e.code = 'MODULE_NOT_FOUND';
    throw e;
  }
  return resolve.call(this, request, ...rest);
};
`,
  );
  return hook;
}

describe('without aws-cdk-lib', () => {
  it('no module outside src/cdk imports aws-cdk-lib or constructs', () => {
    const offenders: string[] = [];
    const visit = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) {
          if (p !== join(ROOT, 'src', 'cdk')) visit(p);
        } else if (
          p.endsWith('.ts') &&
          /from '(aws-cdk-lib|constructs)[/']|require\('(aws-cdk-lib|constructs)/.test(readFileSync(p, 'utf8'))
        ) {
          offenders.push(relative(ROOT, p));
        }
      }
    };
    for (const d of ['src', 'bin', 'rules']) visit(join(ROOT, d));
    expect(offenders).toEqual([]);
  });

  it('the CLI lints templates and a cloud assembly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'archlint-nocdk-'));
    const app = new App({ outdir: join(dir, 'cdk.out') });
    new s3.Bucket(new Stack(app, 'S'), 'B', { removalPolicy: RemovalPolicy.RETAIN });
    app.synth();
    writeFileSync(join(dir, 't.yaml'), 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n');
    const hook = blockCdkHook(dir);
    const r = run(process.execPath, ['-r', hook, CLI, 'cdk.out', 't.yaml', '-f', 'json', '--fail-on', 'none'], {
      cwd: dir,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { findings: { ruleId: string; constructPath?: string }[] };
    const base = out.findings.filter((f) => BASE_RULES.includes(f.ruleId));
    expect(base.map((f) => [f.ruleId, f.constructPath ?? '-']).sort()).toEqual([
      ['cfn-stateful-deletion-policy', '-'],
      ['s3-public-access', 'S/B/Resource'],
    ]);
    // And the hook does block them.
    const blocked = run(process.execPath, ['-r', hook, '-e', "require('aws-cdk-lib')"], { cwd: dir });
    expect(blocked.stderr).toContain("Cannot find module 'aws-cdk-lib'");
  });

  it('the CLI and the main API leave aws-cdk-lib out of the module cache', () => {
    const project = tempProject('archlint-nocdk-');
    writeFileSync(join(project, 't.yaml'), 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n');
    const script = join(project, 'check.cjs');
    writeFileSync(
      script,
      `const { lint, lintFiles } = require('archlint');
const { main } = require('./node_modules/archlint/dist/src/cli/main.js');
(async () => {
  const base = ${JSON.stringify(BASE_RULES)};
  const r = await lintFiles(['t.yaml']);
  let out = '';
  const code = await main(['t.yaml', '-f', 'json'], { cwd: process.cwd(), stdout: (s) => (out += s), stderr: () => {}, readStdin: () => '', isTTY: false, stderrTTY: false, env: {} });
  const loaded = Object.keys(require.cache).filter((k) => /[\\\\/](aws-cdk-lib|constructs)[\\\\/]/.test(k));
  console.log(JSON.stringify({ api: r.findings.filter((f) => base.includes(f.ruleId)).length, cli: JSON.parse(out).findings.filter((f) => base.includes(f.ruleId)).length, code, loaded, lintType: typeof lint }));
})();
`,
    );
    const r = run(process.execPath, [script], { cwd: project });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ api: 1, cli: 1, code: 0, loaded: [], lintType: 'function' });
  });

  it('archlint/cdk says what is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'archlint-nocdk-'));
    const r = run(
      process.execPath,
      ['-r', blockCdkHook(dir), '-e', `require(${JSON.stringify(join(ROOT, 'dist', 'src', 'cdk', 'index.js'))})`],
      {
        cwd: dir,
      },
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("Cannot find module 'aws-cdk-lib'");
  });
});

const APP_TS = `import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ArchlintAspect, ArchlintValidator } from 'archlint/cdk';

const app = new App();
const stack = new Stack(app, 'Edge');
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0 });
new ec2.SecurityGroup(stack, 'Ssh', { vpc }).addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
const rules = ${JSON.stringify(ONLY_BASE_RULES)} as const;
const validator = new ArchlintValidator({ configFile: false, rules });
Validations.of(app).addPlugins(validator);
const aspect = ArchlintAspect.applyTo(app, { configFile: false, failOn: 'none', rules });
try {
  app.synth();
} finally {
  const show = (fs: { ruleId: string; constructPath?: string }[] = []) => fs.map((f) => f.ruleId + ' ' + f.constructPath);
  console.log(JSON.stringify({ validator: show(validator.lastResult?.findings), aspect: show(aspect.results[0]?.findings) }));
}
`;

const EXPECTED = {
  validator: ['sg-admin-ports-open-to-internet Edge/Ssh/Resource'],
  aspect: ['sg-admin-ports-open-to-internet Edge/Ssh/Resource'],
};

/** Run an app as the CDK CLI does; the validator fails the synthesis on the open SSH port. */
function synthApp(dir: string, args: string[]): { result: typeof EXPECTED; stderr: string; status: number | null } {
  const outdir = join(dir, 'cdk.out');
  const r = run(process.execPath, args, { cwd: dir, env: cdkEnv(outdir) });
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`no result from the app (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  // The Aspect's warning is recorded on the construct in the assembly.
  const metadata = JSON.parse(readFileSync(join(outdir, 'Edge.metadata.json'), 'utf8')) as Record<
    string,
    { type: string; data: string }[]
  >;
  expect(metadata['/Edge/Ssh/Resource']!.filter((e) => e.type === 'aws:cdk:warning').map((e) => e.data)).toEqual([
    expect.stringMatching(/opens port 22 .*\[ack: archlint::sg-admin-ports-open-to-internet\]$/),
  ]);
  return { result: JSON.parse(line) as typeof EXPECTED, stderr: r.stderr, status: r.status };
}

describe('CDK apps in every module format', () => {
  it('TypeScript compiled to CommonJS', () => {
    const dir = tempProject();
    symlinkSync(realpathSync(join(ROOT, 'node_modules', '@types')), join(dir, 'node_modules', '@types'), 'dir');
    writeFileSync(join(dir, 'app.ts'), APP_TS);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'Node16',
          moduleResolution: 'Node16',
          strict: true,
          skipLibCheck: true,
          types: [],
          outDir: 'build',
        },
        files: ['app.ts'],
      }),
    );
    const tsc = run(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: dir });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(readFileSync(join(dir, 'build', 'app.js'), 'utf8')).toContain('require("archlint/cdk")');
    const r = synthApp(dir, ['build/app.js']);
    expect(r.result).toEqual(EXPECTED);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`Acknowledge with 'archlint::sg-admin-ports-open-to-internet'`);
  });

  it('TypeScript run through a require hook (ts-node style)', () => {
    const dir = tempProject();
    writeFileSync(join(dir, 'app.ts'), APP_TS);
    writeFileSync(
      join(dir, 'register.cjs'),
      `const fs = require('fs');
const ts = require(${JSON.stringify(join(ROOT, 'node_modules', 'typescript'))});
require.extensions['.ts'] = (module, filename) => {
  const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(out.outputText, filename);
};
`,
    );
    const r = synthApp(dir, ['-r', './register.cjs', 'app.ts']);
    expect(r.result).toEqual(EXPECTED);
    expect(r.status).not.toBe(0);
  });

  it('an ES module (.mjs)', () => {
    const dir = tempProject();
    writeFileSync(
      join(dir, 'app.mjs'),
      APP_TS.replace(/: \{ ruleId: string; constructPath\?: string \}\[\]/, '').replace(' as const;', ';'),
    );
    const r = synthApp(dir, ['app.mjs']);
    expect(r.result).toEqual(EXPECTED);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('Edge/Ssh/Resource');
  });
});
