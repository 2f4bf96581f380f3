import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { App, NestedStack, RemovalPolicy, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { runCli } from '../helpers/cli';
import type { Finding } from '../../src/types';
import { ArchlintAspect, ArchlintValidator } from '../../src/cdk/index';
import { buildFixture } from './fixture-app';
import { EXPECTED_OPEN, FIXTURE_CONFIG_ALL_RULES, keys, ONLY_BASE_RULES } from './helpers';

const ENVIRONMENTS_YAML = 'environments:\n  prod:\n    tags:\n      env: [prod]\n';
const CONFIG_YAML = `${ENVIRONMENTS_YAML}rules:\n${Object.keys(ONLY_BASE_RULES)
  .map((id) => `  ${id}: off\n`)
  .join('')}`;

/** Run `archlint <outdir>` from the folder above it, with the fixture's config file there. */
async function lintAssembly(outdir: string, ...args: string[]) {
  return lintAssemblyWith(CONFIG_YAML, outdir, ...args);
}

async function lintAssemblyWith(config: string, outdir: string, ...args: string[]) {
  const cwd = dirname(outdir);
  writeFileSync(join(cwd, 'archlint.config.yaml'), config);
  return runCli([outdir.slice(cwd.length + 1), ...args], { cwd });
}

function inTemp(name = 'cdk.out'): string {
  return join(mkdtempSync(join(tmpdir(), 'archlint-asm-')), name);
}

describe('archlint on a cloud assembly (cdk.out)', () => {
  for (const pathMetadata of [true, false]) {
    it(`reports construct paths ${pathMetadata ? 'with' : 'without'} aws:cdk:path metadata`, async () => {
      const fx = buildFixture({ outdir: inTemp(), pathMetadata, acknowledge: true });
      fx.app.synth();
      const r = await lintAssembly(fx.outdir, '-f', 'json');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      const out = JSON.parse(r.stdout) as { findings: Finding[]; summary: { suppressed: number; files: number } };
      const open = out.findings.filter((f) => !f.suppressed).map((f) => [f.ruleId, f.constructPath, f.severity]);
      expect(open.sort()).toEqual(
        EXPECTED_OPEN.filter(([id]) => id !== 's3-public-access')
          .map((e) => [...e])
          .sort(),
      );
      expect(out.findings.every((f) => f.constructPath && f.file.startsWith('cdk.out/'))).toBe(true);
      expect(out.summary.files).toBe(3);
      const sg = out.findings.find((f) => f.ruleId === 'sg-admin-ports-open-to-internet')!;
      expect(sg).toMatchObject({
        file: 'cdk.out/Network.template.json',
        logicalId: 'Bastion2B4CEC30',
        stack: 'Network',
      });
      const text = readFileSync(join(fx.outdir, 'Network.template.json'), 'utf8').split('\n');
      expect(text[sg.line - 1]).toContain('"CidrIp": "0.0.0.0/0"');
    });
  }

  it('shows acknowledged findings as suppressed, with the reason', async () => {
    const fx = buildFixture({ outdir: inTemp(), acknowledge: true });
    fx.app.synth();
    const json = JSON.parse((await lintAssembly(fx.outdir, '-f', 'json')).stdout) as { findings: Finding[] };
    expect(json.findings.filter((f) => f.suppressed)).toEqual([
      expect.objectContaining({
        ruleId: 's3-public-access',
        constructPath: 'Web/Logs/Resource',
        suppressed: { kind: 'cdk-acknowledgement', reason: 'access logs, no public policy' },
      }),
    ]);
    const stylish = await lintAssembly(fx.outdir);
    expect(stylish.stdout).toMatch(
      /cdk\.out\/Network\.template\.json:\d+:\d+ {2}error {4}Security group rule in 'Bastion2B4CEC30'/,
    );
    expect(stylish.stdout).toMatch(/opens port 22 .*\n {4}construct: Network\/Bastion\/Resource\n/);
    expect(stylish.stdout).toContain('1 suppressed');
    const sarif = JSON.parse((await lintAssembly(fx.outdir, '-f', 'sarif')).stdout) as {
      runs: { results: { ruleId: string; suppressions?: unknown[]; properties: Record<string, string> }[] }[];
    };
    const s = sarif.runs[0]!.results.find((x) => x.ruleId === 's3-public-access')!;
    expect(s.suppressions).toEqual([
      { kind: 'inSource', status: 'accepted', justification: 'access logs, no public policy' },
    ]);
    expect(s.properties.constructPath).toBe('Web/Logs/Resource');
    const github = (await lintAssembly(fx.outdir, '-f', 'github')).stdout;
    expect(github).toMatch(
      /^::error file=cdk\.out\/Network\.template\.json,line=\d+.*%0AConstruct: Network\/Bastion\/Resource%0AFix: /m,
    );
    const markdown = (await lintAssembly(fx.outdir, '-f', 'markdown')).stdout;
    expect(markdown).toContain('| `Bastion2B4CEC30` (`Network/Bastion/Resource`) |');
  });

  it('does not honour an acknowledgement without the archlint:: namespace', async () => {
    const app = new App({ outdir: inTemp() });
    const stack = new Stack(app, 'S');
    const b = new s3.Bucket(stack, 'B', { removalPolicy: RemovalPolicy.RETAIN });
    Validations.of(b).acknowledge({ id: 's3-public-access', reason: 'recorded as Annotation::s3-public-access' });
    app.synth();
    const json = JSON.parse((await lintAssembly(app.outdir, '-f', 'json')).stdout) as { findings: Finding[] };
    expect(json.findings.map((f) => [f.ruleId, f.suppressed])).toEqual([['s3-public-access', undefined]]);
  });

  it('an acknowledgement on a stack covers its resources; one without a reason is reported', async () => {
    const app = new App({ outdir: inTemp() });
    const stack = new Stack(app, 'S');
    new s3.Bucket(stack, 'B', { removalPolicy: RemovalPolicy.RETAIN });
    const c = new s3.Bucket(stack, 'C', {
      removalPolicy: RemovalPolicy.DESTROY,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    });
    Validations.of(stack).acknowledge({ id: 'archlint::s3-public-access', reason: 'sandbox account' });
    Validations.of(c).acknowledge({ id: 'archlint::cfn-stateful-deletion-policy', reason: '' });
    app.synth();
    const json = JSON.parse((await lintAssembly(app.outdir, '-f', 'json')).stdout) as { findings: Finding[] };
    expect(json.findings.map((f) => [f.ruleId, f.constructPath, f.suppressed?.reason])).toEqual(
      expect.arrayContaining([
        ['s3-public-access', 'S/B/Resource', 'sandbox account'],
        ['cfn-stateful-deletion-policy', 'S/C/Resource', undefined],
        ['archlint-suppression-reason', 'S/C/Resource', undefined],
      ]),
    );
    expect(json.findings.find((f) => f.ruleId === 'archlint-suppression-reason')!.message).toBe(
      'acknowledgement of archlint::cfn-stateful-deletion-policy on S/C has no reason, so it is not honoured; add a reason',
    );
  });

  it('reads nested stacks and stages', async () => {
    const app = new App({ outdir: inTemp(), context: { 'aws:cdk:enable-asset-metadata': true } });
    const parent = new Stack(app, 'Parent', { tags: { team: 'storage' } });
    const nested = new NestedStack(parent, 'Storage');
    new s3.Bucket(new NestedStack(nested, 'Deeper'), 'Deep', {
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new s3.Bucket(nested, 'Inner', { removalPolicy: RemovalPolicy.RETAIN });
    const stage = new Stage(app, 'Prod');
    new s3.Bucket(new Stack(stage, 'Files'), 'Box', { removalPolicy: RemovalPolicy.RETAIN });
    app.synth();
    const json = JSON.parse((await lintAssembly(app.outdir, '-f', 'json')).stdout) as { findings: Finding[] };
    expect(json.findings.map((f) => [f.constructPath, f.stack, f.file.replace(/[0-9A-F]{8}/g, 'X')]).sort()).toEqual([
      [
        'Parent/Storage/Deeper/Deep/Resource',
        'Parent/Storage/Deeper',
        'cdk.out/ParentStorageDeeperX.nested.template.json',
      ],
      ['Parent/Storage/Inner/Resource', 'Parent/Storage', 'cdk.out/ParentStorageX.nested.template.json'],
      ['Prod/Files/Box/Resource', 'Prod-Files', 'cdk.out/assembly-Prod/ProdFilesX.template.json'],
    ]);
  });

  it('lints an assembly given as its manifest.json', async () => {
    const app = new App({ outdir: inTemp() });
    new s3.Bucket(new Stack(app, 'S'), 'B', { removalPolicy: RemovalPolicy.RETAIN });
    app.synth();
    const r = await lintAssembly(app.outdir, '-f', 'json');
    const viaManifest = await runCli([join(app.outdir, 'manifest.json'), '-f', 'json'], { cwd: dirname(app.outdir) });
    expect(JSON.parse(viaManifest.stdout).findings).toEqual(JSON.parse(r.stdout).findings);
  });
});

describe('the validator, the Aspect and the CLI report the same findings', () => {
  it('on the fixture app', async () => {
    const fx = buildFixture({ outdir: inTemp(), acknowledge: true });
    // Every rule, including those that land after these tests were written.
    const options = { configFile: false as const, config: FIXTURE_CONFIG_ALL_RULES, failOn: 'none' as const };
    const plugin = new ArchlintValidator(options);
    Validations.of(fx.app).addPlugins(plugin);
    const aspect = ArchlintAspect.applyTo(fx.app, options);
    fx.app.synth();
    const cli = JSON.parse((await lintAssemblyWith(ENVIRONMENTS_YAML, fx.outdir, '-f', 'json')).stdout) as {
      findings: Finding[];
    };
    const fromValidator = keys(plugin.lastResult!.findings);
    expect(fromValidator.length).toBeGreaterThanOrEqual(5);
    expect(plugin.lastResult!.findings.map((f) => [f.ruleId, f.constructPath])).toEqual(
      expect.arrayContaining([...EXPECTED_OPEN.map(([id, path]) => [id, path])]),
    );
    expect(keys(aspect.results[0]!.findings)).toEqual(fromValidator);
    expect(keys(cli.findings)).toEqual(fromValidator);
    // Same files relative to the same folder, so the same fingerprints.
    const fp = (fs: readonly Finding[]) => fs.map((f) => f.fingerprint).sort();
    const viaCwd = await runCli([
      fx.outdir,
      '-f',
      'json',
      '--config',
      join(dirname(fx.outdir), 'archlint.config.yaml'),
    ]);
    expect(fp(JSON.parse(viaCwd.stdout).findings)).toEqual(fp(plugin.lastResult!.findings));
    expect(fp(aspect.results[0]!.findings)).toEqual(fp(plugin.lastResult!.findings));
  });
});
