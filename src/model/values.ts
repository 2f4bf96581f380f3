import { isRecord } from '../parse/parse';
import type { PathSegment } from '../types';
import type { Resource, TemplateModel } from './template';

/**
 * Three-valued evaluation of CloudFormation intrinsics (catalog 1.2).
 *
 * known   - a literal or a resolved intrinsic. Values may contain ResourceRef (an edge to a resource of the
 *           template whose physical value is only known after deployment) and SymbolicAz (az[i]).
 * unknown - depends on something archlint was not given; `why` names the missing input. When an Fn::If
 *           condition is unknown, `branches` holds the value of each branch.
 * missing - the property is not set (or is AWS::NoValue); the documented default applies.
 */
export type Value = Known | Unknown | Missing;
export interface Known {
  readonly kind: 'known';
  readonly value: unknown;
}
export interface Unknown {
  readonly kind: 'unknown';
  readonly why: string;
  readonly branches?: readonly Value[];
}
export interface Missing {
  readonly kind: 'missing';
}

export const MISSING: Missing = Object.freeze({ kind: 'missing' });
export const known = (value: unknown): Known => ({ kind: 'known', value });
export const unknown = (why: string, branches?: readonly Value[]): Unknown =>
  branches ? { kind: 'unknown', why, branches } : { kind: 'unknown', why };

/** A Ref or Fn::GetAtt to a resource of the template. */
export class ResourceRef {
  constructor(
    readonly logicalId: string,
    readonly attribute?: string,
  ) {}
  toString(): string {
    return this.attribute ? `${this.logicalId}.${this.attribute}` : this.logicalId;
  }
}

/** `Fn::Select [i, Fn::GetAZs ...]`: the i-th AZ of the Region, distinct from every other index. */
export class SymbolicAz {
  constructor(readonly index: number) {}
  toString(): string {
    return `az[${this.index}]`;
  }
}

/** The result of Fn::GetAZs: a list of AZs whose names (and length) are unknown. */
export class SymbolicAzList {
  toString(): string {
    return 'Fn::GetAZs';
  }
}

export const PSEUDO_PARAMETERS = [
  'AWS::AccountId',
  'AWS::Region',
  'AWS::Partition',
  'AWS::StackName',
  'AWS::StackId',
  'AWS::URLSuffix',
  'AWS::NotificationARNs',
  'AWS::NoValue',
] as const;

export interface EvalEnv {
  /** Parameter values supplied by the user (CLI/config/CDK), by parameter name. */
  parameters?: Readonly<Record<string, unknown>>;
  /** Pseudo parameter values, e.g. { 'AWS::Region': 'eu-west-1' }. */
  pseudo?: Readonly<Record<string, unknown>>;
  /** Exports of other analysed templates, by export name. */
  imports?: ReadonlyMap<string, Value>;
}

const INTRINSICS = new Set([
  'Ref',
  'Fn::GetAtt',
  'Fn::Sub',
  'Fn::Join',
  'Fn::Select',
  'Fn::Split',
  'Fn::If',
  'Fn::FindInMap',
  'Fn::GetAZs',
  'Fn::Cidr',
  'Fn::Base64',
  'Fn::ImportValue',
  'Fn::Transform',
  'Fn::Length',
  'Fn::ToJsonString',
  'Fn::Equals',
  'Fn::And',
  'Fn::Or',
  'Fn::Not',
  'Condition',
]);

/** The intrinsic function name when `node` is a single-key intrinsic object. */
export function intrinsicName(node: unknown): string | undefined {
  if (!isRecord(node)) return undefined;
  let name: string | undefined;
  for (const k in node) {
    if (name !== undefined) return undefined;
    name = k;
  }
  return name !== undefined && (INTRINSICS.has(name) || name.startsWith('Fn::')) ? name : undefined;
}

/** The logical id a raw node refers to with Ref or Fn::GetAtt (no evaluation beyond the literal id). */
export function refTarget(node: unknown): string | undefined {
  if (!isRecord(node)) return undefined;
  const fn = intrinsicName(node);
  if (fn === 'Ref' && typeof node.Ref === 'string') return node.Ref;
  if (fn === 'Fn::GetAtt') {
    const a = node['Fn::GetAtt'];
    if (Array.isArray(a) && typeof a[0] === 'string') return a[0];
    if (typeof a === 'string') return a.split('.')[0];
  }
  return undefined;
}

/** CloudFormation's string-to-boolean normalisation. */
export function toBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const s = v.toLowerCase();
    if (s === 'true') return true;
    if (s === 'false') return false;
  }
  return undefined;
}

/** CloudFormation's string-to-number normalisation. */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '' && /^[-+]?\d*\.?\d+(e[-+]?\d+)?$/i.test(v.trim())) return Number(v);
  return undefined;
}

/** Every value a Value may take: its branches when it depends on an unknown condition, else itself. */
export function possibleValues(v: Value): readonly Value[] {
  if (v.kind === 'unknown' && v.branches) return v.branches.flatMap(possibleValues);
  return [v];
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof ResourceRef && b instanceof ResourceRef)
    return a.logicalId === b.logicalId && a.attribute === b.attribute;
  if (a instanceof SymbolicAz && b instanceof SymbolicAz) return a.index === b.index;
  if (a instanceof SymbolicAzList && b instanceof SymbolicAzList) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isRecord(a) && isRecord(b) && !(a instanceof ResourceRef) && !(b instanceof ResourceRef)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

function valueEqual(a: Value, b: Value): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'known' && b.kind === 'known') return deepEqual(a.value, b.value);
  return a.kind === 'missing';
}

/** Combine the values of the two branches of an Fn::If with an unknown condition. */
function either(condition: string, a: Value, b: Value): Value {
  if (valueEqual(a, b)) return a;
  return unknown(`depends on condition ${condition}`, [a, b]);
}

const DYNAMIC_REF = /\{\{resolve:([a-z-]+):/;

/** Evaluates intrinsics of one template under one parameter assignment. Caches per node. */
export class Evaluator {
  private readonly cache = new WeakMap<object, Value>();
  private readonly conditionCache = new Map<string, boolean | undefined>();
  private readonly conditionStack = new Set<string>();
  private readonly paramCache = new Map<string, Value>();

  constructor(
    readonly model: TemplateModel,
    readonly env: EvalEnv = {},
    private readonly assumptions: Readonly<Record<string, boolean>> = {},
  ) {}

  /** An evaluator in which the named conditions are taken as given (one scenario of unknown conditions). */
  assume(assumptions: Readonly<Record<string, boolean>>): Evaluator {
    return new Evaluator(this.model, this.env, { ...this.assumptions, ...assumptions });
  }

  /** Names of the conditions used by Fn::If inside a raw node whose truth is unknown. */
  unknownConditionsIn(node: unknown, out: Set<string> = new Set()): string[] {
    if (Array.isArray(node)) for (const x of node) this.unknownConditionsIn(x, out);
    else if (isRecord(node)) {
      const f = node['Fn::If'];
      if (Array.isArray(f) && typeof f[0] === 'string' && this.condition(f[0]) === undefined) out.add(f[0]);
      for (const k of Object.keys(node)) this.unknownConditionsIn(node[k], out);
    }
    return [...out];
  }

  /**
   * Every combination of the unknown conditions used in `node` (at most 2^maxConditions scenarios), each with an
   * evaluator that assumes it; undefined when there are more unknown conditions than that.
   */
  scenarios(
    node: unknown,
    maxConditions = 4,
  ): { assumptions: Record<string, boolean>; evaluator: Evaluator }[] | undefined {
    const names = this.unknownConditionsIn(node);
    if (names.length > maxConditions) return undefined;
    const out: { assumptions: Record<string, boolean>; evaluator: Evaluator }[] = [];
    for (let mask = 0; mask < 1 << names.length; mask++) {
      const assumptions: Record<string, boolean> = {};
      names.forEach((n, i) => (assumptions[n] = (mask & (1 << i)) !== 0));
      out.push({ assumptions, evaluator: names.length ? this.assume(assumptions) : this });
    }
    return out;
  }

  // ------------------------------------------------------------ parameters and conditions
  parameter(name: string): Value {
    let v = this.paramCache.get(name);
    if (!v) {
      v = this.computeParameter(name);
      this.paramCache.set(name, v);
    }
    return v;
  }

  private computeParameter(name: string): Value {
    const p = this.model.parameters.get(name);
    if (!p) return unknown(`parameter ${name} is not declared`);
    const supplied = this.env.parameters?.[name];
    const type = p.type ?? 'String';
    if (supplied === undefined && type.startsWith('AWS::SSM::Parameter::Value')) {
      return unknown(`parameter ${name} is read from SSM Parameter Store`);
    }
    const raw = supplied ?? p.default;
    if (raw === undefined || raw === null) return unknown(`needs the value of parameter ${name}`);
    if (/^List<|CommaDelimitedList/.test(type)) {
      if (Array.isArray(raw)) return known(raw.map(String));
      return known(
        String(raw)
          .split(',')
          .map((s) => s.trim()),
      );
    }
    if (typeof raw === 'object') return unknown(`parameter ${name} has a non-scalar value`);
    return known(raw);
  }

  /** Truth of a named condition; undefined when unknown. */
  condition(name: string): boolean | undefined {
    if (Object.prototype.hasOwnProperty.call(this.assumptions, name)) return this.assumptions[name];
    if (this.conditionCache.has(name)) return this.conditionCache.get(name);
    if (this.conditionStack.has(name) || !this.model.conditions.has(name)) return undefined;
    this.conditionStack.add(name);
    const v = this.evalCondition(this.model.conditions.get(name));
    this.conditionStack.delete(name);
    this.conditionCache.set(name, v);
    return v;
  }

  /** Why a named condition is unknown (the first unknown input it depends on). */
  conditionWhy(name: string): string {
    return `depends on condition ${name}`;
  }

  evalCondition(node: unknown): boolean | undefined {
    if (typeof node === 'boolean') return node;
    const b = toBool(node);
    if (b !== undefined) return b;
    if (!isRecord(node)) return undefined;
    const fn = intrinsicName(node);
    const arg = fn ? node[fn] : undefined;
    switch (fn) {
      case 'Condition':
        return typeof arg === 'string' ? this.condition(arg) : undefined;
      case 'Fn::Equals': {
        if (!Array.isArray(arg) || arg.length !== 2) return undefined;
        const a = this.value(arg[0]);
        const c = this.value(arg[1]);
        if (a.kind === 'missing' && c.kind === 'missing') return true;
        if (a.kind !== 'known' || c.kind !== 'known') return undefined;
        if (a.value instanceof ResourceRef || c.value instanceof ResourceRef) return undefined;
        return scalarString(a.value) === scalarString(c.value);
      }
      case 'Fn::Not': {
        const inner = Array.isArray(arg) ? this.evalCondition(arg[0]) : undefined;
        return inner === undefined ? undefined : !inner;
      }
      case 'Fn::And': {
        if (!Array.isArray(arg)) return undefined;
        let result: boolean | undefined = true;
        for (const x of arg) {
          const v = this.evalCondition(x);
          if (v === false) return false;
          if (v === undefined) result = undefined;
        }
        return result;
      }
      case 'Fn::Or': {
        if (!Array.isArray(arg)) return undefined;
        let result: boolean | undefined = false;
        for (const x of arg) {
          const v = this.evalCondition(x);
          if (v === true) return true;
          if (v === undefined) result = undefined;
        }
        return result;
      }
      default:
        return undefined;
    }
  }

  /** Whether a resource exists under the evaluated parameters. */
  exists(resource: Resource | string): 'yes' | 'no' | 'maybe' {
    const r = typeof resource === 'string' ? this.model.resources.get(resource) : resource;
    if (!r) return 'no';
    if (!r.condition) return 'yes';
    const c = this.condition(r.condition);
    return c === true ? 'yes' : c === false ? 'no' : 'maybe';
  }

  // ------------------------------------------------------------ values
  /** The value at a path below a resource node (e.g. ['Properties', 'CidrBlock']). */
  at(resource: Resource, path: readonly PathSegment[]): Value {
    return this.navigate(resource.node, path, 0);
  }

  /** The raw (unevaluated) node at a path, stopping at the first intrinsic on the way. */
  navigateRaw(node: unknown, path: readonly PathSegment[]): unknown {
    let cur = node;
    for (const seg of path) {
      if (cur === undefined || intrinsicName(cur)) return cur;
      if (Array.isArray(cur)) cur = typeof seg === 'number' ? cur[seg] : undefined;
      else if (isRecord(cur)) cur = typeof seg === 'string' ? cur[seg] : undefined;
      else return undefined;
    }
    return cur;
  }

  /** The value at a path below any raw node. */
  navigate(node: unknown, path: readonly PathSegment[], from = 0): Value {
    let cur = node;
    for (let i = from; i < path.length; i++) {
      if (cur === undefined) return MISSING;
      const fn = intrinsicName(cur);
      if (fn === 'Fn::If') {
        const arg = (cur as Record<string, unknown>)['Fn::If'];
        if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string') return unknown('malformed Fn::If');
        const c = this.condition(arg[0]);
        if (c === true) cur = arg[1];
        else if (c === false) cur = arg[2];
        else return either(arg[0], this.navigate(arg[1], path, i), this.navigate(arg[2], path, i));
        i--;
        continue;
      }
      if (fn) {
        // Another intrinsic in a structural position (FindInMap returning a list, a List parameter...).
        const v = this.value(cur);
        if (v.kind !== 'known') return v;
        return navigateKnown(v.value, path, i);
      }
      const seg = path[i]!;
      if (Array.isArray(cur)) {
        cur = typeof seg === 'number' ? cur[seg] : undefined;
      } else if (isRecord(cur)) {
        cur = typeof seg === 'string' && Object.prototype.hasOwnProperty.call(cur, seg) ? cur[seg] : undefined;
      } else {
        return MISSING;
      }
    }
    return cur === undefined ? MISSING : this.value(cur);
  }

  /** Deep evaluation of a raw node. */
  value(node: unknown): Value {
    if (node === undefined) return MISSING;
    if (node === null) return known(null);
    if (typeof node === 'string') {
      const m = DYNAMIC_REF.exec(node);
      if (m) return unknown(`dynamic reference to ${m[1]}`);
      return known(node);
    }
    if (typeof node !== 'object') return known(node);
    const cached = this.cache.get(node);
    if (cached) return cached;
    const v = this.compute(node);
    this.cache.set(node, v);
    return v;
  }

  private compute(node: object): Value {
    if (Array.isArray(node)) {
      const out: unknown[] = [];
      const branchy: Value[] = [];
      for (const item of node) {
        const v = this.value(item);
        if (v.kind === 'missing') continue;
        if (v.kind === 'unknown') {
          branchy.push(v);
          continue;
        }
        out.push(v.value);
      }
      if (branchy.length) return unknown(branchy[0]!.kind === 'unknown' ? (branchy[0] as Unknown).why : 'unknown');
      return known(out);
    }
    const fn = intrinsicName(node);
    if (fn) return this.intrinsic(fn, (node as Record<string, unknown>)[fn]);
    const out = Object.create(null) as Record<string, unknown>;
    for (const [k, child] of Object.entries(node)) {
      const v = this.value(child);
      if (v.kind === 'missing') continue;
      if (v.kind === 'unknown') return unknown(v.why);
      out[k] = v.value;
    }
    return known(out);
  }

  private intrinsic(fn: string, arg: unknown): Value {
    switch (fn) {
      case 'Ref':
        return this.ref(arg);
      case 'Fn::GetAtt':
        return this.getAtt(arg);
      case 'Fn::If': {
        if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string') return unknown('malformed Fn::If');
        const c = this.condition(arg[0]);
        if (c === true) return this.value(arg[1]);
        if (c === false) return this.value(arg[2]);
        return either(arg[0], this.value(arg[1]), this.value(arg[2]));
      }
      case 'Fn::Sub':
        return this.sub(arg);
      case 'Fn::Join': {
        if (!Array.isArray(arg) || arg.length !== 2) return unknown('malformed Fn::Join');
        const d = this.value(arg[0]);
        const list = this.value(arg[1]);
        if (d.kind !== 'known') return d.kind === 'unknown' ? d : unknown('malformed Fn::Join');
        if (list.kind !== 'known') return list.kind === 'unknown' ? unknown(list.why) : unknown('malformed Fn::Join');
        if (!Array.isArray(list.value)) return unknown('malformed Fn::Join');
        const parts: string[] = [];
        for (const p of list.value) {
          const s = scalarString(p);
          if (s === undefined) return unknown(`depends on ${describe(p)}`);
          parts.push(s);
        }
        return known(parts.join(String(d.value)));
      }
      case 'Fn::Select': {
        if (!Array.isArray(arg) || arg.length !== 2) return unknown('malformed Fn::Select');
        const idx = this.value(arg[0]);
        if (idx.kind !== 'known') return idx.kind === 'unknown' ? idx : unknown('malformed Fn::Select');
        const i = toNumber(idx.value);
        if (i === undefined) return unknown('malformed Fn::Select');
        const list = this.value(arg[1]);
        if (list.kind === 'known' && list.value instanceof SymbolicAzList) return known(new SymbolicAz(i));
        if (list.kind !== 'known') {
          return list.kind === 'unknown' ? unknown(list.why) : unknown('malformed Fn::Select');
        }
        if (!Array.isArray(list.value) || i < 0 || i >= list.value.length)
          return unknown('Fn::Select index out of range');
        return known(list.value[i]);
      }
      case 'Fn::Split': {
        if (!Array.isArray(arg) || arg.length !== 2) return unknown('malformed Fn::Split');
        const d = this.value(arg[0]);
        const s = this.value(arg[1]);
        if (d.kind !== 'known' || typeof d.value !== 'string') return unknown('malformed Fn::Split');
        if (s.kind !== 'known') return s.kind === 'unknown' ? unknown(s.why) : unknown('malformed Fn::Split');
        const str = scalarString(s.value);
        if (str === undefined) return unknown(`depends on ${describe(s.value)}`);
        return known(str.split(d.value));
      }
      case 'Fn::FindInMap':
        return this.findInMap(arg);
      case 'Fn::GetAZs':
        return known(new SymbolicAzList());
      case 'Fn::Cidr':
        return this.cidr(arg);
      case 'Fn::Base64': {
        const v = this.value(arg);
        if (v.kind !== 'known') return v.kind === 'unknown' ? unknown(v.why) : unknown('malformed Fn::Base64');
        const s = scalarString(v.value);
        if (s === undefined) return unknown(`depends on ${describe(v.value)}`);
        return known(Buffer.from(s, 'utf8').toString('base64'));
      }
      case 'Fn::ImportValue': {
        const name = this.value(arg);
        if (name.kind !== 'known') return name.kind === 'unknown' ? unknown(name.why) : unknown('malformed import');
        const exported = this.env.imports?.get(String(name.value));
        if (exported) return exported;
        return unknown(`imported from another stack (export ${String(name.value)})`);
      }
      case 'Fn::Length': {
        const v = this.value(arg);
        if (v.kind === 'known' && Array.isArray(v.value)) return known(v.value.length);
        return v.kind === 'unknown' ? unknown(v.why) : unknown('malformed Fn::Length');
      }
      case 'Fn::Transform':
        return unknown('produced by a transform (macro)');
      case 'Fn::ToJsonString': {
        const v = this.value(arg);
        if (v.kind !== 'known') return v.kind === 'unknown' ? unknown(v.why) : unknown('malformed Fn::ToJsonString');
        const s = safeJson(v.value);
        return s === undefined ? unknown('depends on a value known only after deployment') : known(s);
      }
      default: {
        if (!['Fn::Equals', 'Fn::And', 'Fn::Or', 'Fn::Not', 'Condition'].includes(fn)) {
          return unknown(`${fn} is not evaluated by archlint`);
        }
        // Condition functions in a value position.
        const c = this.evalCondition({ [fn]: arg });
        return c === undefined ? unknown(`depends on an unknown condition`) : known(c);
      }
    }
  }

  private ref(arg: unknown): Value {
    if (typeof arg !== 'string') {
      const v = this.value(arg);
      if (v.kind !== 'known' || typeof v.value !== 'string') return unknown('malformed Ref');
      arg = v.value;
    }
    const name = arg as string;
    if (name === 'AWS::NoValue') return MISSING;
    if (name.startsWith('AWS::')) {
      const v = this.env.pseudo?.[name];
      if (v !== undefined) return known(v);
      if (name === 'AWS::URLSuffix') {
        const partition = this.env.pseudo?.['AWS::Partition'];
        if (partition === 'aws') return known('amazonaws.com');
      }
      return unknown(`needs the value of pseudo parameter ${name}`);
    }
    if (this.model.parameters.has(name)) return this.parameter(name);
    if (this.model.resources.has(name)) return known(new ResourceRef(name));
    return unknown(`Ref to ${name}, which is not in the template`);
  }

  private getAtt(arg: unknown): Value {
    let id: unknown;
    let attr: unknown;
    if (Array.isArray(arg)) {
      id = arg[0];
      attr = arg[1];
    } else if (typeof arg === 'string') {
      const dot = arg.indexOf('.');
      id = dot < 0 ? arg : arg.slice(0, dot);
      attr = dot < 0 ? undefined : arg.slice(dot + 1);
    }
    if (typeof id !== 'string') return unknown('malformed Fn::GetAtt');
    if (attr !== undefined && typeof attr !== 'string') {
      const a = this.value(attr);
      if (a.kind !== 'known' || typeof a.value !== 'string') return unknown('Fn::GetAtt with an unknown attribute');
      attr = a.value;
    }
    if (!this.model.resources.has(id)) return unknown(`Fn::GetAtt to ${id}, which is not in the template`);
    return known(new ResourceRef(id, attr as string | undefined));
  }

  private sub(arg: unknown): Value {
    let template: unknown;
    let vars: Record<string, unknown> = {};
    if (typeof arg === 'string') template = arg;
    else if (Array.isArray(arg)) {
      template = arg[0];
      if (isRecord(arg[1])) vars = arg[1];
    }
    if (typeof template !== 'string') return unknown('malformed Fn::Sub');
    if (DYNAMIC_REF.test(template)) return unknown('dynamic reference');
    let out = '';
    let last = 0;
    const re = /\$\{([^}]*)\}/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(template))) {
      out += template.slice(last, m.index);
      last = m.index + m[0].length;
      const expr = m[1]!.trim();
      if (expr.startsWith('!')) {
        out += '${' + expr.slice(1) + '}';
        continue;
      }
      let v: Value;
      if (Object.prototype.hasOwnProperty.call(vars, expr)) v = this.value(vars[expr]);
      else if (expr.includes('.') && !expr.startsWith('AWS::')) {
        const dot = expr.indexOf('.');
        v = this.getAtt([expr.slice(0, dot), expr.slice(dot + 1)]);
      } else v = this.ref(expr);
      if (v.kind !== 'known') return v.kind === 'unknown' ? unknown(v.why) : unknown(`\${${expr}} has no value`);
      const s = scalarString(v.value);
      if (s === undefined) return unknown(`depends on ${describe(v.value)}`);
      out += s;
    }
    out += template.slice(last);
    return known(out);
  }

  private findInMap(arg: unknown): Value {
    if (!Array.isArray(arg) || arg.length < 3) return unknown('malformed Fn::FindInMap');
    const keys: string[] = [];
    for (let i = 0; i < 3; i++) {
      const v = this.value(arg[i]);
      if (v.kind !== 'known') return v.kind === 'unknown' ? unknown(v.why) : unknown('malformed Fn::FindInMap');
      const s = scalarString(v.value);
      if (s === undefined) return unknown('malformed Fn::FindInMap');
      keys.push(s);
    }
    const map = this.model.mappings[keys[0]!];
    const top = isRecord(map) ? map[keys[1]!] : undefined;
    const found = isRecord(top) ? top[keys[2]!] : undefined;
    if (found !== undefined) return this.value(found);
    const opts = arg[3];
    if (isRecord(opts) && 'DefaultValue' in opts) return this.value(opts.DefaultValue);
    return unknown(`mapping ${keys.join('.')} is not defined`);
  }

  private cidr(arg: unknown): Value {
    if (!Array.isArray(arg) || arg.length !== 3) return unknown('malformed Fn::Cidr');
    const vals = arg.map((a) => this.value(a));
    for (const v of vals) if (v.kind !== 'known') return v.kind === 'unknown' ? unknown(v.why) : unknown('malformed');
    const block = scalarString((vals[0] as Known).value);
    const count = toNumber((vals[1] as Known).value);
    const bits = toNumber((vals[2] as Known).value);
    if (block === undefined || count === undefined || bits === undefined) return unknown('malformed Fn::Cidr');
    const list = cidrSubnets(block, count, bits);
    return list ? known(list) : unknown('Fn::Cidr could not be computed');
  }
}

function navigateKnown(v: unknown, path: readonly PathSegment[], from: number): Value {
  let cur = v;
  for (let i = from; i < path.length; i++) {
    const seg = path[i]!;
    if (Array.isArray(cur) && typeof seg === 'number') cur = cur[seg];
    else if (isRecord(cur) && typeof seg === 'string') cur = cur[seg];
    else return MISSING;
    if (cur === undefined) return MISSING;
  }
  return known(cur);
}

/** A scalar as the string CloudFormation would substitute, or undefined for non-scalars and references. */
export function scalarString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function describe(v: unknown): string {
  if (v instanceof ResourceRef) return `the deployed value of ${v.toString()}`;
  if (v instanceof SymbolicAz) return `the name of ${v.toString()}`;
  return 'a non-scalar value';
}

function safeJson(v: unknown): string | undefined {
  let ok = true;
  const s = JSON.stringify(v, (_k, x: unknown) => {
    if (x instanceof ResourceRef || x instanceof SymbolicAz || x instanceof SymbolicAzList) ok = false;
    return x;
  });
  return ok ? s : undefined;
}

/** Fn::Cidr: `count` subnets of `32 - bits` (IPv4) or `128 - bits` (IPv6) prefix length from `block`. */
export function cidrSubnets(block: string, count: number, bits: number): string[] | undefined {
  const [addr, lenStr] = block.split('/');
  const len = Number(lenStr);
  if (!addr || !Number.isInteger(len)) return undefined;
  if (addr.includes(':')) {
    const base = parseIpv6(addr);
    if (base === undefined || bits < 1 || bits > 128) return undefined;
    const prefix = 128 - bits;
    if (prefix < len) return undefined;
    const size = 1n << BigInt(bits);
    const out: string[] = [];
    for (let i = 0n; i < BigInt(count); i++) {
      const a = base + i * size;
      if (a >= 1n << 128n) return undefined;
      out.push(`${formatIpv6(a)}/${prefix}`);
    }
    return out;
  }
  const base = parseIpv4(addr);
  if (base === undefined || bits < 1 || bits > 32) return undefined;
  const prefix = 32 - bits;
  if (prefix < len) return undefined;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const a = base + i * 2 ** bits;
    if (a > 0xffffffff) return undefined;
    out.push(`${formatIpv4(a)}/${prefix}`);
  }
  return out;
}

export function parseIpv4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const x = Number(p);
    if (x > 255) return undefined;
    n = n * 256 + x;
  }
  return n;
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseIpv6(s: string): bigint | undefined {
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 0) return undefined;
  const groups = [...head, ...new Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
    n = (n << 16n) + BigInt(parseInt(g, 16));
  }
  return n;
}

export function formatIpv6(n: bigint): string {
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((n >> BigInt(i * 16)) & 0xffffn).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

/**
 * The known values a Value can take across Fn::If branches (missing -> undefined), or undefined when
 * any branch is unknown for another reason. Rules use it to report only when every branch violates.
 */
export function alternatives(v: Value): unknown[] | undefined {
  const out: unknown[] = [];
  for (const p of possibleValues(v)) {
    if (p.kind === 'unknown') return undefined;
    out.push(p.kind === 'known' ? p.value : undefined);
  }
  return out;
}

/** Why a value is not known (for unknown outcomes). */
export function whyUnknown(v: Value): string {
  return v.kind === 'unknown' ? v.why : v.kind === 'missing' ? 'the value is not set' : 'known';
}
