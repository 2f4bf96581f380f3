import { Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

export interface ShopStackProps extends StackProps {
  /** Add a bastion security group open to the internet on SSH (to see archlint fail the synthesis). */
  readonly openSsh?: boolean;
}

/** A web shop: load balancer in public subnets, database in isolated subnets, private asset bucket. */
export class ShopStack extends Stack {
  constructor(scope: Construct, id: string, props: ShopStackProps = {}) {
    super(scope, id, props);

    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 1,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
        { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 26 },
      ],
    });

    const alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', { vpc, internetFacing: true });
    const http = alb.addListener('Http', { port: 80, open: true });
    http.addTargetGroups('App', {
      targetGroups: [
        new elbv2.ApplicationTargetGroup(this, 'AppTargets', {
          vpc,
          port: 8080,
          protocol: elbv2.ApplicationProtocol.HTTP,
          targetType: elbv2.TargetType.IP,
          healthCheck: { path: '/health', interval: Duration.seconds(15) },
        }),
      ],
    });

    const db = new rds.DatabaseInstance(this, 'Orders', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      multiAz: true,
      // A customer managed key, chosen at creation: snapshots can then be shared with a DR account.
      storageEncryptionKey: new kms.Key(this, 'OrdersKey', { enableKeyRotation: true }),
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    // The generated master secret is deleted with the stack. That is intended here: a database restored from
    // the final snapshot gets a new secret. The acknowledgement shows up as suppressed in every archlint report.
    // (db.secret is the secret's attachment to the database; the secret itself is the Secret child.)
    Validations.of(db.node.findChild('Secret')).acknowledge({
      id: 'archlint::cfn-stateful-deletion-policy',
      reason: 'a database restored from its final snapshot gets a new master secret',
    });

    new s3.Bucket(this, 'Assets', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    if (props.openSsh) {
      const bastion = new ec2.SecurityGroup(this, 'Bastion', { vpc, description: 'SSH for operators' });
      bastion.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22), 'SSH from anywhere');
    }
  }
}
