import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { staleDocs } from '../scripts/gen-docs';
import { ROOT } from './helpers/examples';

describe('generated files are up to date', () => {
  it('docs/rules matches rule metadata and examples (npm run docs)', () => {
    expect(staleDocs(ROOT)).toEqual([]);
  });
  it('rules/index.ts lists every rule file (node scripts/gen-index.mjs)', () => {
    expect(() =>
      execFileSync(process.execPath, [join(ROOT, 'scripts', 'gen-index.mjs'), '--check'], { stdio: 'pipe' }),
    ).not.toThrow();
  });
});
