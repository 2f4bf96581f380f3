import type { Rule } from '../engine/rule';

export function ruleMetadata(r: Rule) {
  return {
    id: r.id,
    title: r.title,
    severity: r.severity,
    ...(r.severityNote ? { severityNote: r.severityNote } : {}),
    pillar: r.pillar,
    tier: r.tier,
    scope: r.scope,
    resourceTypes: r.resourceTypes ?? [],
    rationale: r.rationale,
    remediation: r.remediation,
    citations: r.citations,
  };
}

export function listRules(rules: readonly Rule[], format: 'text' | 'json'): string {
  const sorted = [...rules].sort((a, b) => a.id.localeCompare(b.id));
  if (format === 'json') return JSON.stringify(sorted.map(ruleMetadata), null, 2) + '\n';
  const w = Math.max(...sorted.map((r) => r.id.length), 2);
  const lines = sorted.map((r) => `${r.id.padEnd(w)}  ${r.severity.padEnd(7)}  tier ${r.tier}  ${r.title}`);
  return [
    `${'id'.padEnd(w)}  severity tier    title`,
    ...lines,
    '',
    `${sorted.length} rules. archlint explain <id> for details.`,
    '',
  ].join('\n');
}

/** Examples are embedded at build time by the docs generator; explain shows rationale, remediation and docs. */
export function explainRule(
  rules: readonly Rule[],
  id: string,
  examples?: { good?: string; bad?: string; baseline?: string },
): string | undefined {
  const r = rules.find((x) => x.id === id);
  if (!r) return undefined;
  const pillars = Array.isArray(r.pillar) ? r.pillar.join(', ') : r.pillar;
  const out = [
    `${r.id}: ${r.title}`,
    '',
    `severity: ${r.severityNote ?? r.severity}   pillar: ${pillars}   tier: ${r.tier}   scope: ${r.scope}`,
    r.resourceTypes?.length ? `resources: ${r.resourceTypes.join(', ')}` : '',
    '',
    'Why it matters',
    `  ${r.rationale}`,
    '',
    'How to fix',
    `  ${r.remediation}`,
    '',
    'References',
    ...r.citations.map((c) => `  - ${c}`),
    '',
  ];
  // Diff rules judge a change: their examples are linted against a deployed template.
  if (examples?.baseline) {
    out.push(
      'Deployed template (baseline)',
      `  The examples below are linted against it: archlint examples/${r.id}/bad.yaml --baseline examples/${r.id}/baseline.yaml`,
      '',
      indent(examples.baseline),
      '',
    );
  }
  if (examples?.bad) out.push('Failing example', indent(examples.bad), '');
  if (examples?.good) out.push('Passing example', indent(examples.good), '');
  return out.filter((l, i, a) => !(l === '' && a[i - 1] === '')).join('\n');
}

function indent(s: string): string {
  return s
    .trimEnd()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
