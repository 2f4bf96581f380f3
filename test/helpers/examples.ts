import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { lint } from '../../src/api';
import type { Finding, LintResult } from '../../src/types';
import type { ApiOptions } from '../../src/api';

export const ROOT = join(__dirname, '..', '..');
export const EXAMPLES = join(ROOT, 'examples');

/**
 * `# expect: <rule-id>[, <rule-id>...]` on its own line marks the next content line as a line where the
 * rule must report. Returns rule id -> sorted expected line numbers (1-based).
 */
export function expectedLines(text: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const lines = text.split(/\r?\n/);
  const pending: string[] = [];
  lines.forEach((l, i) => {
    const m = /^\s*#\s*expect:\s*(.+?)\s*$/.exec(l);
    if (m) {
      pending.push(...m[1]!.split(/[,\s]+/).filter(Boolean));
      return;
    }
    if (!l.trim() || l.trim().startsWith('#')) return;
    for (const id of pending.splice(0)) {
      const list = out.get(id) ?? [];
      list.push(i + 1);
      out.set(id, list);
    }
  });
  for (const l of out.values()) l.sort((a, b) => a - b);
  return out;
}

export function lintFile(path: string, options: ApiOptions = {}): LintResult {
  const text = readFileSync(path, 'utf8');
  return lint({ file: path, text }, options);
}

export function linesOf(findings: readonly Finding[], ruleId: string): number[] {
  return [...new Set(findings.filter((f) => f.ruleId === ruleId && !f.suppressed).map((f) => f.line))].sort(
    (a, b) => a - b,
  );
}

/** Rule ids that have an examples/<id>/ folder. */
export function exampleRuleIds(): string[] {
  return readdirSync(EXAMPLES).filter((d) => existsSync(join(EXAMPLES, d, 'bad.yaml')));
}
