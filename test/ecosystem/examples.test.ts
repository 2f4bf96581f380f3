/**
 * The ecosystem files in examples/ and the pre-commit hook definition, each exercised the way it is used:
 * the CDK app is built and synthesized as `cdk synth` would, the GitHub workflow's archlint command line is
 * run on that cdk.out, the pre-commit hook is run the way pre-commit runs it, and the config example is read.
 */
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { load } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { readConfigFile } from '../../src/cli/config-file';
import type { Finding } from '../../src/types';
import { ensureDist, ROOT } from '../helpers/dist';
import { BASE_RULES } from '../cdk/helpers';
import { cdkEnv, copyExamplesProject, runCommandLine, shellWords, type Run } from './helpers';

interface CdkJson {
  app: string;
  build?: string;
  output?: string;
}
interface Workflow {
  permissions: Record<string, string>;
  jobs: Record<
    string,
    { steps: { name?: string; run?: string; uses?: string; if?: string; with?: Record<string, string> }[] }
  >;
}

const EXAMPLE = join(ROOT, 'examples', 'cdk-app');
const cdkJson = JSON.parse(readFileSync(join(EXAMPLE, 'cdk.json'), 'utf8')) as CdkJson;
const workflow = load(readFileSync(join(ROOT, 'examples', 'ci', 'github-actions.yml'), 'utf8')) as Workflow;
const steps = Object.values(workflow.jobs)[0]!.steps;
const archlintStep = steps.find((s) => s.run?.startsWith('npx archlint'))!;
const synthStep = steps.find((s) => s.run?.startsWith('npx cdk synth'))!;

let appDir: string;
/** `cdk synth` of the example: its build command, then its app command, with the CDK CLI's environment. */
function synth(context: Record<string, unknown> = {}): { run: Run; outdir: string } {
  const outdir = join(mkdtempSync(join(appDir, 'synth-')), cdkJson.output ?? 'cdk.out');
  return { run: runCommandLine(cdkJson.app, { cwd: appDir, env: cdkEnv(outdir, context) }), outdir };
}
/** The `-c key=value` options of a `cdk synth` command line. */
function contextOf(line: string): Record<string, string> {
  const words = shellWords(line);
  const out: Record<string, string> = {};
  words.forEach((w, i) => {
    if ((w === '-c' || w === '--context') && words[i + 1]) {
      const [k, ...v] = words[i + 1]!.split('=');
      out[k!] = v.join('=');
    }
  });
  return out;
}

beforeAll(() => {
  ensureDist();
  appDir = copyExamplesProject();
  const build = runCommandLine(cdkJson.build!, { cwd: appDir });
  expect(build.stdout + build.stderr).toBe('');
  expect(build.status).toBe(0);
});

describe('examples/cdk-app', () => {
  it('synthesizes with the validator: no open errors, the acknowledged finding shown as suppressed', () => {
    const { run, outdir } = synth();
    expect(run.stderr).not.toMatch(/^ERROR .*\(archlint\)$/m);
    expect(run.status).toBe(0);
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: {
        pluginName: string;
        conclusion: string;
        violations: { ruleName: string }[];
        suppressedViolations?: Record<string, unknown>[];
      }[];
    };
    const mine = report.pluginReports.find((p) => p.pluginName === 'archlint')!;
    expect(mine.conclusion).toBe('success');
    expect(mine.violations.filter((v) => BASE_RULES.includes(v.ruleName))).toEqual([]);
    expect(mine.suppressedViolations).toEqual([
      expect.objectContaining({
        ruleName: 'cfn-stateful-deletion-policy',
        acknowledgedId: 'archlint::cfn-stateful-deletion-policy',
        reason: 'a database restored from its final snapshot gets a new master secret',
        acknowledgedAt: 'ShopProd/Orders/Secret',
      }),
    ]);
    // The CLI on the written cdk.out reports the same, with the same config file (found upward).
    const cli = runCommandLine(`npx archlint ${outdir} -f json`, { cwd: appDir });
    expect(cli.status).toBe(0);
    const findings = (JSON.parse(cli.stdout) as { findings: Finding[] }).findings;
    const base = findings.filter((f) => BASE_RULES.includes(f.ruleId));
    expect(base.map((f) => [f.ruleId, f.constructPath, f.suppressed?.kind])).toEqual([
      ['cfn-stateful-deletion-policy', 'ShopProd/Orders/Secret/Resource', 'cdk-acknowledgement'],
    ]);
  });

  it('fails the synthesis on an error, naming the rule and the construct', () => {
    const { run } = synth({ openSsh: 'true' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('ShopProd/Bastion/Resource');
    expect(run.stderr).toContain(`Acknowledge with 'archlint::sg-admin-ports-open-to-internet'`);
  });

  it('is typed against the sources (root tsconfig maps archlint/cdk to src/cdk)', () => {
    const tsconfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as {
      compilerOptions: { paths: Record<string, string[]> };
      include: string[];
    };
    expect(tsconfig.compilerOptions.paths['archlint/cdk']).toEqual(['./src/cdk/index.ts']);
    expect(tsconfig.include).toContain('examples/**/*.ts');
  });
});

describe('examples/ci/github-actions.yml', () => {
  const schema = JSON.parse(
    readFileSync(join(ROOT, 'node_modules', '@microsoft', 'sarif-multitool-linux', 'sarif-2.1.0.json'), 'utf8'),
  ) as object;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(schema);

  it('uploads the SARIF file the archlint step writes, even when that step fails', () => {
    const words = shellWords(archlintStep.run!);
    const output = words[words.indexOf('--output') + 1];
    const upload = steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif'))!;
    expect(upload.with!.sarif_file).toBe(output);
    expect(upload.if).toMatch(/!cancelled\(\)|always\(\)/);
    expect(workflow.permissions['security-events']).toBe('write');
    expect(steps.indexOf(synthStep)).toBeLessThan(steps.indexOf(archlintStep));
  });

  it("runs the workflow's commands on the example app: synth passes, archlint fails and reports SARIF", () => {
    // The synth step's context makes the validator report without failing; the archlint step decides.
    const { run, outdir } = synth({ ...contextOf(synthStep.run!), openSsh: 'true' });
    expect(run.status).toBe(0);
    const cwd = join(outdir, '..');
    const r = runCommandLine(archlintStep.run!, { cwd });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const words = shellWords(archlintStep.run!);
    const log = JSON.parse(readFileSync(join(cwd, words[words.indexOf('--output') + 1]!), 'utf8')) as {
      runs: {
        results: {
          ruleId: string;
          level: string;
          message: { text: string };
          locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
          suppressions?: unknown[];
          properties: Record<string, string>;
        }[];
      }[];
    };
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    const sg = log.runs[0]!.results.find((x) => x.ruleId === 'sg-admin-ports-open-to-internet')!;
    expect(sg.level).toBe('error');
    expect(sg.properties.constructPath).toBe('ShopProd/Bastion/Resource');
    expect(sg.message.text).toContain('Construct: ShopProd/Bastion/Resource.');
    expect(sg.locations[0]!.physicalLocation.artifactLocation.uri).toBe('cdk.out/ShopProd.template.json');
    expect(log.runs[0]!.results.filter((x) => x.suppressions).map((x) => x.ruleId)).toEqual([
      'cfn-stateful-deletion-policy',
    ]);
  });
});

describe('pre-commit', () => {
  interface Hook {
    id: string;
    entry: string;
    language: string;
    args?: string[];
    files: string;
  }
  const hooks = load(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];
  const hook = hooks.find((h) => h.id === 'archlint')!;
  const example = load(readFileSync(join(ROOT, 'examples', 'ci', 'pre-commit-config.yaml'), 'utf8')) as {
    repos: { hooks: { id: string; files?: string; args?: string[] }[] }[];
  };
  const configured = example.repos[0]!.hooks[0]!;

  it('defines a node hook whose entry is the package binary', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(hook.language).toBe('node');
    expect(Object.keys(pkg.bin)).toContain(hook.entry);
    expect(configured.id).toBe(hook.id);
    const re = new RegExp(hook.files);
    expect(
      ['stack.template.yaml', 'infra/cloudformation/vpc.yml', 'app.template', 'cfn/x.json', 'a.cfn.yaml'].filter((f) =>
        re.test(f),
      ),
    ).toHaveLength(5);
    expect(['.github/workflows/ci.yml', 'package.json', 'docker-compose.yaml'].filter((f) => re.test(f))).toEqual([]);
  });

  it('runs like pre-commit runs it: entry, args, then the staged files that match', () => {
    const repo = mkdtempSync(join(tmpdir(), 'archlint-precommit-'));
    mkdirSync(join(repo, 'infra', 'templates'), { recursive: true });
    cpSync(join(ROOT, 'examples', 'archlint.config.yaml'), join(repo, 'infra', 'archlint.config.yaml'));
    const ok = readFileSync(join(ROOT, 'examples', 'sg-admin-ports-open-to-internet', 'good.yaml'), 'utf8');
    const bad = readFileSync(join(ROOT, 'examples', 'sg-admin-ports-open-to-internet', 'bad.yaml'), 'utf8');
    writeFileSync(join(repo, 'infra', 'templates', 'network.yaml'), ok);
    writeFileSync(join(repo, 'README.md'), '# infra\n');
    writeFileSync(join(repo, 'docker-compose.yaml'), 'services: {}\n');
    const staged = ['README.md', 'docker-compose.yaml', 'infra/templates/network.yaml'];
    const files = new RegExp(configured.files ?? hook.files);
    const command = (names: string[]) =>
      [hook.entry, ...(configured.args ?? hook.args ?? []), ...names.filter((n) => files.test(n))].join(' ');
    expect(command(staged)).toBe(
      'archlint --fail-on error --config infra/archlint.config.yaml infra/templates/network.yaml',
    );
    const pass = runCommandLine(command(staged), { cwd: repo });
    expect(pass.stderr).toBe('');
    expect(pass.status).toBe(0);
    writeFileSync(join(repo, 'infra', 'templates', 'bastion.yaml'), bad);
    const fail = runCommandLine(command([...staged, 'infra/templates/bastion.yaml']), { cwd: repo });
    expect(fail.status).toBe(1);
    expect(fail.stdout).toMatch(/infra\/templates\/bastion\.yaml:\d+:\d+ {2}error/);
  });
});

describe('examples/archlint.config.yaml', () => {
  it('is a valid configuration', () => {
    const c = readConfigFile(join(ROOT, 'examples', 'archlint.config.yaml'));
    expect(c.rules['sg-admin-ports-open-to-internet']).toEqual({ enabled: true, severity: 'error' });
    expect(c.environments.prod?.tags?.env).toContain('prod');
    expect(c.pseudoParameters['AWS::Region']).toBe('eu-west-1');
  });

  it('classifies production stacks by name for the CLI', () => {
    const dir = mkdtempSync(join(tmpdir(), 'archlint-config-'));
    cpSync(join(ROOT, 'examples', 'archlint.config.yaml'), join(dir, 'archlint.config.yaml'));
    const db =
      'Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    DeletionPolicy: Delete\n    Properties:\n      Engine: postgres\n';
    writeFileSync(join(dir, 'db.yaml'), db);
    const severity = (r: Run) =>
      (JSON.parse(r.stdout) as { findings: Finding[] }).findings.find(
        (f) => f.ruleId === 'cfn-stateful-deletion-policy',
      )!.severity;
    expect(severity(runCommandLine('archlint db.yaml -f json', { cwd: dir }))).toBe('warning');
    // A cloud assembly names the stack; a stack called *Prod is production.
    const asm = join(dir, 'cdk.out');
    mkdirSync(asm);
    writeFileSync(
      join(asm, 'manifest.json'),
      JSON.stringify({
        version: '55.0.0',
        artifacts: {
          ShopProd: { type: 'aws:cloudformation:stack', properties: { templateFile: 'ShopProd.template.json' } },
        },
      }),
    );
    writeFileSync(join(asm, 'ShopProd.template.json'), JSON.stringify(load(db), null, 1));
    expect(severity(runCommandLine('archlint cdk.out -f json', { cwd: dir }))).toBe('error');
  });
});
