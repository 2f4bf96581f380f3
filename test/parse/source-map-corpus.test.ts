/**
 * Cross-checks the lazy YAML/JSON locator against the `yaml` package's exact node ranges, on every
 * template of the development corpus: the line and column of every resource and of every property.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMap, isScalar, LineCounter, parseDocument, type Pair } from 'yaml';
import { SourceLocator } from '../../src/parse/source-map';
import { ROOT } from '../helpers/examples';

const corpus = join(ROOT, '..', 'shared', 'corpus', 'templates');
const present = existsSync(corpus);
if (!present) console.warn('source-map corpus test skipped: ../shared/corpus is not present');

describe.skipIf(!present)('locations agree with a full YAML parser on the corpus', () => {
  it('every resource and property key', () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (const f of readdirSync(corpus)) {
      const text = readFileSync(join(corpus, f), 'utf8').replace(/^\uFEFF/, '');
      const lc = new LineCounter();
      const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false, strict: false });
      if (doc.errors.length || !isMap(doc.contents)) continue;
      const format = /^\s*[{[]/.test(text) ? 'json' : 'yaml';
      const loc = new SourceLocator(text, format);
      const resources = doc.contents.items.find((p) => isScalar(p.key) && p.key.value === 'Resources');
      if (!resources || !isMap(resources.value)) continue;
      for (const res of resources.value.items as Pair[]) {
        if (!isScalar(res.key)) continue;
        const id = String(res.key.value);
        const pairs: [string[], Pair][] = [[[id], res]];
        if (isMap(res.value)) {
          const props = res.value.items.find((p) => isScalar(p.key) && p.key.value === 'Properties');
          if (props && isMap(props.value)) {
            for (const p of props.value.items as Pair[]) {
              if (isScalar(p.key)) pairs.push([[id, 'Properties', String(p.key.value)], p]);
            }
          }
        }
        for (const [path, pair] of pairs) {
          const range = (pair.key as { range?: [number, number, number] }).range;
          if (!range) continue;
          const want = lc.linePos(range[0]);
          const got = loc.locate(['Resources', ...path]);
          checked++;
          if (got.line !== want.line || got.column !== want.col) {
            mismatches.push(`${f} ${path.join('.')}: got ${got.line}:${got.column}, want ${want.line}:${want.col}`);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(10000);
    expect(mismatches.slice(0, 20)).toEqual([]);
  });
});
