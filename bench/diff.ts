/**
 * npm run bench:diff: diff mode against normal linting of the same templates, measured side by side in one run
 * (fresh process per run, module loading included). Prints medians and ratios; no assertions.
 *
 *   normal     archlint <new>
 *   identical  archlint <new> --baseline <new>      (diff machinery, nothing changes)
 *   changed    archlint <new> --baseline <old>      (every VPC CIDR changed: cascades through every cell)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { generateTemplate } from './generate';

const CHILD = join(__dirname, 'child.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

interface Sample {
  ms: number;
  maxRssMb: number;
}

const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Median of RUNS runs per variant, interleaved so that machine noise is shared fairly. */
function measure(variants: Record<string, string[]>): Record<string, Sample> {
  const samples: Record<string, Sample[]> = {};
  for (let i = 0; i < RUNS; i++) {
    for (const [name, args] of Object.entries(variants)) {
      const out = execFileSync(process.execPath, [CHILD, 'archlint', ...args], {
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      });
      (samples[name] ??= []).push(JSON.parse(out.trim().split('\n').pop()!) as Sample);
    }
  }
  return Object.fromEntries(
    Object.entries(samples).map(([k, s]) => [
      k,
      { ms: med(s.map((x) => x.ms)), maxRssMb: med(s.map((x) => x.maxRssMb)) },
    ]),
  );
}

function row(label: string, variants: Record<string, string[]>): void {
  const m = measure(variants);
  const base = m.normal!;
  const cells = Object.entries(m).map(
    ([k, s]) =>
      `${k} ${s.ms.toFixed(0).padStart(6)} ms ${s.maxRssMb.toFixed(0).padStart(4)} MB` +
      (k === 'normal'
        ? ''
        : ` (${(s.ms / base.ms).toFixed(2)}x time, ${(s.maxRssMb / base.maxRssMb).toFixed(2)}x mem)`),
  );
  console.log(`${label.padEnd(24)} ${cells.join(' | ')}`);
}

/** The generated template with every VPC CIDR changed (/16 -> /17): replaces each VPC and its cell. */
function changedCopy(text: string): string {
  const t = yaml.load(text) as { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
  for (const r of Object.values(t.Resources)) {
    if (r.Type === 'AWS::EC2::VPC' && typeof r.Properties?.CidrBlock === 'string')
      r.Properties.CidrBlock = r.Properties.CidrBlock.replace('/16', '/17');
  }
  return yaml.dump(t, { noRefs: true, lineWidth: -1 });
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'archlint-bench-diff-'));
  console.log(`archlint diff-mode benchmark (median of ${RUNS} runs per cell, each a fresh process)`);
  for (const n of [100, 1000, 5000]) {
    const text = generateTemplate(n);
    const file = join(dir, `new-${n}.yaml`);
    const old = join(dir, `old-${n}.yaml`);
    writeFileSync(file, text);
    writeFileSync(old, changedCopy(text));
    row(`generated ${n} resources`, {
      normal: [file],
      identical: [file, '--baseline', file],
      changed: [file, '--baseline', old],
    });
  }
  const corpus = join(__dirname, '..', '..', '..', 'shared', 'corpus', 'templates');
  if (existsSync(corpus)) {
    row(`corpus (${readdirSync(corpus).length} files)`, {
      normal: [corpus],
      identical: [corpus, '--baseline', corpus],
    });
  } else {
    console.log('corpus: skipped (../shared/corpus is not present)');
  }
}

main();
