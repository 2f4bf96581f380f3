/**
 * What archlint adds to `cdk synth`: an app of about 500 resources is synthesized without archlint, with the
 * validator and with the Aspect, alternating in one run; medians and ratios are printed.
 *
 *   npm run build && node dist/bench/cdk.js [--runs 15]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { App, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ArchlintAspect, ArchlintValidator } from '../src/cdk/index';

type Variant = 'plain' | 'validator' | 'aspect';

/** An app of three stacks with about 500 resources, a few of them with findings. */
export function buildBenchApp(outdir: string): App {
  const app = new App({ outdir });
  const net = new Stack(app, 'BenchNetwork');
  const vpc = new ec2.Vpc(net, 'Vpc', { maxAzs: 3, natGateways: 3 });
  for (let i = 0; i < 60; i++) {
    const sg = new ec2.SecurityGroup(net, `Sg${i}`, { vpc, allowAllOutbound: false });
    sg.addIngressRule(ec2.Peer.ipv4(`10.${i}.0.0/16`), ec2.Port.tcp(443));
    sg.addIngressRule(i % 20 === 0 ? ec2.Peer.anyIpv4() : ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.tcp(22));
  }
  const data = new Stack(app, 'BenchData');
  for (let i = 0; i < 130; i++) {
    new s3.Bucket(data, `Bucket${i}`, {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      removalPolicy: i % 25 === 0 ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
  }
  for (let i = 0; i < 120; i++) {
    new sqs.Queue(data, `Queue${i}`, { retentionPeriod: Duration.days(4), removalPolicy: RemovalPolicy.RETAIN });
  }
  for (let i = 0; i < 40; i++) {
    new dynamodb.Table(data, `Table${i}`, {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
  const compute = new Stack(app, 'BenchCompute');
  for (let i = 0; i < 60; i++) {
    new iam.Role(compute, `Role${i}`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    new logs.LogGroup(compute, `Logs${i}`, {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
  return app;
}

function synthOnce(variant: Variant): { ms: number; lintMs: number; resources: number } {
  const outdir = mkdtempSync(join(tmpdir(), 'archlint-bench-'));
  // The CDK prints its validation report (warnings) on stderr; keep the benchmark output readable.
  const consoleError = console.error;
  console.error = () => {};
  try {
    const app = buildBenchApp(outdir);
    const options = { configFile: false as const, failOn: 'none' as const };
    let lintMs = 0;
    if (variant === 'validator') {
      const plugin = new ArchlintValidator(options);
      const validate = plugin.validate.bind(plugin);
      plugin.validate = (ctx) => {
        const t = performance.now();
        try {
          return validate(ctx);
        } finally {
          lintMs += performance.now() - t;
        }
      };
      Validations.of(app).addPlugins(plugin);
    }
    if (variant === 'aspect') ArchlintAspect.applyTo(app, options);
    const t0 = performance.now();
    const assembly = app.synth();
    const ms = performance.now() - t0;
    let resources = 0;
    for (const s of assembly.stacks)
      resources += Object.keys((s.template as { Resources?: object }).Resources ?? {}).length;
    return { ms, lintMs, resources };
  } finally {
    console.error = consoleError;
    rmSync(outdir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

export interface CdkBenchResult {
  resources: number;
  runs: number;
  medianMs: Record<Variant, number>;
  /** Time spent inside the validator's validate(): reading the assembly files and linting. */
  validatorLintMs: number;
  ratio: { validator: number; aspect: number };
}

/** Alternate the variants so that warm-up and machine noise fall on all of them alike. */
export function runCdkBench(runs = 15, log: (s: string) => void = console.log): CdkBenchResult {
  const variants: Variant[] = ['plain', 'validator', 'aspect'];
  const times: Record<Variant, number[]> = { plain: [], validator: [], aspect: [] };
  const lintTimes: number[] = [];
  let resources = 0;
  for (const v of variants) synthOnce(v); // warm-up: module loading and JIT
  for (let i = 0; i < runs; i++) {
    for (const v of i % 2 ? [...variants].reverse() : variants) {
      const r = synthOnce(v);
      times[v].push(r.ms);
      if (v === 'validator') lintTimes.push(r.lintMs);
      resources = r.resources;
    }
  }
  const medianMs = { plain: median(times.plain), validator: median(times.validator), aspect: median(times.aspect) };
  const result: CdkBenchResult = {
    resources,
    runs,
    medianMs,
    validatorLintMs: median(lintTimes),
    ratio: { validator: medianMs.validator / medianMs.plain, aspect: medianMs.aspect / medianMs.plain },
  };
  const ms = (x: number) => `${x.toFixed(0).padStart(6)} ms`;
  log(`cdk synth of ${resources} resources in 3 stacks, median of ${runs} runs each (alternating):`);
  log(`  without archlint        ${ms(medianMs.plain)}`);
  log(`  with ArchlintValidator  ${ms(medianMs.validator)}  ratio ${result.ratio.validator.toFixed(2)}`);
  log(
    `    inside validate()     ${ms(result.validatorLintMs)}  ${((100 * result.validatorLintMs) / medianMs.validator).toFixed(1)}% of that synth`,
  );
  log(`  with ArchlintAspect     ${ms(medianMs.aspect)}  ratio ${result.ratio.aspect.toFixed(2)}`);
  return result;
}

if (require.main === module) {
  const i = process.argv.indexOf('--runs');
  runCdkBench(i > 0 ? Number(process.argv[i + 1]) || 15 : 15);
}
