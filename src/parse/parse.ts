import { loadYaml } from './yaml';

/**
 * Parsing of one input into a safe, plain template tree.
 *
 * Safety: the loaded tree is copied into null-prototype objects (keys such as `__proto__` or
 * `constructor` are ordinary data), with limits on size, depth, total node count and YAML alias reuse.
 */

export type SourceFormat = 'yaml' | 'json';

export interface ParseLimits {
  maxBytes: number;
  maxDepth: number;
  maxNodes: number;
  maxAliases: number;
}

export const DEFAULT_LIMITS: ParseLimits = {
  maxBytes: 50 * 1024 * 1024,
  maxDepth: 128,
  maxNodes: 2_000_000,
  maxAliases: 64,
};

export class ParseError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
    this.name = 'ParseError';
  }
}

export type ParseOutcome =
  | { kind: 'template'; template: Record<string, unknown>; format: SourceFormat }
  | { kind: 'not-a-template'; format: SourceFormat; reason: string };

export function detectFormat(text: string, fileName?: string): SourceFormat {
  if (fileName && /\.json$/i.test(fileName)) return 'json';
  const first = /\S/.exec(text);
  return first && (first[0] === '{' || first[0] === '[') ? 'json' : 'yaml';
}

/** Parse text (YAML or JSON) and decide whether it is a CloudFormation template. Throws ParseError. */
export function parseTemplate(text: string, fileName?: string, limits: ParseLimits = DEFAULT_LIMITS): ParseOutcome {
  if (text.length > limits.maxBytes) {
    throw new ParseError(`file is larger than the ${Math.round(limits.maxBytes / 1024 / 1024)} MiB limit`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let format = detectFormat(text, fileName);
  let raw: unknown;
  try {
    if (format === 'json') {
      try {
        raw = JSON.parse(text);
      } catch (jsonError) {
        // A .json file that is not JSON may still be YAML (CloudFormation accepts both); report the JSON error otherwise.
        if (fileName && /\.json$/i.test(fileName)) throw jsonError;
        format = 'yaml';
        raw = loadYaml(text);
      }
    } else {
      raw = loadYaml(text);
    }
  } catch (e) {
    throw toParseError(e, text);
  }
  const template = sanitize(raw, limits);
  if (!isRecord(template)) {
    return { kind: 'not-a-template', format, reason: 'the document is not a mapping' };
  }
  const hasResources = isRecord(template.Resources);
  if (!hasResources && template.AWSTemplateFormatVersion === undefined) {
    return {
      kind: 'not-a-template',
      format,
      reason: 'not a CloudFormation template (no Resources and no AWSTemplateFormatVersion)',
    };
  }
  return { kind: 'template', template, format };
}

function toParseError(e: unknown, text: string): ParseError {
  if (e instanceof ParseError) return e;
  if (e instanceof RangeError) return new ParseError('nesting is too deep to parse');
  const err = e as { name?: string; reason?: string; message?: string; mark?: { line: number; column: number } };
  if (err && err.name === 'YAMLException') {
    const line = err.mark ? err.mark.line + 1 : undefined;
    const column = err.mark ? err.mark.column + 1 : undefined;
    return new ParseError(`invalid YAML: ${err.reason ?? err.message}`, line, column);
  }
  if (e instanceof SyntaxError) {
    const m = /position (\d+)/.exec(e.message);
    if (m) {
      const pos = Number(m[1]);
      const before = text.slice(0, pos);
      const line = before.split('\n').length;
      const column = pos - before.lastIndexOf('\n');
      return new ParseError(`invalid JSON: ${e.message}`, line, column);
    }
    // Newer V8 messages carry no position: find it with a small validating scanner.
    const pos = jsonErrorOffset(text);
    if (pos !== undefined) {
      const before = text.slice(0, pos);
      return new ParseError(
        `invalid JSON: ${e.message.split('\n')[0]}`,
        before.split('\n').length,
        pos - before.lastIndexOf('\n'),
      );
    }
    return new ParseError(`invalid JSON: ${e.message.split('\n')[0]}`);
  }
  return new ParseError(String((e as Error)?.message ?? e));
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Deep copy into null-prototype objects, enforcing depth, node and alias limits.
 * js-yaml represents an alias as a second reference to the same object; re-visiting one counts as alias use.
 */
export function sanitize(root: unknown, limits: ParseLimits = DEFAULT_LIMITS): unknown {
  let nodes = 0;
  let aliases = 0;
  const seen = new WeakSet<object>();
  const copy = (v: unknown, depth: number): unknown => {
    if (++nodes > limits.maxNodes) {
      throw new ParseError(`document expands to more than ${limits.maxNodes} nodes (YAML alias bomb?)`);
    }
    if (depth > limits.maxDepth) throw new ParseError(`nesting deeper than ${limits.maxDepth} levels`);
    if (v === null || typeof v !== 'object') {
      if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
      return v;
    }
    if (seen.has(v)) {
      if (++aliases > limits.maxAliases) {
        throw new ParseError(
          `more than ${limits.maxAliases} YAML aliases; CloudFormation templates do not need anchors and aliases`,
        );
      }
    } else {
      seen.add(v);
    }
    if (Array.isArray(v)) {
      const out: unknown[] = new Array(v.length);
      for (let i = 0; i < v.length; i++) out[i] = copy(v[i], depth + 1);
      return out;
    }
    if (v instanceof Date) return v.toISOString().slice(0, 10);
    const out = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(v)) {
      out[key] = copy((v as Record<string, unknown>)[key], depth + 1);
    }
    return out;
  };
  return copy(root, 0);
}

/** Offset of the first JSON syntax error, or undefined when the scanner finds none. */
export function jsonErrorOffset(t: string): number | undefined {
  let i = 0;
  const ws = () => {
    while (i < t.length && ' \t\r\n'.includes(t[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const str = () => {
    if (t[i] !== '"') fail();
    i++;
    while (i < t.length && t[i] !== '"') {
      if (t[i] === '\\') i++;
      else if (t.charCodeAt(i) < 0x20) fail();
      i++;
    }
    if (i >= t.length) fail();
    i++;
  };
  const value = (depth: number): void => {
    if (depth > 10000) fail();
    ws();
    const c = t[i];
    if (c === '{') {
      i++;
      ws();
      if (t[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        str();
        ws();
        if (t[i] !== ':') fail();
        i++;
        value(depth + 1);
        ws();
        if (t[i] === ',') {
          i++;
          continue;
        }
        if (t[i] === '}') {
          i++;
          return;
        }
        fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (t[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value(depth + 1);
        ws();
        if (t[i] === ',') {
          i++;
          continue;
        }
        if (t[i] === ']') {
          i++;
          return;
        }
        fail();
      }
    } else if (c === '"') str();
    else {
      const m = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(t.slice(i, i + 64));
      if (!m) fail();
      i += m![0].length;
    }
  };
  try {
    value(0);
    ws();
    return i < t.length ? i : undefined;
  } catch (pos) {
    return typeof pos === 'number' ? Math.min(pos, t.length) : undefined;
  }
}
