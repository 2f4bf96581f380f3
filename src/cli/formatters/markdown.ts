import { isShown, type Formatter } from './types';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** A summary for a pull-request comment. */
export const markdown: Formatter = (result, ctx) => {
  const s = result.summary;
  const shown = result.findings.filter((f) => isShown(f, ctx));
  const lines: string[] = ['## archlint', ''];
  const icon = s.errors ? ':x:' : s.warnings ? ':warning:' : ':white_check_mark:';
  lines.push(
    `${icon} **${s.errors} error${s.errors === 1 ? '' : 's'}, ${s.warnings} warning${s.warnings === 1 ? '' : 's'}, ${s.infos} info** in ${s.files} template${s.files === 1 ? '' : 's'} (${s.resources} resource${s.resources === 1 ? '' : 's'})` +
      (s.suppressed ? `, ${s.suppressed} suppressed` : '') +
      (result.errors.length ? `, ${result.errors.length} input error${result.errors.length === 1 ? '' : 's'}` : ''),
    '',
  );
  if (shown.length) {
    lines.push('| Severity | Location | Resource | Rule | Message |', '|---|---|---|---|---|');
    for (const f of shown) {
      lines.push(
        `| ${f.severity} | \`${cell(f.file)}:${f.line}:${f.column}\` | ${f.logicalId ? `\`${cell(f.logicalId)}\`` : ''}${f.constructPath ? ` (\`${cell(f.constructPath)}\`)` : ''} | \`${f.ruleId}\` | ${cell(f.message)} |`,
      );
    }
    lines.push('');
  }
  if (result.errors.length) {
    lines.push('### Input errors', '');
    for (const e of result.errors) lines.push(`- ${cell(e.message)}`);
    lines.push('');
  }
  if (ctx.showUnknown && result.unknowns.length) {
    const n = result.unknowns.length;
    lines.push(`<details><summary>${n} unknown outcome${n === 1 ? '' : 's'} (not findings)</summary>`, '');
    lines.push('| File | Resource | Rule | Missing input |', '|---|---|---|---|');
    for (const u of result.unknowns) {
      const where = `${u.logicalId ?? ''}${u.path.length ? `.${u.path.join('.')}` : ''}`;
      lines.push(`| \`${cell(u.file)}\` | ${where ? `\`${cell(where)}\`` : ''} | \`${u.ruleId}\` | ${cell(u.why)} |`);
    }
    lines.push('', '</details>', '');
  }
  const ruleIds = [...new Set(shown.map((f) => f.ruleId))];
  if (ruleIds.length) {
    lines.push('<details><summary>How to fix</summary>', '');
    for (const id of ruleIds) {
      const r = ctx.rules.get(id);
      if (r) lines.push(`- **${id}**: ${cell(r.remediation)}`);
    }
    lines.push('', '</details>', '');
  }
  return lines.join('\n');
};
