import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { App, AspectPriority, Aspects, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { ArchlintAspect, suppressRule } from '../../src/cdk/index';
import { buildFixture } from './fixture-app';
import { FIXTURE_CONFIG } from './helpers';

describe('ArchlintAspect on a real app (VPC, NAT, RDS, ALB, S3)', () => {
  const fx = buildFixture({ acknowledge: true });
  const aspect = ArchlintAspect.applyTo(fx.app, { configFile: false, config: FIXTURE_CONFIG });

  it('attaches error findings as errors on the offending constructs', () => {
    const net = Annotations.fromStack(fx.network);
    net.hasError(
      '/Network/Bastion/Resource',
      Match.stringLikeRegexp(
        'opens port 22 \\(SSH\\) to the whole internet.*\\(archlint::sg-admin-ports-open-to-internet\\)',
      ),
    );
    const data = Annotations.fromStack(fx.data);
    data.hasError(
      '/Data/Db/Resource',
      Match.stringLikeRegexp("RDS DB instance 'Db5D02A0A9' has DeletionPolicy: Delete"),
    );
  });

  it('attaches warnings, acknowledgeable under archlint::<rule-id>', () => {
    const data = Annotations.fromStack(fx.data);
    data.hasWarning(
      '/Data/Uploads/Resource',
      Match.stringLikeRegexp(
        "S3 bucket 'Uploads4F6EB0FD' has DeletionPolicy: Delete.*\\[ack: archlint::cfn-stateful-deletion-policy\\]",
      ),
    );
    data.hasWarning('/Data/Db/Secret/Resource', Match.stringLikeRegexp('SecretsManager Secret'));
    data.hasNoWarning('/Data/Db/Resource', Match.anyValue());
    Annotations.fromStack(fx.network).hasNoWarning('/Network/Bastion/Resource', Match.stringLikeRegexp('archlint'));
  });

  it('shows an acknowledged finding as suppressed (info) instead of a warning', () => {
    const web = Annotations.fromStack(fx.web);
    web.hasNoWarning('/Web/Logs/Resource', Match.stringLikeRegexp('archlint::s3-public-access'));
    web.hasInfo(
      '/Web/Logs/Resource',
      Match.stringLikeRegexp(
        '^\\[suppressed: access logs, no public policy\\] S3 bucket .*\\(archlint::s3-public-access\\)$',
      ),
    );
  });

  it('lints every stack once, together', () => {
    expect(aspect.results).toHaveLength(1);
    expect(aspect.results[0]!.summary.files).toBe(3);
  });
});

describe('ArchlintAspect behaviour', () => {
  it('is registered at read-only priority', () => {
    const app = new App();
    const aspect = ArchlintAspect.applyTo(app, { configFile: false });
    const applied = Aspects.of(app).applied.find((a) => a.aspect === aspect)!;
    expect(applied.priority).toBe(AspectPriority.READONLY);
  });

  it('sees changes made by mutating Aspects and by lazy values', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'archlint-cdk-')) });
    const stack = new Stack(app, 'Late');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0 });
    const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc });
    let port = 443;
    (sg.node.defaultChild as ec2.CfnSecurityGroup).securityGroupIngress = [
      { ipProtocol: 'tcp', cidrIp: '0.0.0.0/0', fromPort: Lazy.number({ produce: () => port }), toPort: 3389 },
    ];
    // A mutating Aspect (default priority) that runs before the read-only one.
    Aspects.of(app).add({
      visit(node: IConstruct) {
        if (node === sg) port = 3389;
      },
    });
    ArchlintAspect.applyTo(app, { configFile: false });
    Annotations.fromStack(stack).hasError('/Late/Sg/Resource', Match.stringLikeRegexp('port 3389 \\(RDP\\)'));
    const t = app.synth().getStackByName('Late').template as {
      Resources: Record<string, { Properties: { SecurityGroupIngress?: { FromPort: number }[] } }>;
    };
    const written = Object.values(t.Resources).find((r) => r.Properties?.SecurityGroupIngress)!;
    expect(written.Properties.SecurityGroupIngress![0]!.FromPort).toBe(3389);
  });

  it('below the threshold, errors become warnings; info findings stay info', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0 });
    new ec2.SecurityGroup(stack, 'Ssh', { vpc }).addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
    new s3.Bucket(stack, 'B', {
      removalPolicy: RemovalPolicy.DESTROY,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    });
    ArchlintAspect.applyTo(app, {
      configFile: false,
      failOn: 'none',
      rules: { 'cfn-stateful-deletion-policy': 'info' },
    });
    const a = Annotations.fromStack(stack);
    a.hasWarning('/S/Ssh/Resource', Match.stringLikeRegexp('port 22'));
    a.hasNoError('*', Match.anyValue());
    a.hasInfo(
      '/S/B/Resource',
      Match.stringLikeRegexp('DeletionPolicy: Delete.*\\(archlint::cfn-stateful-deletion-policy\\)'),
    );
  });

  it('honours Metadata suppressions written by suppressRule', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const bucket = new s3.Bucket(stack, 'Site', { removalPolicy: RemovalPolicy.RETAIN });
    suppressRule(bucket, 's3-public-access', 'public website');
    ArchlintAspect.applyTo(app, { configFile: false });
    const a = Annotations.fromStack(stack);
    a.hasNoWarning('*', Match.stringLikeRegexp('archlint'));
    a.hasInfo('/S/Site/Resource', Match.stringLikeRegexp('^\\[suppressed: public website\\]'));
  });

  it('applied to one stack, lints only that stack', () => {
    const app = new App();
    const a = new Stack(app, 'A');
    const b = new Stack(app, 'B');
    new s3.Bucket(a, 'Bucket', { removalPolicy: RemovalPolicy.RETAIN });
    new s3.Bucket(b, 'Bucket', { removalPolicy: RemovalPolicy.RETAIN });
    const aspect = ArchlintAspect.applyTo(a, { configFile: false });
    Annotations.fromStack(a).hasWarning('/A/Bucket/Resource', Match.stringLikeRegexp('archlint::s3-public-access'));
    Annotations.fromStack(b).hasNoWarning('*', Match.stringLikeRegexp('archlint'));
    expect(aspect.results[0]!.summary.files).toBe(1);
  });
});
