/**
 * A real aws-cdk-lib app used by the CDK tests: a network stack (VPC with public and private subnets and a NAT
 * gateway, a bastion security group open on port 22), a data stack (RDS instance, S3 bucket) and a web stack
 * (internet-facing ALB with listeners and target groups). It relies only on the first three rules:
 * cfn-stateful-deletion-policy, sg-admin-ports-open-to-internet and s3-public-access.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, RemovalPolicy, Stack, Tags, Validations, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

export class NetworkStack extends Stack {
  readonly vpc: ec2.Vpc;
  readonly bastion: ec2.SecurityGroup;
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 1,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
        { name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
    });
    this.bastion = new ec2.SecurityGroup(this, 'Bastion', { vpc: this.vpc, description: 'bastion hosts' });
    this.bastion.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22), 'ssh from anywhere');
  }
}

export class DataStack extends Stack {
  readonly db: rds.DatabaseInstance;
  readonly bucket: s3.Bucket;
  constructor(scope: Construct, id: string, props: StackProps & { vpc: ec2.IVpc }) {
    super(scope, id, props);
    this.db = new rds.DatabaseInstance(this, 'Db', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.bucket = new s3.Bucket(this, 'Uploads', {
      removalPolicy: RemovalPolicy.DESTROY,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    });
  }
}

export class WebStack extends Stack {
  readonly alb: elbv2.ApplicationLoadBalancer;
  readonly logs: s3.Bucket;
  constructor(scope: Construct, id: string, props: StackProps & { vpc: ec2.IVpc }) {
    super(scope, id, props);
    this.alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', { vpc: props.vpc, internetFacing: true });
    const http = this.alb.addListener('Http', { port: 80, open: true });
    http.addTargets('Web', { port: 8080, targets: [] });
    const admin = this.alb.addListener('Admin', { port: 8443, protocol: elbv2.ApplicationProtocol.HTTP, open: false });
    admin.addTargetGroups('AdminTargets', {
      targetGroups: [
        new elbv2.ApplicationTargetGroup(this, 'AdminGroup', {
          vpc: props.vpc,
          port: 9000,
          protocol: elbv2.ApplicationProtocol.HTTP,
        }),
      ],
    });
    // Retained, but without Block Public Access: s3-public-access.
    this.logs = new s3.Bucket(this, 'Logs', { removalPolicy: RemovalPolicy.RETAIN });
  }
}

export interface FixtureOptions {
  outdir?: string;
  /** Enable `aws:cdk:path` resource metadata the way the CDK CLI does. */
  pathMetadata?: boolean;
  /** Acknowledge s3-public-access on the logs bucket with a reason. */
  acknowledge?: boolean;
  context?: Record<string, unknown>;
}

export interface Fixture {
  app: App;
  network: NetworkStack;
  data: DataStack;
  web: WebStack;
  outdir: string;
}

export function buildFixture(opts: FixtureOptions = {}): Fixture {
  const outdir = opts.outdir ?? mkdtempSync(join(tmpdir(), 'archlint-cdk-'));
  const app = new App({
    outdir,
    context: {
      ...(opts.pathMetadata ? { 'aws:cdk:enable-path-metadata': true } : {}),
      ...opts.context,
    },
  });
  const network = new NetworkStack(app, 'Network');
  const data = new DataStack(app, 'Data', { vpc: network.vpc });
  const web = new WebStack(app, 'Web', { vpc: network.vpc });
  Tags.of(data).add('env', 'prod');
  if (opts.acknowledge) {
    Validations.of(web.logs).acknowledge({ id: 'archlint::s3-public-access', reason: 'access logs, no public policy' });
  }
  return { app, network, data, web, outdir };
}
