import { isShown, type Formatter } from './types';
import type { Finding } from '../../types';

const C = {
  red: '\u001b[31m',
  yellow: '\u001b[33m',
  blue: '\u001b[34m',
  dim: '\u001b[2m',
  bold: '\u001b[1m',
  underline: '\u001b[4m',
  reset: '\u001b[0m',
};

/**
 * ESLint-like layout, one finding per line so that editors and problem matchers parse it:
 *   file:line:col  severity  message  rule-id
 * The first finding of each rule is followed by why it matters and how to fix it.
 */
export const stylish: Formatter = (result, ctx) => {
  const paint = (code: string, s: string) => (ctx.color ? `${code}${s}${C.reset}` : s);
  const sevColor = (s: string) => (s === 'error' ? C.red : s === 'warning' ? C.yellow : C.blue);
  const lines: string[] = [];
  const explained = new Set<string>();
  const shown = result.findings.filter((f) => isShown(f, ctx));
  const byFile = new Map<string, Finding[]>();
  for (const f of shown) {
    const list = byFile.get(f.file);
    if (list) list.push(f);
    else byFile.set(f.file, [f]);
  }
  for (const [file, findings] of byFile) {
    lines.push(paint(C.underline, file));
    for (const f of findings) {
      const where = `${f.file}:${f.line}:${f.column}`;
      lines.push(
        `${where}  ${paint(sevColor(f.severity), f.severity.padEnd(7))}  ${f.message}  ${paint(C.dim, f.ruleId)}`,
      );
      const meta: string[] = [];
      if (f.constructPath) meta.push(`construct: ${f.constructPath}`);
      for (const r of f.related ?? []) meta.push(`related: ${r.file}:${r.line}:${r.column} ${r.message}`);
      const rule = ctx.rules.get(f.ruleId);
      if (rule && !explained.has(f.ruleId)) {
        explained.add(f.ruleId);
        meta.push(`why: ${rule.rationale}`);
        meta.push(`fix: ${rule.remediation}`);
      }
      for (const m of meta) lines.push(paint(C.dim, `    ${m}`));
    }
    lines.push('');
  }
  for (const e of result.errors) lines.push(`${paint(C.red, 'error')}  ${e.message}`);
  if (result.errors.length) lines.push('');
  if (ctx.showUnknown && result.unknowns.length) {
    lines.push(paint(C.bold, 'Unknown outcomes (not findings):'));
    for (const u of result.unknowns) {
      lines.push(
        `${u.file}${u.logicalId ? ` ${u.logicalId}` : ''}${u.path.length ? ` ${u.path.join('.')}` : ''}  unknown  ${u.why}  ${paint(C.dim, u.ruleId)}`,
      );
    }
    lines.push('');
  }
  const s = result.summary;
  const problems = s.errors + s.warnings + s.infos;
  const parts = [
    `${s.errors} error${s.errors === 1 ? '' : 's'}`,
    `${s.warnings} warning${s.warnings === 1 ? '' : 's'}`,
    `${s.infos} info`,
  ];
  const tail = [
    s.suppressed ? `${s.suppressed} suppressed` : '',
    s.unknown ? `${s.unknown} unknown${ctx.showUnknown ? '' : ' (--show-unknown)'}` : '',
    result.errors.length ? `${result.errors.length} input error${result.errors.length === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  const head = problems ? `${problems} problem${problems === 1 ? '' : 's'} (${parts.join(', ')})` : 'No problems';
  lines.push(
    paint(
      problems ? (s.errors ? C.red : C.yellow) : '',
      `${problems ? '✖' : '✔'} ${head} in ${s.files} template${s.files === 1 ? '' : 's'} (${s.resources} resource${s.resources === 1 ? '' : 's'})${tail.length ? `; ${tail.join(', ')}` : ''}`,
    ),
  );
  return lines.join('\n') + '\n';
};
