/**
 * npm run bench: archlint against the parse floor (bare Node + js-yaml parse of the same files),
 * measured side by side in one run, then cdk synth without and with the CDK validator and Aspect
 * (bench/cdk.ts). Prints times, peak memory and ratios; no assertions.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTemplate } from './generate';
import { runCdkBench } from './cdk';

const CHILD = join(__dirname, 'child.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

interface Sample {
  ms: number;
  maxRssMb: number;
}

function measure(mode: 'parse' | 'archlint', files: string[]): Sample {
  const samples: Sample[] = [];
  for (let i = 0; i < RUNS; i++) {
    const out = execFileSync(process.execPath, [CHILD, mode, ...files], { encoding: 'utf8', maxBuffer: 1 << 26 });
    samples.push(JSON.parse(out.trim().split('\n').pop()!) as Sample);
  }
  const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { ms: med(samples.map((s) => s.ms)), maxRssMb: med(samples.map((s) => s.maxRssMb)) };
}

function row(label: string, files: string[]): void {
  // Interleave to share machine noise fairly.
  const floor = measure('parse', files);
  const al = measure('archlint', files);
  console.log(
    `${label.padEnd(26)} parse ${floor.ms.toFixed(0).padStart(6)} ms ${floor.maxRssMb.toFixed(0).padStart(5)} MB | ` +
      `archlint ${al.ms.toFixed(0).padStart(6)} ms ${al.maxRssMb.toFixed(0).padStart(5)} MB | ` +
      `ratio time ${(al.ms / floor.ms).toFixed(2)}x, memory ${(al.maxRssMb / floor.maxRssMb).toFixed(2)}x`,
  );
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'archlint-bench-'));
  console.log(
    `archlint benchmark (median of ${RUNS} runs per cell, each run a fresh process including module loading)`,
  );
  for (const n of [100, 1000, 5000]) {
    const f = join(dir, `generated-${n}.yaml`);
    writeFileSync(f, generateTemplate(n));
    row(`generated ${n} resources`, [f]);
  }
  const corpus = join(__dirname, '..', '..', '..', 'shared', 'corpus', 'templates');
  if (existsSync(corpus)) {
    const files = readdirSync(corpus).map((f) => join(corpus, f));
    row(`corpus (${files.length} files)`, files);
  } else {
    console.log('corpus: skipped (../shared/corpus is not present)');
  }
  console.log('');
  // What the CDK validator and Aspect add to cdk synth (in process, alternating with a plain synth).
  runCdkBench(Number(process.env.BENCH_CDK_RUNS ?? 15));
}

main();
