import type { PathSegment, SourceRange } from '../types';
import type { SourceFormat } from './parse';

/**
 * Lazy path -> line/column resolution. Built only for files that have findings.
 *
 * YAML: an indentation-driven scanner over block-style lines (what CloudFormation templates use).
 * JSON: a tokenizer that walks only along the requested path.
 * When a path cannot be followed to the end (flow collections, short-form tags such as `!If [...]`),
 * the deepest location found is returned, so a finding always points at the closest enclosing node.
 */
export class SourceLocator {
  private lines?: string[];
  private lineStarts?: number[];
  private readonly cache = new Map<string, SourceRange>();

  constructor(
    private readonly text: string,
    private readonly format: SourceFormat,
  ) {}

  locate(path: readonly PathSegment[]): SourceRange {
    const key = JSON.stringify(path);
    let hit = this.cache.get(key);
    if (!hit) {
      try {
        hit = this.format === 'json' ? this.locateJson(path) : this.locateYaml(path);
      } catch {
        hit = undefined;
      }
      hit ??= { line: 1, column: 1, endLine: 1, endColumn: 1 };
      this.cache.set(key, hit);
    }
    return hit;
  }

  // ---------------------------------------------------------------- YAML
  private getLines(): string[] {
    this.lines ??= this.text.split(/\r?\n/);
    return this.lines;
  }

  /** Children of block nodes, indexed once per node (key -> entry, sequence items in order). */
  private readonly nodeIndex = new Map<string, NodeIndex>();

  private index(key: string, compute: () => Entry[]): NodeIndex {
    let idx = this.nodeIndex.get(key);
    if (!idx) {
      const lines = this.getLines();
      const children = compute();
      const keys = new Map<string, Entry>();
      const items: Entry[] = [];
      for (const c of children) {
        const l = lines[c.line]!;
        if (isDash(l, c.col)) items.push(c);
        else {
          const k = keyAt(l, c.col);
          if (k !== undefined && !keys.has(k)) keys.set(k, c);
        }
      }
      idx = { keys, items };
      this.nodeIndex.set(key, idx);
    }
    return idx;
  }

  private locateYaml(path: readonly PathSegment[]): SourceRange | undefined {
    const lines = this.getLines();
    // Root: the first content line decides the root indentation.
    let first = -1;
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      if (isContent(l) && !/^(---|%)/.test(l.trimStart())) {
        first = i;
        break;
      }
    }
    if (first < 0) return undefined;
    let idx = this.index('root', () => collectChildren(lines, first - 1, indentOf(lines[first]!), -1, true));
    let best: SourceRange | undefined;
    for (const seg of path) {
      const found = typeof seg === 'number' ? idx.items[seg] : idx.keys.get(seg);
      if (!found) break;
      const l = lines[found.line]!;
      best = {
        line: found.line + 1,
        column: found.col + 1,
        endLine: found.line + 1,
        endColumn: contentEnd(l) + 1,
      };
      const isItem = typeof seg === 'number';
      idx = this.index(`${found.line}:${found.col}:${isItem}`, () => entryChildren(lines, found, isItem));
    }
    return best;
  }

  // ---------------------------------------------------------------- JSON
  private offsetToRange(start: number, end: number): SourceRange {
    if (!this.lineStarts) {
      const starts = [0];
      for (let i = 0; i < this.text.length; i++) if (this.text.charCodeAt(i) === 10) starts.push(i + 1);
      this.lineStarts = starts;
    }
    const pos = (offset: number): [number, number] => {
      const starts = this.lineStarts!;
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= offset) lo = mid;
        else hi = mid - 1;
      }
      return [lo + 1, offset - starts[lo]! + 1];
    };
    const [line, column] = pos(start);
    const [endLine, endColumn] = pos(end);
    return { line, column, endLine, endColumn };
  }

  private locateJson(path: readonly PathSegment[]): SourceRange | undefined {
    const t = this.text;
    let i = skipWs(t, 0);
    let best: SourceRange | undefined;
    for (const seg of path) {
      const c = t[i];
      if (c === '{' && typeof seg === 'string') {
        i = skipWs(t, i + 1);
        let found = false;
        while (t[i] === '"') {
          const keyStart = i;
          const [key, afterKey] = readString(t, i);
          i = skipWs(t, afterKey);
          if (t[i] !== ':') return best;
          i = skipWs(t, i + 1);
          if (key === seg) {
            best = this.offsetToRange(keyStart, afterKey);
            found = true;
            break;
          }
          i = skipWs(t, skipValue(t, i));
          if (t[i] === ',') i = skipWs(t, i + 1);
        }
        if (!found) return best;
      } else if (c === '[' && typeof seg === 'number') {
        i = skipWs(t, i + 1);
        for (let n = 0; n < seg; n++) {
          if (t[i] === ']' || i >= t.length) return best;
          i = skipWs(t, skipValue(t, i));
          if (t[i] === ',') i = skipWs(t, i + 1);
        }
        if (t[i] === ']') return best;
        best = this.offsetToRange(i, skipValue(t, i));
      } else {
        return best;
      }
    }
    return best;
  }
}

interface Entry {
  line: number;
  col: number;
}

interface NodeIndex {
  keys: Map<string, Entry>;
  items: Entry[];
}

function indentOf(l: string): number {
  let n = 0;
  while (n < l.length && l.charCodeAt(n) === 32) n++;
  return n;
}

function isContent(l: string): boolean {
  const t = l.trim();
  return t.length > 0 && !t.startsWith('#');
}

function isDash(l: string, col: number): boolean {
  return l[col] === '-' && (l.length === col + 1 || l[col + 1] === ' ');
}

function contentEnd(l: string): number {
  // Drop a trailing comment (" #") when not inside quotes; approximate but safe.
  let end = l.length;
  const hash = l.search(/\s#/);
  if (hash >= 0 && !/["']/.test(l.slice(0, hash))) end = hash;
  while (end > 0 && l[end - 1] === ' ') end--;
  return end;
}

/** The key written at column col ("Key:", "'Key':", "\"Key\":"), or undefined. */
function keyAt(l: string, col: number): string | undefined {
  const rest = l.slice(col);
  let m = /^"((?:[^"\\]|\\.)*)"\s*:(?:\s|$)/.exec(rest);
  if (m) return m[1]!.replace(/\\(.)/g, '$1');
  m = /^'((?:[^']|'')*)'\s*:(?:\s|$)/.exec(rest);
  if (m) return m[1]!.replace(/''/g, "'");
  m = /^([^\s#'"{[\-?][^:#]*?|-[^\s:#][^:#]*?)\s*:(?:\s|$)/.exec(rest);
  if (m) return m[1];
  return undefined;
}

/**
 * Child entries of a block node that spans the lines after `after` (exclusive),
 * given the indentation at which its children must be; `seqAtSameIndent` allows
 * a block sequence written at the parent key's own indentation ("Key:\n- a").
 */
function collectChildren(
  lines: string[],
  after: number,
  childIndent: number,
  parentCol: number,
  root = false,
): Entry[] {
  const out: Entry[] = [];
  for (let i = after + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (!isContent(l)) continue;
    if (root && /^(---|\.\.\.)/.test(l)) {
      if (out.length) break;
      continue;
    }
    const ind = indentOf(l);
    if (ind < childIndent) break;
    if (ind === childIndent) {
      if (childIndent === parentCol && !isDash(l, ind)) break;
      out.push({ line: i, col: ind });
    }
  }
  return out;
}

/** Children of the value of an entry (a mapping key line, or a sequence item). */
function entryChildren(lines: string[], e: Entry, isSeqItem: boolean): Entry[] {
  const l = lines[e.line]!;
  let valueCol: number;
  if (isSeqItem) {
    valueCol = e.col + 1;
    while (l[valueCol] === ' ') valueCol++;
    const rest = l.slice(valueCol);
    if (isContent(rest)) {
      // "- Key: v" (mapping item starting on the dash line) or "- - x" (nested sequence).
      if (keyAt(l, valueCol) !== undefined || isDash(l, valueCol)) {
        return [{ line: e.line, col: valueCol }, ...collectChildren(lines, e.line, valueCol, -2)];
      }
      if (!isBlockIntro(rest)) return [];
    }
    return nextBlock(lines, e.line, e.col);
  }
  const k = l.slice(e.col);
  const colon = k.search(/:(\s|$)/);
  const rest = colon >= 0 ? k.slice(colon + 1) : '';
  if (isContent(rest) && !isBlockIntro(rest.trim())) return [];
  return nextBlock(lines, e.line, e.col);
}

/** A value that is only a tag ("!Sub", "!If") or an anchor: the real value is on the next lines. */
function isBlockIntro(rest: string): boolean {
  const t = rest.replace(/\s#.*$/, '').trim();
  return t === '' || /^(![A-Za-z:]+|&\S+)(\s+(![A-Za-z:]+|&\S+))*$/.test(t);
}

function nextBlock(lines: string[], line: number, col: number): Entry[] {
  for (let i = line + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (!isContent(l)) continue;
    const ind = indentOf(l);
    if (ind > col) return collectChildren(lines, line, ind, col);
    if (ind === col && isDash(l, ind)) return collectChildren(lines, line, ind, col);
    return [];
  }
  return [];
}

// ---------------------------------------------------------------- JSON helpers
function skipWs(t: string, i: number): number {
  while (i < t.length) {
    const c = t.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) i++;
    else break;
  }
  return i;
}

function readString(t: string, i: number): [string, number] {
  let j = i + 1;
  let hasEscape = false;
  while (j < t.length && t[j] !== '"') {
    if (t[j] === '\\') {
      hasEscape = true;
      j += 2;
    } else j++;
  }
  const rawStr = t.slice(i, j + 1);
  let value = rawStr.slice(1, -1);
  if (hasEscape) {
    try {
      value = JSON.parse(rawStr) as string;
    } catch {
      /* keep raw */
    }
  }
  return [value, j + 1];
}

function skipValue(t: string, i: number): number {
  const c = t[i];
  if (c === '"') return readString(t, i)[1];
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let j = i; j < t.length; j++) {
      const d = t[j];
      if (d === '"') {
        j = readString(t, j)[1] - 1;
      } else if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return t.length;
  }
  let j = i;
  while (j < t.length && !/[,}\]\s]/.test(t[j]!)) j++;
  return j;
}
