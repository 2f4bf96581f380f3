/**
 * Generates docs/rules/<id>.md and docs/rules/README.md from rule metadata and examples.
 *   node dist/scripts/gen-docs.js           write the files
 *   node dist/scripts/gen-docs.js --check   exit 1 when they are stale
 * test/docs.test.ts runs the same check in the test suite.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { builtinRules } from '../rules/index';
import type { Rule } from '../src/engine/rule';

function findRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'rules'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the repository root');
}

const PILLAR_NAMES: Record<string, string> = {
  security: 'Security',
  reliability: 'Reliability',
  performance: 'Performance efficiency',
  cost: 'Cost optimization',
  operations: 'Operational excellence',
};

function pillars(r: Rule): string {
  return (Array.isArray(r.pillar) ? r.pillar : [r.pillar]).map((p) => PILLAR_NAMES[p as string] ?? p).join(', ');
}

function citation(c: string): string {
  return /^https?:/.test(c) ? `<${c}>` : `\`${c}\``;
}

function example(root: string, id: string, kind: string): string | undefined {
  const p = join(root, 'examples', id, `${kind}.yaml`);
  return existsSync(p) ? readFileSync(p, 'utf8').trimEnd() : undefined;
}

export function ruleDoc(root: string, r: Rule): string {
  const lines = [
    `<!-- Generated from rules/ and examples/ by scripts/gen-docs.ts. Do not edit. -->`,
    `# ${r.id}`,
    '',
    `**${r.title}**`,
    '',
    '| severity | pillar | tier | scope |',
    '|---|---|---|---|',
    `| ${r.severityNote ?? r.severity} | ${pillars(r)} | ${r.tier} | ${r.scope} |`,
    '',
  ];
  if (r.resourceTypes?.length)
    lines.push(`Resource types: ${r.resourceTypes.map((t) => (t === '*' ? 'every type' : `\`${t}\``)).join(', ')}`, '');
  lines.push('## Why it matters', '', r.rationale, '', '## How to fix', '', r.remediation, '');
  const baseline = example(root, r.id, 'baseline');
  const bad = example(root, r.id, 'bad');
  const good = example(root, r.id, 'good');
  if (baseline) lines.push('## Deployed template (baseline)', '', '```yaml', baseline, '```', '');
  if (bad)
    lines.push(`## Failing example`, '', 'Lines marked `# expect:` are reported.', '', '```yaml', bad, '```', '');
  if (good) lines.push('## Passing example', '', '```yaml', good, '```', '');
  lines.push('## References', '', ...r.citations.map((c) => `- ${citation(c)}`), '');
  lines.push(`Run \`archlint explain ${r.id}\` for this page in the terminal.`, '');
  return lines.join('\n');
}

export function indexDoc(rules: readonly Rule[]): string {
  const sorted = [...rules].sort((a, b) => a.tier.localeCompare(b.tier) || a.id.localeCompare(b.id));
  const lines = [
    `<!-- Generated from rules/ by scripts/gen-docs.ts. Do not edit. -->`,
    '# archlint rules',
    '',
    `${rules.length} rules. Tier H rules are the headline checks; tier 1 rules are high-value architectural checks; tier 2 rules are narrower advice.`,
    '',
    '| rule | title | severity | pillar | tier | scope |',
    '|---|---|---|---|---|---|',
    ...sorted.map(
      (r) =>
        `| [${r.id}](${r.id}.md) | ${r.title} | ${r.severityNote ?? r.severity} | ${pillars(r)} | ${r.tier} | ${r.scope} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

/** Every generated file: path relative to the repository root -> content. */
export function renderDocs(root = findRoot()): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of builtinRules) out.set(`docs/rules/${r.id}.md`, ruleDoc(root, r));
  out.set('docs/rules/README.md', indexDoc(builtinRules));
  return out;
}

/** Paths of generated files that are stale, missing, or no longer generated. */
export function staleDocs(root = findRoot()): string[] {
  const docs = renderDocs(root);
  const stale: string[] = [];
  for (const [rel, content] of docs) {
    const p = join(root, rel);
    if (!existsSync(p) || readFileSync(p, 'utf8') !== content) stale.push(rel);
  }
  const dir = join(root, 'docs', 'rules');
  if (existsSync(dir)) {
    for (const f of readdirSync(dir)) if (!docs.has(`docs/rules/${f}`)) stale.push(`docs/rules/${f}`);
  }
  return stale;
}

if (require.main === module) {
  const root = findRoot();
  if (process.argv.includes('--check')) {
    const stale = staleDocs(root);
    if (stale.length) {
      process.stderr.write(`Generated docs are stale: ${stale.join(', ')}\nRun: npm run docs\n`);
      process.exitCode = 1;
    }
  } else {
    mkdirSync(join(root, 'docs', 'rules'), { recursive: true });
    for (const f of existsSync(join(root, 'docs', 'rules')) ? readdirSync(join(root, 'docs', 'rules')) : []) {
      if (!renderDocs(root).has(`docs/rules/${f}`)) unlinkSync(join(root, 'docs', 'rules', f));
    }
    for (const [rel, content] of renderDocs(root)) writeFileSync(join(root, rel), content);
  }
}
