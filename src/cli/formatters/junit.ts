import type { Formatter } from './types';
import type { Finding } from '../../types';

const esc = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

/** JUnit XML: one testsuite per template, one test case per rule and resource. */
export const junit: Formatter = (result, ctx) => {
  const files = new Map<string, Map<string, Finding[]>>();
  for (const f of result.findings) {
    if (f.suppressed || (ctx.quiet && f.severity !== 'error')) continue;
    let cases = files.get(f.file);
    if (!cases) files.set(f.file, (cases = new Map()));
    const key = `${f.ruleId} ${f.logicalId ?? '(template)'}`;
    const list = cases.get(key);
    if (list) list.push(f);
    else cases.set(key, [f]);
  }
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  for (const [file, cases] of files) {
    const body: string[] = [];
    for (const [name, fs] of cases) {
      tests++;
      failures++;
      const first = fs[0]!;
      const text = fs
        .map(
          (f) =>
            `${f.file}:${f.line}:${f.column} ${f.severity} ${f.message}${f.constructPath ? `\nConstruct: ${f.constructPath}` : ''}${f.remediation ? `\nFix: ${f.remediation}` : ''}`,
        )
        .join('\n\n');
      body.push(
        `    <testcase name="${esc(name)}" classname="${esc(file)}" file="${esc(file)}" line="${first.line}">\n` +
          `      <failure type="${first.severity}" message="${esc(first.message)}">${esc(text)}</failure>\n` +
          `    </testcase>`,
      );
    }
    suites.push(
      `  <testsuite name="${esc(file)}" tests="${cases.size}" failures="${cases.size}" errors="0" skipped="0">\n${body.join('\n')}\n  </testsuite>`,
    );
  }
  for (const e of result.errors) {
    tests++;
    suites.push(
      `  <testsuite name="${esc(e.file)}" tests="1" failures="0" errors="1" skipped="0">\n    <testcase name="parse" classname="${esc(e.file)}">\n      <error message="${esc(e.message)}"/>\n    </testcase>\n  </testsuite>`,
    );
  }
  if (!tests) {
    tests = 1;
    suites.push(
      `  <testsuite name="archlint" tests="1" failures="0" errors="0" skipped="0">\n    <testcase name="no findings" classname="archlint"/>\n  </testsuite>`,
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="archlint" tests="${tests}" failures="${failures}" errors="${result.errors.length}">\n${suites.join('\n')}\n</testsuites>\n`;
};
