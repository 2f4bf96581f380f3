import type { Formatter } from './types';

const escData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escProp = (s: string) => escData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** GitHub Actions workflow commands: ::error file=...,line=...,col=...::message */
export const github: Formatter = (result, ctx) => {
  const out: string[] = [];
  for (const f of result.findings) {
    if (f.suppressed || (ctx.quiet && f.severity !== 'error')) continue;
    const cmd = f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'notice';
    const props = [
      `file=${escProp(f.file)}`,
      `line=${f.line}`,
      `col=${f.column}`,
      `endLine=${f.endLine}`,
      `endColumn=${f.endColumn}`,
      `title=${escProp(`archlint ${f.ruleId}`)}`,
    ];
    const where = f.constructPath ? `\nConstruct: ${f.constructPath}` : '';
    const msg = `${f.message}${where}${f.remediation ? `\nFix: ${f.remediation}` : ''}`;
    out.push(`::${cmd} ${props.join(',')}::${escData(msg)}`);
  }
  for (const e of result.errors) out.push(`::error file=${escProp(e.file)},title=archlint::${escData(e.message)}`);
  return out.length ? out.join('\n') + '\n' : '';
};
