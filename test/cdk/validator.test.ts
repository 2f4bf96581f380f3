import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { App, CfnParameter, NestedStack, RemovalPolicy, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ArchlintValidator, suppressRule } from '../../src/cdk/index';
import { buildFixture } from './fixture-app';
import { archlintReport, EXPECTED_OPEN, FIXTURE_CONFIG, ONLY_BASE_RULES, readReport } from './helpers';

function synthError(app: App): string {
  try {
    app.synth();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('synthesis did not fail');
}

/** Severity of the cfn-stateful-deletion-policy finding on a construct (environment-dependent for databases). */
function stateful(plugin: ArchlintValidator, constructPath: string): string | undefined {
  return plugin.lastResult!.findings.find(
    (f) => f.ruleId === 'cfn-stateful-deletion-policy' && f.constructPath === constructPath,
  )?.severity;
}

function validator(options: ConstructorParameters<typeof ArchlintValidator>[0] = {}): ArchlintValidator {
  return new ArchlintValidator({ configFile: false, config: FIXTURE_CONFIG, ...options });
}

describe('ArchlintValidator on a real app (VPC, NAT, RDS, ALB, S3)', () => {
  const fx = buildFixture({ acknowledge: true });
  const plugin = validator();
  Validations.of(fx.app).addPlugins(plugin);
  const message = synthError(fx.app);
  const report = archlintReport(fx.outdir);

  it('fails synthesis on error findings and names rule ids and construct paths', () => {
    expect(report.conclusion).toBe('failure');
    expect(message).toContain(`Acknowledge with 'archlint::sg-admin-ports-open-to-internet'`);
    expect(message).toContain('Network/Bastion/Resource (Bastion2B4CEC30)');
    expect(message).toContain(`Acknowledge with 'archlint::cfn-stateful-deletion-policy'`);
    expect(message).toContain('Data/Db/Resource');
  });

  it('reports every open finding with rule id, description, fix, logical id, template and property path', () => {
    const got = report.violations.map((v) => [v.ruleName, v.violatingConstructs[0]!.constructPath, v.severity]);
    expect(got.sort()).toEqual(
      EXPECTED_OPEN.filter(([id]) => id !== 's3-public-access')
        .map((e) => [...e])
        .sort(),
    );
    const sg = report.violations.find((v) => v.ruleName === 'sg-admin-ports-open-to-internet')!;
    expect(sg.description).toMatch(/opens port 22 \(SSH\) to the whole internet/);
    expect(sg.suggestedFix).toMatch(/Session Manager/);
    expect(sg.ruleMetadata).toMatchObject({ severity: 'error', constructPath: 'Network/Bastion/Resource' });
    expect(sg.ruleMetadata!.location).toMatch(/Network\.template\.json:\d+:\d+$/);
    expect(sg.violatingConstructs[0]!.cloudFormationResource).toEqual({
      templatePath: 'Network.template.json',
      logicalId: 'Bastion2B4CEC30',
      propertyPaths: ['Properties.SecurityGroupIngress.0.CidrIp'],
    });
    const db = report.violations.find((v) => v.violatingConstructs[0]!.constructPath === 'Data/Db/Resource')!;
    expect(db.violatingConstructs[0]!.cloudFormationResource).toMatchObject({
      templatePath: 'Data.template.json',
      propertyPaths: ['DeletionPolicy'],
    });
  });

  it('shows an acknowledged finding as suppressed, with its reason', () => {
    expect(report.suppressedViolations).toHaveLength(1);
    expect(report.suppressedViolations![0]).toMatchObject({
      ruleName: 's3-public-access',
      acknowledgedId: 'archlint::s3-public-access',
      reason: 'access logs, no public policy',
      acknowledgedAt: 'Web/Logs',
      violatingConstructs: [{ constructPath: 'Web/Logs/Resource' }],
    });
    const f = plugin.lastResult!.findings.find((x) => x.ruleId === 's3-public-access')!;
    expect(f.suppressed).toEqual({ kind: 'cdk-acknowledgement', reason: 'access logs, no public policy' });
    expect(f.constructPath).toBe('Web/Logs/Resource');
  });

  it('keeps the findings, with template lines, for programmatic use', () => {
    const r = plugin.lastResult!;
    expect(r.errors).toEqual([]);
    const sg = r.findings.find((f) => f.ruleId === 'sg-admin-ports-open-to-internet')!;
    expect(sg).toMatchObject({ logicalId: 'Bastion2B4CEC30', stack: 'Network' });
    expect(sg.line).toBeGreaterThan(1);
  });
});

describe('ArchlintValidator threshold and options', () => {
  it('failOn none lets synthesis succeed and still reports', () => {
    const fx = buildFixture();
    Validations.of(fx.app).addPlugins(validator({ failOn: 'none' }));
    fx.app.synth();
    const report = archlintReport(fx.outdir);
    expect(report.conclusion).toBe('success');
    // Below the threshold, errors are shown as warnings so that the CDK does not fail on them.
    expect(new Set(report.violations.map((v) => v.severity))).toEqual(new Set(['warning']));
    expect(
      report.violations.find((v) => v.ruleName === 'sg-admin-ports-open-to-internet')!.ruleMetadata!.severity,
    ).toBe('error');
  });

  it('failOn warning fails on warnings even when every error is acknowledged', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'archlint-cdk-')) });
    const stack = new Stack(app, 'Only');
    const bucket = new s3.Bucket(stack, 'Scratch', {
      removalPolicy: RemovalPolicy.DESTROY,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    });
    const other = new s3.Bucket(stack, 'Other', { removalPolicy: RemovalPolicy.RETAIN });
    Validations.of(other).acknowledge({ id: 'archlint::s3-public-access', reason: 'tested' });
    Validations.of(app).addPlugins(validator({ failOn: 'warning' }));
    const msg = synthError(app);
    expect(msg).toContain('Only/Scratch/Resource');
    const report = archlintReport(app.outdir);
    expect(report.violations.map((v) => [v.ruleName, v.severity, v.ruleMetadata!.severity])).toEqual([
      ['cfn-stateful-deletion-policy', 'error', 'warning'],
    ]);
    expect(report.suppressedViolations!.map((v) => v.ruleName)).toEqual(['s3-public-access']);
    expect(bucket.node.path).toBe('Only/Scratch');
  });

  it('rule overrides turn rules off and change severities', () => {
    const fx = buildFixture();
    Validations.of(fx.app).addPlugins(
      validator({ rules: { 'sg-admin-ports-open-to-internet': 'off', 'cfn-stateful-deletion-policy': 'info' } }),
    );
    fx.app.synth();
    const report = archlintReport(fx.outdir);
    expect(report.conclusion).toBe('success');
    expect(report.violations.map((v) => v.ruleName)).not.toContain('sg-admin-ports-open-to-internet');
    expect(
      report.violations.filter((v) => v.ruleName === 'cfn-stateful-deletion-policy').map((v) => v.severity),
    ).toEqual(['info', 'info', 'info']);
  });

  it('reads a config file like the CLI does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'archlint-cfg-'));
    writeFileSync(
      join(dir, 'archlint.config.yaml'),
      'rules:\n  sg-admin-ports-open-to-internet: warning\nenvironments:\n  prod:\n    stackNames: [Data]\n',
    );
    const fx = buildFixture();
    const plugin = new ArchlintValidator({ cwd: dir, rules: ONLY_BASE_RULES });
    Validations.of(fx.app).addPlugins(plugin);
    const msg = synthError(fx.app);
    expect(msg).toContain('Data/Db/Resource');
    expect(msg).not.toContain('Network/Bastion/Resource (Bastion2B4CEC30)\n   Suggested fix: Use AWS Systems Manager');
    const sg = plugin.lastResult!.findings.find((f) => f.ruleId === 'sg-admin-ports-open-to-internet')!;
    expect(sg.severity).toBe('warning');
    // Data is production by stack name: the database without a snapshot is an error.
    expect(stateful(plugin, 'Data/Db/Resource')).toBe('error');
    // configFile: false ignores the file.
    const fx2 = buildFixture();
    const plain = new ArchlintValidator({ cwd: dir, configFile: false, failOn: 'none', rules: ONLY_BASE_RULES });
    Validations.of(fx2.app).addPlugins(plain);
    fx2.app.synth();
    expect(plain.lastResult!.findings.find((f) => f.ruleId === 'sg-admin-ports-open-to-internet')!.severity).toBe(
      'error',
    );
    expect(stateful(plain, 'Data/Db/Resource')).toBe('warning');
  });

  it('takes parameter values for template parameters', () => {
    const make = (parameters?: Record<string, string>) => {
      const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'archlint-cdk-')) });
      const stack = new Stack(app, 'Params');
      const cidr = new CfnParameter(stack, 'AdminCidr', { type: 'String' });
      const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0 });
      const sg = new ec2.SecurityGroup(stack, 'Admin', { vpc });
      sg.addIngressRule(ec2.Peer.ipv4(cidr.valueAsString), ec2.Port.tcp(3389));
      const plugin = validator({ parameters, failOn: 'none' });
      Validations.of(app).addPlugins(plugin);
      app.synth();
      return plugin.lastResult!;
    };
    const unknown = make();
    expect(unknown.findings.filter((f) => f.ruleId === 'sg-admin-ports-open-to-internet')).toEqual([]);
    expect(unknown.unknowns.some((u) => u.ruleId === 'sg-admin-ports-open-to-internet')).toBe(true);
    const open = make({ AdminCidr: '0.0.0.0/0' });
    expect(open.findings.find((f) => f.ruleId === 'sg-admin-ports-open-to-internet')).toMatchObject({
      constructPath: 'Params/Admin/Resource',
    });
  });
});

describe('environment classification', () => {
  const dbApp = (context?: Record<string, unknown>) => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'archlint-cdk-')), context });
    const stack = new Stack(app, 'Db');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
    new rds.DatabaseInstance(stack, 'Pg', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    return { app, stack };
  };
  const severityOf = (
    options: ConstructorParameters<typeof ArchlintValidator>[0],
    context?: Record<string, unknown>,
  ) => {
    const { app } = dbApp(context);
    const plugin = new ArchlintValidator({ configFile: false, failOn: 'none', rules: ONLY_BASE_RULES, ...options });
    Validations.of(app).addPlugins(plugin);
    app.synth();
    return stateful(plugin, 'Db/Pg/Resource');
  };
  it('is unclassified by default (a database without snapshot is a warning)', () => {
    expect(severityOf({})).toBe('warning');
  });
  it('reads the archlint:environment CDK context', () => {
    expect(severityOf({}, { 'archlint:environment': 'prod' })).toBe('error');
    expect(severityOf({}, { 'archlint:environment': 'nonprod' })).toBe('warning');
  });
  it('takes a fixed classification or a function of the stack', () => {
    expect(severityOf({ environment: 'prod' })).toBe('error');
    expect(severityOf({ environment: (s) => (s.stackName === 'Db' ? 'prod' : undefined) })).toBe('error');
  });
  it('classifies by stack tags through the configuration', () => {
    const { app, stack } = dbApp();
    stack.tags.setTag('stage', 'production');
    const plugin = new ArchlintValidator({
      configFile: false,
      failOn: 'none',
      config: { environments: { prod: { tags: { stage: ['production'] } } } },
    });
    Validations.of(app).addPlugins(plugin);
    app.synth();
    expect(stateful(plugin, 'Db/Pg/Resource')).toBe('error');
  });
  it('rejects an invalid context value', () => {
    const { app } = dbApp({ 'archlint:environment': 'staging' });
    Validations.of(app).addPlugins(new ArchlintValidator({ configFile: false }));
    expect(synthError(app)).toMatch(/archlint:environment must be prod, nonprod or unclassified/);
  });
});

describe('suppressions written into the template', () => {
  it('suppressRule writes Metadata that the validator honours and lists', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'archlint-cdk-')) });
    const stack = new Stack(app, 'Site');
    const bucket = new s3.Bucket(stack, 'Public', { removalPolicy: RemovalPolicy.RETAIN });
    suppressRule(bucket, 's3-public-access', 'static website behind CloudFront');
    const plugin = validator({ failOn: 'warning' });
    Validations.of(app).addPlugins(plugin);
    app.synth();
    // Nothing open: the CDK writes no archlint section into its report.
    expect(readReport(app.outdir).pluginReports.map((p) => p.pluginName)).not.toContain('archlint');
    expect(plugin.lastResult!.findings[0]!.suppressed).toEqual({
      kind: 'metadata',
      reason: 'static website behind CloudFront',
    });
  });
  it('lists Metadata suppressions in the report metadata when the report has findings', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'archlint-cdk-')) });
    const stack = new Stack(app, 'Site');
    const bucket = new s3.Bucket(stack, 'Public', { removalPolicy: RemovalPolicy.RETAIN });
    suppressRule(bucket, 's3-public-access', 'static website behind CloudFront');
    new s3.Bucket(stack, 'Open', { removalPolicy: RemovalPolicy.RETAIN });
    Validations.of(app).addPlugins(validator({ failOn: 'none' }));
    app.synth();
    const report = archlintReport(app.outdir);
    expect(report.violations.map((v) => v.violatingConstructs[0]!.constructPath)).toEqual(['Site/Open/Resource']);
    expect(report.metadata!.suppressed).toBe(
      's3-public-access on Site/Public/Resource (static website behind CloudFront)',
    );
  });
  it('refuses a suppression without a reason or without a resource', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const bucket = new s3.Bucket(stack, 'B');
    expect(() => suppressRule(bucket, 's3-public-access', ' ')).toThrow(/needs a reason/);
    expect(() => suppressRule(new Construct(stack, 'Group'), 's3-public-access', 'x')).toThrow(
      /S\/Group has no CloudFormation resource/,
    );
  });
  it('a stack-level suppression goes into template Metadata and merges with existing entries', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const bucket = new s3.Bucket(stack, 'B');
    suppressRule(stack, 'cfn-stateful-deletion-policy', 'dev sandbox');
    suppressRule(bucket, 's3-public-access', 'one');
    suppressRule(bucket, 'cfn-stateful-deletion-policy', 'two');
    suppressRule(bucket, 's3-public-access', 'three');
    const t = app.synth().getStackByName('S').template as {
      Metadata: unknown;
      Resources: Record<string, { Metadata?: unknown }>;
    };
    expect(t.Metadata).toEqual({
      archlint: { suppress: [{ id: 'cfn-stateful-deletion-policy', reason: 'dev sandbox' }] },
    });
    expect(Object.values(t.Resources)[0]!.Metadata).toEqual({
      archlint: {
        suppress: [
          { id: 's3-public-access', reason: 'three' },
          { id: 'cfn-stateful-deletion-policy', reason: 'two' },
        ],
      },
    });
  });
});

describe('nested stacks and stages', () => {
  it('lints nested stack templates and stacks of stages, with construct paths', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'archlint-cdk-')) });
    const parent = new Stack(app, 'Parent');
    const nested = new NestedStack(parent, 'Storage');
    new s3.Bucket(nested, 'Inner', {
      removalPolicy: RemovalPolicy.DESTROY,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    });
    const stage = new Stage(app, 'Prod');
    const inStage = new Stack(stage, 'Net');
    const vpc = new ec2.Vpc(inStage, 'Vpc', { maxAzs: 1, natGateways: 0 });
    new ec2.SecurityGroup(inStage, 'Rdp', { vpc }).addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(3389));
    // Acknowledged on the Stage: only the construct tree knows it.
    Validations.of(stage).acknowledge({ id: 'archlint::sg-admin-ports-open-to-internet', reason: 'lab stage' });
    const plugin = validator({ failOn: 'warning' });
    Validations.of(app).addPlugins(plugin);
    const msg = synthError(app);
    expect(msg).toContain('Parent/Storage/Inner/Resource');
    const r = plugin.lastResult!;
    expect(r.findings.map((f) => [f.ruleId, f.constructPath, f.stack, f.suppressed?.reason])).toEqual(
      expect.arrayContaining([
        ['cfn-stateful-deletion-policy', 'Parent/Storage/Inner/Resource', 'Parent/Storage', undefined],
        ['sg-admin-ports-open-to-internet', 'Prod/Net/Rdp/Resource', 'Prod-Net', 'lab stage'],
      ]),
    );
    expect(r.findings.find((f) => f.constructPath === 'Parent/Storage/Inner/Resource')!.file).toMatch(
      /\.nested\.template\.json$/,
    );
    const report = archlintReport(app.outdir);
    expect(report.suppressedViolations!.map((v) => [v.ruleName, v.acknowledgedAt, v.reason])).toEqual([
      ['sg-admin-ports-open-to-internet', 'Prod', 'lab stage'],
    ]);
  });
});
