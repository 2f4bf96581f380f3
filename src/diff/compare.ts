/** Comparing one property between the baseline and the new template, and showing values in messages. */
import { isRecord } from '../parse/parse';
import type { TemplateModel } from '../model/template';
import {
  intrinsicName,
  ResourceRef,
  SymbolicAz,
  SymbolicAzList,
  toBool,
  toNumber,
  type Evaluator,
  type Value,
} from '../model/values';

export type Sameness = 'same' | 'changed' | 'textual' | 'unknown';

/** Structural equality of raw template nodes. */
export function rawEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => rawEqual(x, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && rawEqual(a[k], b[k]));
  }
  return false;
}

/**
 * Equality of evaluated values the way CloudFormation compares property values: "10" equals 10 and
 * "true" equals true. References to template resources are equal when they name the same resource and
 * attribute (whether that resource is replaced is the cascade's business).
 */
export function cfnEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof ResourceRef || b instanceof ResourceRef) {
    return (
      a instanceof ResourceRef && b instanceof ResourceRef && a.logicalId === b.logicalId && a.attribute === b.attribute
    );
  }
  if (a instanceof SymbolicAz || b instanceof SymbolicAz)
    return a instanceof SymbolicAz && b instanceof SymbolicAz && a.index === b.index;
  if (a instanceof SymbolicAzList || b instanceof SymbolicAzList)
    return a instanceof SymbolicAzList && b instanceof SymbolicAzList;
  if (typeof a === 'boolean' || typeof b === 'boolean') {
    const x = toBool(a);
    return x !== undefined && x === toBool(b);
  }
  if (typeof a === 'number' || typeof b === 'number') {
    const x = toNumber(a);
    return x !== undefined && x === toNumber(b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => cfnEqual(x, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && cfnEqual(a[k], b[k]));
  }
  return false;
}

const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[^:]+:\d{12}:key\/([0-9a-f-]{36}|mrk-[0-9a-f]{32})$/;
const KMS_KEY_ID = /^([0-9a-f-]{36}|mrk-[0-9a-f]{32})$/;
const RDS_SNAPSHOT_ARN = /^arn:aws[a-z-]*:rds:[^:]+:\d{12}:(?:cluster-)?snapshot:(.+)$/;

/**
 * Two different-looking values that name the same thing: the same template resource through Ref and
 * through a GetAtt of its identity (Arn, Id, KeyId...), a KMS key id and the ARN of that key, or an RDS snapshot
 * identifier and its ARN.
 */
export function equivalentIdentifier(a: unknown, b: unknown): boolean {
  if (a instanceof ResourceRef && b instanceof ResourceRef) {
    if (a.logicalId !== b.logicalId || a.attribute === b.attribute) return false;
    const identity = (x: string | undefined) => x === undefined || /^(Arn|Id|KeyId|.*Id|.*Arn)$/.test(x);
    return identity(a.attribute) && identity(b.attribute);
  }
  if (typeof a === 'string' && typeof b === 'string' && a !== b) {
    const ka = KMS_KEY_ARN.exec(a)?.[1] ?? KMS_KEY_ID.exec(a)?.[1];
    const kb = KMS_KEY_ARN.exec(b)?.[1] ?? KMS_KEY_ID.exec(b)?.[1];
    if (ka !== undefined && ka === kb) return true;
    const sa = RDS_SNAPSHOT_ARN.exec(a)?.[1] ?? a;
    const sb = RDS_SNAPSHOT_ARN.exec(b)?.[1] ?? b;
    return sa === sb;
  }
  return false;
}

export interface Compared {
  status: Sameness;
  /** Why the outcome is unknown. */
  why?: string;
  /** What makes a textual change equivalent. */
  textual?: string;
}

/**
 * Compare a property of the baseline (raw node `rawB`, value `vB`) with the new template's.
 * Identical template text is the same value (parameters are assumed to keep their values unless the
 * baseline side is given other values; pseudo parameters are the same stack's).
 */
export function compareValues(rawB: unknown, rawN: unknown, vB: Value, vN: Value, def?: unknown): Compared {
  if (vB.kind === 'missing' && vN.kind === 'missing') return { status: 'same' };
  const textSame = rawB !== undefined && rawN !== undefined && rawEqual(rawB, rawN);
  if (vB.kind === 'known' && vN.kind === 'known') {
    if (cfnEqual(vB.value, vN.value)) return { status: 'same' };
    if (equivalentIdentifier(vB.value, vN.value))
      return { status: 'textual', textual: 'both values name the same resource' };
    return { status: 'changed' };
  }
  if (vB.kind === 'unknown' || vN.kind === 'unknown') {
    if (textSame && vB.kind === 'unknown' && vN.kind === 'unknown') return { status: 'same' };
    const u = vN.kind === 'unknown' ? vN : (vB as Extract<Value, { kind: 'unknown' }>);
    return { status: 'unknown', why: `${vN.kind === 'unknown' ? 'new' : 'baseline'} value: ${u.why}` };
  }
  // One side absent, the other known.
  const present = vB.kind === 'known' ? vB.value : (vN as Extract<Value, { kind: 'known' }>).value;
  if (def !== undefined && cfnEqual(present, def))
    return { status: 'textual', textual: `the value is the documented default (${show(def)})` };
  return { status: 'changed' };
}

// ------------------------------------------------------------------------------------------------ display

const MAX = 80;
const DYNAMIC = /\{\{resolve:/;

/** Whether a raw node carries a secret: a dynamic reference, or a Ref/Sub of a NoEcho parameter. */
export function carriesSecret(node: unknown, model: TemplateModel): boolean {
  if (typeof node === 'string') return DYNAMIC.test(node);
  if (Array.isArray(node)) return node.some((x) => carriesSecret(x, model));
  if (!isRecord(node)) return false;
  const fn = intrinsicName(node);
  if (fn === 'Ref' && typeof node.Ref === 'string') return model.parameters.get(node.Ref)?.noEcho === true;
  if (fn === 'Fn::Sub') {
    const arg = node['Fn::Sub'];
    const tpl = typeof arg === 'string' ? arg : Array.isArray(arg) ? arg[0] : undefined;
    if (typeof tpl === 'string') {
      if (DYNAMIC.test(tpl)) return true;
      for (const m of tpl.matchAll(/\$\{([^!}][^}]*)\}/g)) {
        if (model.parameters.get(m[1]!.trim())?.noEcho) return true;
      }
    }
    return Array.isArray(arg) && carriesSecret(arg[1], model);
  }
  return Object.values(node).some((x) => carriesSecret(x, model));
}

/** Known values of the NoEcho parameters of a template under its parameter values. */
export function secretValues(model: TemplateModel, ev: Evaluator): string[] {
  const out: string[] = [];
  for (const p of model.parameters.values()) {
    if (!p.noEcho) continue;
    const v = ev.parameter(p.name);
    if (v.kind === 'known' && (typeof v.value === 'string' || typeof v.value === 'number') && String(v.value))
      out.push(String(v.value));
  }
  return out;
}

/** Short display of a known value. */
export function show(v: unknown): string {
  let s: string;
  if (v === undefined) s = '(not set)';
  else if (typeof v === 'string') s = v;
  else if (v instanceof ResourceRef) s = v.attribute ? `GetAtt ${v.logicalId}.${v.attribute}` : `Ref ${v.logicalId}`;
  else if (v instanceof SymbolicAz || v instanceof SymbolicAzList) s = String(v);
  else
    s = JSON.stringify(v, (_k, x: unknown) =>
      x instanceof ResourceRef || x instanceof SymbolicAz || x instanceof SymbolicAzList ? show(x) : x,
    );
  return s.length > MAX ? `${s.slice(0, MAX - 1)}…` : s;
}

/** Short display of a raw (unevaluated) node, for unknown values. */
function showRaw(node: unknown): string {
  if (isRecord(node)) {
    const fn = intrinsicName(node);
    if (fn === 'Ref') return `Ref ${String(node.Ref)}`;
    if (fn === 'Fn::GetAtt') {
      const a = node['Fn::GetAtt'];
      return `GetAtt ${Array.isArray(a) ? a.join('.') : String(a)}`;
    }
  }
  return show(node);
}

/**
 * Display a property value for a message: '****' for secrets (NoEcho parameters, dynamic references, or a
 * known NoEcho value appearing in the text), the evaluated value when known, else the template text.
 */
export function display(raw: unknown, v: Value, model: TemplateModel, secrets: readonly string[]): string {
  if (raw === undefined || v.kind === 'missing') return '(not set)';
  if (carriesSecret(raw, model)) return '****';
  return masked(v.kind === 'known' ? show(v.value) : showRaw(raw), secrets);
}

/** A displayed value with known secret values replaced by ****. */
export function masked(s: string, secrets: readonly string[]): string {
  for (const secret of secrets) {
    if (s === secret) return '****';
    if (secret.length >= 4 && s.includes(secret)) s = s.split(secret).join('****');
  }
  return s;
}
