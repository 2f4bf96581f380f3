/**
 * The data domain view: RDS DB instances and clusters, Aurora members, read-replica edges, global clusters,
 * DB subnet groups and Aurora reader auto scaling, plus the effective storage encryption `E(r)` of catalog 2.2.1.
 *
 * Build it with `ctx.view(dataView)` (memoised per template). Everything here is three-valued: a relation that
 * cannot be decided from the template and the evaluated parameters is `unknown`, never guessed.
 */
import { defineView, type TemplateContext } from '../engine/context';
import { isRecord } from '../parse/parse';
import type { Resource } from './template';
import { Evaluator, intrinsicName, possibleValues, ResourceRef, toBool, type Value } from './values';

export const DB_INSTANCE = 'AWS::RDS::DBInstance';
export const DB_CLUSTER = 'AWS::RDS::DBCluster';
export const GLOBAL_CLUSTER = 'AWS::RDS::GlobalCluster';
export const DB_SUBNET_GROUP = 'AWS::RDS::DBSubnetGroup';
export const SCALABLE_TARGET = 'AWS::ApplicationAutoScaling::ScalableTarget';

// ------------------------------------------------------------------------------------------------ links

/** Where a reference property (a source, a cluster, a global cluster, a subnet group) points to. */
export type Link =
  | { readonly kind: 'resource'; readonly resource: Resource; readonly via: 'ref' | 'identifier' | 'arn' }
  /** Names something that is not in the template (a literal identifier or ARN, or an import). */
  | { readonly kind: 'external'; readonly text: string; readonly arn?: RdsArn }
  | { readonly kind: 'unknown'; readonly why: string }
  | { readonly kind: 'absent' };

/** An RDS ARN, `arn:<partition>:rds:<region>:<account>:<type>:<name>`. Region `'<stack>'` means `${AWS::Region}`. */
export interface RdsArn {
  readonly region: string;
  readonly account: string;
  readonly type: string;
  readonly name: string;
}

/** Same-Region or cross-Region, relative to the stack's Region (catalog 2.2.3). */
export type RegionRelation = 'same' | 'cross' | 'unknown';

export interface ReplicaEdge {
  readonly replica: Resource;
  /** The property that names the source. */
  readonly property: 'SourceDBInstanceIdentifier' | 'SourceDBClusterIdentifier' | 'ReplicationSourceIdentifier';
  readonly source: Link;
  readonly region: RegionRelation;
  /** Why the Region relation is what it is (for messages and unknown outcomes). */
  readonly regionWhy: string;
}

// ------------------------------------------------------------------------------------------------ roles

/** What a DB instance is, in the order of catalog 2.2.1. */
export type InstanceRole =
  | { readonly kind: 'aurora-member'; readonly cluster: Link }
  | { readonly kind: 'replica'; readonly edge: ReplicaEdge }
  | { readonly kind: 'restore'; readonly restore: RestoreSource }
  | { readonly kind: 'primary' }
  | { readonly kind: 'unknown'; readonly why: string };

/** What a DB cluster is (Serverless v1 is recorded separately in `DbClusterInfo.serverlessV1`). */
export type ClusterRole =
  | { readonly kind: 'restore'; readonly restore: RestoreSource }
  | { readonly kind: 'replica'; readonly edge: ReplicaEdge }
  | { readonly kind: 'global-member'; readonly global: Link }
  | { readonly kind: 'primary' }
  | { readonly kind: 'unknown'; readonly why: string };

/** The origin of a restored database. */
export interface RestoreSource {
  /** The property that makes it a restore (DBSnapshotIdentifier, SnapshotIdentifier, RestoreTime, ...). */
  readonly property: string;
  /** Snapshot, automated-backup ARN or resource id, when it is a literal (looked up in config facts). */
  readonly id?: string;
  /** Point-in-time restore or clone from a database: the source database. */
  readonly source?: Link;
}

export interface DbInstanceInfo {
  readonly resource: Resource;
  readonly role: InstanceRole;
  /** Possible engines (lower case), or undefined when unknown. */
  readonly engines: readonly string[] | undefined;
  /** RDS Custom (`Engine` custom-*). */
  readonly custom: boolean;
  readonly subnetGroup: Link;
}

export interface DbClusterInfo {
  readonly resource: Resource;
  readonly role: ClusterRole;
  readonly engines: readonly string[] | undefined;
  /** Possible engine modes ('provisioned' when absent), or undefined when unknown. */
  readonly engineModes: readonly string[] | undefined;
  /** true / false / undefined (unknown or differs between branches). */
  readonly aurora: boolean | undefined;
  readonly serverlessV1: boolean | undefined;
  readonly subnetGroup: Link;
}

export interface GlobalClusterInfo {
  readonly resource: Resource;
  /** The cluster that seeds the global cluster (`SourceDBClusterIdentifier`). */
  readonly source: Link;
}

export interface SubnetGroupInfo {
  readonly resource: Resource;
  /** Subnets as links: in-template subnets, literal ids, or unknown. */
  readonly subnets: readonly Link[] | { readonly kind: 'unknown'; readonly why: string };
}

/** Members of an Aurora cluster. */
export interface ClusterMembers {
  /** Members that certainly exist and certainly belong to the cluster. */
  readonly definite: readonly Resource[];
  /** Members that may exist (unknown Condition) or may belong to the cluster (unresolved DBClusterIdentifier). */
  readonly maybe: readonly Resource[];
}

/** An `rds:cluster:ReadReplicaCount` scalable target. */
export interface ReaderScaling {
  readonly target: Resource;
  readonly cluster: Link;
  /** True when the target certainly exists and certainly scales Aurora readers (known ScalableDimension). */
  readonly certain: boolean;
}

export interface DataView {
  readonly instances: readonly DbInstanceInfo[];
  readonly clusters: readonly DbClusterInfo[];
  readonly globalClusters: readonly GlobalClusterInfo[];
  readonly subnetGroups: readonly SubnetGroupInfo[];
  /** The stack's Region when known (config `pseudoParameters.region`). */
  readonly stackRegion: string | undefined;
  instance(logicalId: string): DbInstanceInfo | undefined;
  cluster(logicalId: string): DbClusterInfo | undefined;
  globalCluster(logicalId: string): GlobalClusterInfo | undefined;
  /** Replica edges (instances and clusters) whose source resolves to this resource. */
  replicasOf(logicalId: string): readonly ReplicaEdge[];
  /** Replica edges whose source could not be resolved: they may belong to any database. */
  readonly unresolvedReplicas: readonly ReplicaEdge[];
  membersOf(clusterLogicalId: string): ClusterMembers;
  readerScalingOf(clusterLogicalId: string): readonly ReaderScaling[];
  /** Global members: clusters whose GlobalClusterIdentifier resolves to this global cluster. */
  globalMembersOf(globalLogicalId: string): readonly Resource[];
}

// ------------------------------------------------------------------------------------------------ helpers

/** Whether a property is set: every branch sets it, none does, or it depends on a condition. */
export type Presence = 'present' | 'absent' | 'unknown';

export function presenceOf(v: Value): Presence {
  let present = false;
  let absent = false;
  for (const p of possibleValues(v)) {
    if (p.kind === 'missing' || (p.kind === 'known' && (p.value === '' || p.value === null))) absent = true;
    else present = true;
  }
  return present && absent ? 'unknown' : present ? 'present' : 'absent';
}

export function presence(ctx: TemplateContext, r: Resource, prop: string): Presence {
  return presenceOf(ctx.value(r, ['Properties', prop]));
}

/** Boolean alternatives of a property (CloudFormation string booleans normalised); undefined when unknown. */
export function boolAlternatives(ctx: TemplateContext, r: Resource, prop: string): (boolean | 'absent')[] | undefined {
  const out: (boolean | 'absent')[] = [];
  for (const p of possibleValues(ctx.value(r, ['Properties', prop]))) {
    if (p.kind === 'missing') out.push('absent');
    else if (p.kind === 'unknown') return undefined;
    else {
      const b = toBool(p.value);
      if (b === undefined) return undefined;
      out.push(b);
    }
  }
  return dedupe(out);
}

/** A KmsKeyId alternative: not set, a known value (string or ResourceRef), or set to an unknown value. */
export type KeyAlternative =
  | { readonly kind: 'absent' }
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'unknown'; readonly why: string };

export function keyAlternatives(ctx: TemplateContext, r: Resource, prop = 'KmsKeyId'): KeyAlternative[] {
  const out: KeyAlternative[] = [];
  for (const p of possibleValues(ctx.value(r, ['Properties', prop]))) {
    if (p.kind === 'missing' || (p.kind === 'known' && (p.value === '' || p.value === null)))
      out.push({ kind: 'absent' });
    else if (p.kind === 'unknown') out.push({ kind: 'unknown', why: p.why });
    else out.push({ kind: 'value', value: p.value });
  }
  return out;
}

/** One scenario of StorageEncrypted and KmsKeyId (flag undefined: not a boolean, or unknown). */
export interface FlagCombo {
  readonly flag: boolean | 'absent' | undefined;
  readonly key: KeyAlternative;
  /** Why the flag is not known, when it is not. */
  readonly why?: string;
}

/**
 * StorageEncrypted/KmsKeyId combinations, one per scenario of the unknown conditions they use, so that branches
 * chosen by the same condition are judged together (every combination of branches beyond four conditions).
 */
export function flagCombos(ctx: TemplateContext, r: Resource): FlagCombo[] {
  const rawFlag = r.properties.StorageEncrypted;
  const rawKey = r.properties.KmsKeyId;
  const flagOf = (v: Value): Pick<FlagCombo, 'flag' | 'why'> => {
    if (v.kind === 'missing') return { flag: 'absent' };
    if (v.kind === 'unknown') return { flag: undefined, why: `StorageEncrypted: ${v.why}` };
    const b = toBool(v.value);
    return b === undefined ? { flag: undefined, why: 'StorageEncrypted is not a boolean' } : { flag: b };
  };
  const keyOf = (v: Value): KeyAlternative =>
    v.kind === 'missing' || (v.kind === 'known' && (v.value === '' || v.value === null))
      ? { kind: 'absent' }
      : v.kind === 'unknown'
        ? { kind: 'unknown', why: v.why }
        : { kind: 'value', value: v.value };
  const scenarios = ctx.evaluator.scenarios([rawFlag, rawKey]);
  const out: FlagCombo[] = [];
  if (!scenarios) {
    for (const f of possibleValues(ctx.value(r, ['Properties', 'StorageEncrypted'])))
      for (const k of possibleValues(ctx.value(r, ['Properties', 'KmsKeyId'])))
        out.push({ ...flagOf(f), key: keyOf(k) });
    return out;
  }
  for (const { evaluator } of scenarios) {
    out.push({ ...flagOf(evaluator.value(rawFlag)), key: keyOf(evaluator.value(rawKey)) });
  }
  return out;
}

/**
 * Possible string values of a property, lower-cased; `absent` stands for an unset property. A parameter without
 * a value but with AllowedValues is enumerated (Engine: !Ref EngineParam, or Fn::FindInMap keyed by it).
 */
export function stringAlternatives(ctx: TemplateContext, r: Resource, prop: string): string[] | undefined {
  const collect = (v: Value, out: string[]): boolean => {
    for (const p of possibleValues(v)) {
      if (p.kind === 'missing') out.push('absent');
      else if (p.kind === 'known' && (typeof p.value === 'string' || typeof p.value === 'number'))
        out.push(String(p.value).toLowerCase());
      else return false;
    }
    return true;
  };
  const out: string[] = [];
  if (collect(ctx.value(r, ['Properties', prop]), out)) return dedupe(out);
  return enumerateAllowedValues(ctx, r.properties[prop], collect);
}

const MAX_COMBINATIONS = 64;

/** Evaluate a raw node once per combination of AllowedValues of the parameters it needs that have no value. */
function enumerateAllowedValues(
  ctx: TemplateContext,
  raw: unknown,
  collect: (v: Value, out: string[]) => boolean,
): string[] | undefined {
  const names = new Set<string>();
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (isRecord(n)) {
      if (typeof n.Ref === 'string') names.add(n.Ref);
      const sub = n['Fn::Sub'];
      const tpl = typeof sub === 'string' ? sub : Array.isArray(sub) && typeof sub[0] === 'string' ? sub[0] : undefined;
      if (tpl) for (const m of tpl.matchAll(/\$\{([^!}.][^}.]*)\}/g)) names.add(m[1]!.trim());
      Object.values(n).forEach(walk);
    }
  };
  walk(raw);
  let combos: Record<string, unknown>[] = [{}];
  for (const name of names) {
    const p = ctx.model.parameters.get(name);
    if (!p || ctx.evaluator.parameter(name).kind !== 'unknown') continue;
    if (!p.allowedValues?.length || (p.type ?? 'String').startsWith('AWS::')) return undefined;
    combos = combos.flatMap((c) => p.allowedValues!.map((a) => ({ ...c, [name]: a })));
    if (combos.length > MAX_COMBINATIONS) return undefined;
  }
  if (combos.length === 1 && !Object.keys(combos[0]!).length) return undefined;
  const out: string[] = [];
  for (const c of combos) {
    const env = ctx.evaluator.env;
    const ev = new Evaluator(ctx.model, { ...env, parameters: { ...env.parameters, ...c } });
    if (!collect(ev.value(raw), out)) return undefined;
  }
  return dedupe(out);
}

function dedupe<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** The DB instance class size order used to compare classes (`db.r6g.2xlarge` -> '2xlarge'). */
export function instanceClassRank(cls: string): number | undefined {
  const m = /^db\.[a-z0-9-]+\.([a-z0-9]+)$/i.exec(cls.trim());
  if (!m) return undefined;
  const size = m[1]!.toLowerCase();
  const base: Record<string, number> = { nano: 1, micro: 2, small: 3, medium: 4, large: 5, xlarge: 6, metal: 1000 };
  if (size in base) return base[size];
  const n = /^(\d+)xlarge$/.exec(size);
  return n ? 6 + Number(n[1]) : undefined;
}

// ------------------------------------------------------------------------------------------------ symbolic strings

/*
 * Identifiers and ARNs are often built with Fn::Sub from pseudo parameters and resource references, which the
 * evaluator cannot turn into strings without a Region. A symbolic string keeps such parts as markers, so that
 * `arn:${AWS::Partition}:rds:${AWS::Region}:${AWS::AccountId}:db:${Primary}` still names `Primary` in the
 * stack's own Region, and two identifiers built from the same parameter compare equal.
 */
const MARK = '\u0000';
const mark = (s: string): string => `${MARK}${s}${MARK}`;
const REGION_MARK = mark('region');
const REF_RE = new RegExp(`^${MARK}ref=([^${MARK}=]+)(?:=([^${MARK}]*))?${MARK}$`);

function refMark(ref: ResourceRef): string {
  return mark(`ref=${ref.logicalId}${ref.attribute ? `=${ref.attribute}` : ''}`);
}

const PSEUDO_MARKS: Record<string, string> = {
  'AWS::Region': REGION_MARK,
  'AWS::AccountId': mark('account'),
  'AWS::Partition': mark('partition'),
  'AWS::StackName': mark('stack'),
  'AWS::URLSuffix': mark('urlsuffix'),
};

/** A string with markers for parts known only after deployment; undefined when it cannot be written down. */
export function symbolicString(ctx: TemplateContext, node: unknown, depth = 0): string | undefined {
  if (depth > 20) return undefined;
  const v = ctx.evaluator.value(node);
  if (v.kind === 'known') {
    if (typeof v.value === 'string' || typeof v.value === 'number' || typeof v.value === 'boolean')
      return String(v.value);
    if (v.value instanceof ResourceRef) return refMark(v.value);
    return undefined;
  }
  if (v.kind === 'missing' || !isRecord(node)) return undefined;
  const fn = intrinsicName(node);
  const arg = fn ? node[fn] : undefined;
  const refName = (name: string): string | undefined => {
    if (name in PSEUDO_MARKS) {
      const pv = ctx.evaluator.value({ Ref: name });
      return pv.kind === 'known' && typeof pv.value === 'string' ? pv.value : PSEUDO_MARKS[name];
    }
    if (ctx.model.resources.has(name)) return refMark(new ResourceRef(name));
    if (ctx.model.parameters.has(name)) {
      const pv = ctx.evaluator.parameter(name);
      if (pv.kind === 'known')
        return typeof pv.value === 'string' || typeof pv.value === 'number' ? String(pv.value) : undefined;
      const p = ctx.model.parameters.get(name)!;
      // Only plain parameters stand for one fixed value; SSM parameters too, but lists do not.
      return /List/.test(p.type ?? '') ? undefined : mark(`param=${name}`);
    }
    return undefined;
  };
  switch (fn) {
    case 'Ref':
      return typeof arg === 'string' ? refName(arg) : undefined;
    case 'Fn::GetAtt': {
      const [id, attr] = Array.isArray(arg) ? arg : typeof arg === 'string' ? arg.split(/\.(.*)/s) : [];
      if (typeof id !== 'string' || !ctx.model.resources.has(id)) return undefined;
      return refMark(new ResourceRef(id, typeof attr === 'string' ? attr : undefined));
    }
    case 'Fn::Sub': {
      const tpl = typeof arg === 'string' ? arg : Array.isArray(arg) ? arg[0] : undefined;
      const vars = Array.isArray(arg) && isRecord(arg[1]) ? arg[1] : {};
      if (typeof tpl !== 'string') return undefined;
      let out = '';
      let last = 0;
      for (const m of tpl.matchAll(/\$\{([^}]*)\}/g)) {
        out += tpl.slice(last, m.index);
        last = m.index + m[0].length;
        const expr = m[1]!.trim();
        let part: string | undefined;
        if (expr.startsWith('!')) part = '${' + expr.slice(1) + '}';
        else if (Object.prototype.hasOwnProperty.call(vars, expr)) part = symbolicString(ctx, vars[expr], depth + 1);
        else if (expr.includes('.') && !expr.startsWith('AWS::')) {
          const dot = expr.indexOf('.');
          const id = expr.slice(0, dot);
          part = ctx.model.resources.has(id) ? refMark(new ResourceRef(id, expr.slice(dot + 1))) : undefined;
        } else part = refName(expr);
        if (part === undefined) return undefined;
        out += part;
      }
      return out + tpl.slice(last);
    }
    case 'Fn::Join': {
      if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string' || !Array.isArray(arg[1]))
        return undefined;
      const parts: string[] = [];
      for (const p of arg[1]) {
        const s = symbolicString(ctx, p, depth + 1);
        if (s === undefined) return undefined;
        parts.push(s);
      }
      return parts.join(arg[0]);
    }
    default:
      return undefined;
  }
}

/** Parse an RDS ARN (symbolic parts allowed). */
export function parseRdsArn(s: string): RdsArn | undefined {
  if (!s.startsWith('arn:')) return undefined;
  const parts = s.split(':');
  if (parts.length < 7 || parts[2] !== 'rds') return undefined;
  const region = parts[3] === REGION_MARK ? '<stack>' : parts[3]!;
  return { region, account: parts[4]!, type: parts[5]!, name: parts.slice(6).join(':') };
}

/** The Region of a KMS key ARN (`arn:aws:kms:<region>:...`), or undefined when the key is not a literal ARN. */
export function kmsKeyRegion(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):/.exec(v.trim());
  return m ? m[1] : undefined;
}

/** True for the AWS managed RDS key given by alias (`alias/aws/rds` or its alias ARN). */
export function isAwsManagedRdsKey(v: unknown): boolean {
  return typeof v === 'string' && /(^|:)alias\/aws\/rds$/.test(v.trim());
}

// ------------------------------------------------------------------------------------------------ the view

const INSTANCE_RESTORE_PROPS = [
  'DBSnapshotIdentifier',
  'DBClusterSnapshotIdentifier',
  'SourceDBInstanceAutomatedBackupsArn',
  'SourceDbiResourceId',
];

interface Builder {
  ctx: TemplateContext;
  stackRegion: string | undefined;
  /** Lower-cased symbolic identifier -> resources, per type. */
  ids: Map<string, Map<string, Resource[]>>;
  /** Types with a resource whose identifier cannot be written down (it could be anything). */
  opaqueIds: Set<string>;
}

function identifierProp(type: string): string | undefined {
  return type === DB_INSTANCE
    ? 'DBInstanceIdentifier'
    : type === DB_CLUSTER
      ? 'DBClusterIdentifier'
      : type === GLOBAL_CLUSTER
        ? 'GlobalClusterIdentifier'
        : type === DB_SUBNET_GROUP
          ? 'DBSubnetGroupName'
          : undefined;
}

/** Resolve a reference property to a resource of one of `types`. */
function resolveLink(b: Builder, r: Resource, prop: string, types: readonly string[]): Link {
  const { ctx } = b;
  const v = ctx.value(r, ['Properties', prop]);
  const pres = presenceOf(v);
  if (pres === 'absent') return { kind: 'absent' };
  if (pres === 'unknown') return { kind: 'unknown', why: `whether ${prop} is set depends on a condition` };
  if (v.kind === 'unknown' && v.branches) {
    // Every branch set: resolve each branch; they must agree.
    const links = possibleValues(v).map((p) => (p.kind === 'known' ? linkFromValue(b, p.value, types, prop) : null));
    if (links.some((l) => l === null)) return { kind: 'unknown', why: v.why };
    const first = links[0]!;
    if (first.kind === 'resource' && links.every((l) => l!.kind === 'resource' && l!.resource === first.resource))
      return first;
    return { kind: 'unknown', why: `${prop} ${v.why}` };
  }
  const s = symbolicString(ctx, r.properties[prop]);
  if (s === undefined) {
    return { kind: 'unknown', why: v.kind === 'unknown' ? `${prop}: ${v.why}` : `${prop} cannot be resolved` };
  }
  return linkFromSymbolic(b, s, types, prop);
}

function linkFromValue(b: Builder, value: unknown, types: readonly string[], prop: string): Link {
  if (value instanceof ResourceRef) return linkFromSymbolic(b, refMark(value), types, prop);
  if (typeof value === 'string') return linkFromSymbolic(b, value, types, prop);
  return { kind: 'unknown', why: `${prop} is not a string` };
}

function linkFromSymbolic(b: Builder, s: string, types: readonly string[], prop: string): Link {
  const { ctx } = b;
  const ref = REF_RE.exec(s);
  if (ref) {
    const target = ctx.model.resources.get(ref[1]!)!;
    if (!types.includes(target.type)) {
      return { kind: 'unknown', why: `${prop} refers to ${target.logicalId}, a ${target.type}` };
    }
    return { kind: 'resource', resource: target, via: 'ref' };
  }
  const arn = parseRdsArn(s);
  if (arn) {
    const wanted = types.filter((t) => arnTypeOf(t) === arn.type);
    if (!wanted.length) return { kind: 'external', text: printable(s), arn: { ...arn, name: printable(arn.name) } };
    const nameRef = REF_RE.exec(arn.name);
    if (nameRef) {
      const target = ctx.model.resources.get(nameRef[1]!)!;
      if (wanted.includes(target.type)) return { kind: 'resource', resource: target, via: 'arn' };
      return { kind: 'unknown', why: `${prop} names ${target.logicalId}, a ${target.type}` };
    }
    const hit = byIdentifier(b, arn.name, wanted);
    if (hit.kind === 'resource') return { ...hit, via: 'arn' };
    if (hit.kind === 'unknown') return hit;
    return { kind: 'external', text: printable(s), arn: { ...arn, name: printable(arn.name) } };
  }
  if (s.startsWith('arn:')) return { kind: 'external', text: printable(s) };
  const hit = byIdentifier(b, s, types);
  if (hit.kind !== 'external') return hit;
  return { kind: 'external', text: printable(s) };
}

function byIdentifier(b: Builder, name: string, types: readonly string[]): Link {
  const key = name.toLowerCase();
  const hits: Resource[] = [];
  for (const t of types) hits.push(...(b.ids.get(t)?.get(key) ?? []));
  const existing = hits.filter((h) => b.ctx.exists(h) !== 'no');
  if (existing.length === 1) return { kind: 'resource', resource: existing[0]!, via: 'identifier' };
  if (existing.length > 1) {
    return { kind: 'unknown', why: `${printable(name)} matches ${existing.map((h) => h.logicalId).join(', ')}` };
  }
  if (name.includes(MARK) || types.some((t) => b.opaqueIds.has(t))) {
    return {
      kind: 'unknown',
      why: `cannot tell whether ${printable(name)} names a database of this template (an identifier is not known)`,
    };
  }
  return { kind: 'external', text: name };
}

function arnTypeOf(type: string): string {
  return type === DB_INSTANCE
    ? 'db'
    : type === DB_CLUSTER
      ? 'cluster'
      : type === GLOBAL_CLUSTER
        ? 'global-cluster'
        : '';
}

/** A symbolic string for messages: markers become `${...}`. */
export function printable(s: string): string {
  return s.replace(new RegExp(`${MARK}([^${MARK}]*)${MARK}`, 'g'), (_m, inner: string) => {
    const [kind, a, attr] = inner.split('=');
    if (kind === 'ref') return attr ? `\${${a}.${attr}}` : `\${${a}}`;
    if (kind === 'param') return `\${${a}}`;
    const pseudo: Record<string, string> = {
      region: 'AWS::Region',
      account: 'AWS::AccountId',
      partition: 'AWS::Partition',
      stack: 'AWS::StackName',
      urlsuffix: 'AWS::URLSuffix',
    };
    return `\${${pseudo[kind!] ?? kind}}`;
  });
}

/** Same-Region or cross-Region, from SourceRegion and the source's ARN (catalog 2.2.3). */
function regionRelation(b: Builder, r: Resource, sourceProp: string): { region: RegionRelation; why: string } {
  const hints: { region: string; from: string }[] = [];
  if (r.type === DB_INSTANCE && r.properties.SourceRegion !== undefined) {
    const v = b.ctx.value(r, ['Properties', 'SourceRegion']);
    const sym = symbolicString(b.ctx, r.properties.SourceRegion);
    if (sym === REGION_MARK) hints.push({ region: '<stack>', from: 'SourceRegion ${AWS::Region}' });
    else if (v.kind === 'unknown') return { region: 'unknown', why: `SourceRegion: ${v.why}` };
    else if (v.kind === 'known' && typeof v.value === 'string' && v.value !== '')
      hints.push({ region: v.value, from: `SourceRegion ${v.value}` });
  }
  const s = symbolicString(b.ctx, r.properties[sourceProp]);
  const arn = s !== undefined ? parseRdsArn(s) : undefined;
  if (arn) {
    // An ARN built from a reference to a database of this template names that database, which is in the stack's
    // Region: when the stack's Region is not configured, its literal Region is the stack's Region.
    const own = REF_RE.test(arn.name) && b.stackRegion === undefined;
    hints.push({ region: own ? '<stack>' : arn.region, from: `the source ARN's Region ${arn.region}` });
  } else if (s === undefined && sourceProp === 'ReplicationSourceIdentifier') {
    return { region: 'unknown', why: 'the ReplicationSourceIdentifier ARN is not known' };
  }
  const stack = b.stackRegion;
  let unknownHint: string | undefined;
  for (const h of hints) {
    if (h.region === '<stack>') continue;
    if (h.region.includes(MARK)) {
      unknownHint = `${h.from.replace(h.region, printable(h.region))} is not known`;
      continue;
    }
    if (stack === undefined) {
      unknownHint = `${h.from} cannot be compared with the stack's Region (set pseudoParameters.region)`;
      continue;
    }
    if (h.region !== stack) return { region: 'cross', why: `${h.from} differs from the stack's Region ${stack}` };
  }
  if (unknownHint) return { region: 'unknown', why: unknownHint };
  return {
    region: 'same',
    why: hints.length ? 'the source is in the stack Region' : 'the source is named without a Region',
  };
}

function instanceRole(b: Builder, r: Resource, engines: readonly string[] | undefined): InstanceRole {
  const { ctx } = b;
  const cluster = presence(ctx, r, 'DBClusterIdentifier');
  const auroraEngine = engines !== undefined && engines.length > 0 && engines.every((e) => e.startsWith('aurora'));
  if (cluster === 'present' || (cluster === 'absent' && auroraEngine)) {
    return { kind: 'aurora-member', cluster: resolveLink(b, r, 'DBClusterIdentifier', [DB_CLUSTER]) };
  }
  if (cluster === 'unknown')
    return { kind: 'unknown', why: 'whether DBClusterIdentifier is set depends on a condition' };
  const srcInstance = presence(ctx, r, 'SourceDBInstanceIdentifier');
  const srcCluster = presence(ctx, r, 'SourceDBClusterIdentifier');
  if (srcInstance === 'unknown' || srcCluster === 'unknown') {
    return { kind: 'unknown', why: 'whether this is a read replica depends on a condition' };
  }
  const pitr = pointInTime(ctx, r);
  if (srcCluster === 'present') {
    return { kind: 'replica', edge: edge(b, r, 'SourceDBClusterIdentifier', [DB_CLUSTER]) };
  }
  if (srcInstance === 'present') {
    if (pitr === undefined)
      return { kind: 'unknown', why: 'whether this is a point-in-time restore depends on a condition' };
    if (!pitr) return { kind: 'replica', edge: edge(b, r, 'SourceDBInstanceIdentifier', [DB_INSTANCE]) };
    return {
      kind: 'restore',
      restore: {
        property: 'SourceDBInstanceIdentifier',
        source: resolveLink(b, r, 'SourceDBInstanceIdentifier', [DB_INSTANCE]),
      },
    };
  }
  for (const prop of INSTANCE_RESTORE_PROPS) {
    const p = presence(ctx, r, prop);
    if (p === 'unknown') return { kind: 'unknown', why: `whether ${prop} is set depends on a condition` };
    if (p === 'present') return { kind: 'restore', restore: { property: prop, id: literal(ctx, r, prop) } };
  }
  return { kind: 'primary' };
}

/** true when RestoreTime or UseLatestRestorableTime: true makes this a point-in-time restore; undefined if unknown. */
function pointInTime(ctx: TemplateContext, r: Resource): boolean | undefined {
  const t = presence(ctx, r, 'RestoreTime');
  if (t === 'present') return true;
  const latest = boolAlternatives(ctx, r, 'UseLatestRestorableTime');
  if (t === 'unknown' || !latest) return undefined;
  if (latest.every((x) => x === true)) return true;
  if (latest.every((x) => x !== true)) return false;
  return undefined;
}

function literal(ctx: TemplateContext, r: Resource, prop: string): string | undefined {
  const v = ctx.value(r, ['Properties', prop]);
  return v.kind === 'known' && typeof v.value === 'string' ? v.value : undefined;
}

function edge(b: Builder, r: Resource, property: ReplicaEdge['property'], types: readonly string[]): ReplicaEdge {
  const source = resolveLink(b, r, property, types);
  const rel = regionRelation(b, r, property);
  return { replica: r, property, source, region: rel.region, regionWhy: rel.why };
}

function clusterRole(b: Builder, r: Resource, globals: readonly GlobalClusterInfo[]): ClusterRole {
  const { ctx } = b;
  const snap = presence(ctx, r, 'SnapshotIdentifier');
  const pitr = presence(ctx, r, 'SourceDBClusterIdentifier');
  const repl = presence(ctx, r, 'ReplicationSourceIdentifier');
  const global = presence(ctx, r, 'GlobalClusterIdentifier');
  for (const [p, name] of [
    [snap, 'SnapshotIdentifier'],
    [pitr, 'SourceDBClusterIdentifier'],
    [repl, 'ReplicationSourceIdentifier'],
    [global, 'GlobalClusterIdentifier'],
  ] as const) {
    if (p === 'unknown') return { kind: 'unknown', why: `whether ${name} is set depends on a condition` };
  }
  if (snap === 'present') {
    return { kind: 'restore', restore: { property: 'SnapshotIdentifier', id: literal(ctx, r, 'SnapshotIdentifier') } };
  }
  if (pitr === 'present') {
    return {
      kind: 'restore',
      restore: {
        property: 'SourceDBClusterIdentifier',
        source: resolveLink(b, r, 'SourceDBClusterIdentifier', [DB_CLUSTER]),
      },
    };
  }
  if (repl === 'present') {
    return { kind: 'replica', edge: edge(b, r, 'ReplicationSourceIdentifier', [DB_INSTANCE, DB_CLUSTER]) };
  }
  if (global === 'present') {
    const link = resolveLink(b, r, 'GlobalClusterIdentifier', [GLOBAL_CLUSTER]);
    // The cluster that seeds the global cluster is its primary, not a secondary.
    const seeds = globals.some((g) => g.source.kind === 'resource' && g.source.resource === r);
    if (!seeds) return { kind: 'global-member', global: link };
  }
  return { kind: 'primary' };
}

/** The data view of a template (memoised per template by `ctx.view(dataView)`). */
export const dataView = defineView<DataView>('data', (ctx) => {
  const region = ctx.evaluator.value({ Ref: 'AWS::Region' });
  const b: Builder = {
    ctx,
    stackRegion: region.kind === 'known' && typeof region.value === 'string' ? region.value : undefined,
    ids: new Map(),
    opaqueIds: new Set(),
  };
  const of = (type: string): readonly Resource[] => ctx.model.byType.get(type) ?? [];

  for (const type of [DB_INSTANCE, DB_CLUSTER, GLOBAL_CLUSTER, DB_SUBNET_GROUP]) {
    const prop = identifierProp(type)!;
    const index = new Map<string, Resource[]>();
    b.ids.set(type, index);
    for (const r of of(type)) {
      if (r.properties[prop] === undefined) continue; // generated name: never written in another template
      const s = symbolicString(ctx, r.properties[prop]);
      if (s === undefined) {
        b.opaqueIds.add(type);
        continue;
      }
      const key = s.toLowerCase();
      index.set(key, [...(index.get(key) ?? []), r]);
    }
  }

  const globalClusters: GlobalClusterInfo[] = of(GLOBAL_CLUSTER).map((g) => ({
    resource: g,
    source: resolveLink(b, g, 'SourceDBClusterIdentifier', [DB_CLUSTER]),
  }));

  const clusters: DbClusterInfo[] = of(DB_CLUSTER).map((r) => {
    const engines = stringAlternatives(ctx, r, 'Engine');
    const modes = stringAlternatives(ctx, r, 'EngineMode')?.map((m) => (m === 'absent' ? 'provisioned' : m));
    const aurora =
      engines === undefined
        ? undefined
        : engines.every((e) => e.startsWith('aurora'))
          ? true
          : engines.some((e) => e.startsWith('aurora'))
            ? undefined
            : false;
    const serverlessV1 =
      modes === undefined
        ? undefined
        : modes.every((m) => m === 'serverless')
          ? true
          : modes.some((m) => m === 'serverless')
            ? undefined
            : false;
    return {
      resource: r,
      role: clusterRole(b, r, globalClusters),
      engines,
      engineModes: modes,
      aurora,
      serverlessV1,
      subnetGroup: resolveLink(b, r, 'DBSubnetGroupName', [DB_SUBNET_GROUP]),
    };
  });

  const instances: DbInstanceInfo[] = of(DB_INSTANCE).map((r) => {
    const engines = stringAlternatives(ctx, r, 'Engine');
    return {
      resource: r,
      role: instanceRole(b, r, engines),
      engines,
      custom: engines !== undefined && engines.length > 0 && engines.every((e) => e.startsWith('custom-')),
      subnetGroup: resolveLink(b, r, 'DBSubnetGroupName', [DB_SUBNET_GROUP]),
    };
  });

  const subnetGroups: SubnetGroupInfo[] = of(DB_SUBNET_GROUP).map((r) => {
    const raw = r.properties.SubnetIds;
    if (!Array.isArray(raw)) {
      const v = ctx.value(r, ['Properties', 'SubnetIds']);
      if (v.kind === 'known' && Array.isArray(v.value)) {
        return { resource: r, subnets: v.value.map((x) => subnetLink(ctx, x)) };
      }
      return {
        resource: r,
        subnets: { kind: 'unknown', why: v.kind === 'unknown' ? v.why : 'SubnetIds is not a list' },
      };
    }
    const links: Link[] = [];
    for (const item of raw) {
      const v = ctx.evaluator.value(item);
      if (v.kind === 'missing') continue;
      links.push(v.kind === 'known' ? subnetLink(ctx, v.value) : { kind: 'unknown', why: v.why });
    }
    return { resource: r, subnets: links };
  });

  // Indexes.
  const instanceById = new Map(instances.map((i) => [i.resource.logicalId, i]));
  const clusterById = new Map(clusters.map((c) => [c.resource.logicalId, c]));
  const globalById = new Map(globalClusters.map((g) => [g.resource.logicalId, g]));
  const replicas = new Map<string, ReplicaEdge[]>();
  const unresolvedReplicas: ReplicaEdge[] = [];
  const addEdge = (e: ReplicaEdge) => {
    if (ctx.exists(e.replica) === 'no') return;
    if (e.source.kind === 'resource') {
      const list = replicas.get(e.source.resource.logicalId) ?? [];
      list.push(e);
      replicas.set(e.source.resource.logicalId, list);
    } else if (e.source.kind === 'unknown') unresolvedReplicas.push(e);
  };
  for (const i of instances) if (i.role.kind === 'replica') addEdge(i.role.edge);
  for (const c of clusters) if (c.role.kind === 'replica') addEdge(c.role.edge);

  const definite = new Map<string, Resource[]>();
  const maybe = new Map<string, Resource[]>();
  const unresolvedMembers: Resource[] = [];
  const push = <T>(m: Map<string, T[]>, k: string, x: T) => m.set(k, [...(m.get(k) ?? []), x]);
  for (const i of instances) {
    const r = i.resource;
    const exists = ctx.exists(r);
    if (exists === 'no') continue;
    if (i.role.kind === 'aurora-member') {
      const c = i.role.cluster;
      if (c.kind === 'resource') push(exists === 'yes' ? definite : maybe, c.resource.logicalId, r);
      else if (c.kind === 'unknown') unresolvedMembers.push(r);
    } else if (i.role.kind === 'unknown' && presence(ctx, r, 'DBClusterIdentifier') !== 'absent') {
      unresolvedMembers.push(r);
    }
  }

  const scaling = new Map<string, ReaderScaling[]>();
  const unresolvedScaling: ReaderScaling[] = [];
  for (const t of of(SCALABLE_TARGET)) {
    const exists = ctx.exists(t);
    if (exists === 'no') continue;
    const dim = ctx.value(t, ['Properties', 'ScalableDimension']);
    if (dim.kind === 'known' && dim.value !== 'rds:cluster:ReadReplicaCount') continue;
    const certainDim = dim.kind === 'known';
    const s = symbolicString(ctx, t.properties.ResourceId);
    let cluster: Link;
    if (s === undefined) cluster = { kind: 'unknown', why: 'the ResourceId of the scalable target is not known' };
    else if (!s.startsWith('cluster:')) continue;
    else cluster = linkFromSymbolic(b, s.slice('cluster:'.length), [DB_CLUSTER], 'ResourceId');
    const rs: ReaderScaling = { target: t, cluster, certain: certainDim && exists === 'yes' };
    if (cluster.kind === 'resource') push(scaling, cluster.resource.logicalId, rs);
    else if (cluster.kind === 'unknown') unresolvedScaling.push(rs);
  }

  const globalMembers = new Map<string, Resource[]>();
  for (const c of clusters) {
    const r = c.resource;
    if (ctx.exists(r) === 'no') continue;
    const link = resolveLink(b, r, 'GlobalClusterIdentifier', [GLOBAL_CLUSTER]);
    if (link.kind === 'resource') push(globalMembers, link.resource.logicalId, r);
  }

  return {
    instances,
    clusters,
    globalClusters,
    subnetGroups,
    stackRegion: b.stackRegion,
    instance: (id) => instanceById.get(id),
    cluster: (id) => clusterById.get(id),
    globalCluster: (id) => globalById.get(id),
    replicasOf: (id) => replicas.get(id) ?? [],
    unresolvedReplicas,
    membersOf: (id) => ({
      definite: definite.get(id) ?? [],
      maybe: [...(maybe.get(id) ?? []), ...unresolvedMembers],
    }),
    readerScalingOf: (id) => [...(scaling.get(id) ?? []), ...unresolvedScaling],
    globalMembersOf: (id) => globalMembers.get(id) ?? [],
  };
});

function subnetLink(ctx: TemplateContext, v: unknown): Link {
  if (v instanceof ResourceRef) {
    const r = ctx.model.resources.get(v.logicalId)!;
    return r.type === 'AWS::EC2::Subnet'
      ? { kind: 'resource', resource: r, via: 'ref' }
      : { kind: 'unknown', why: `${v.logicalId} is a ${r.type}` };
  }
  if (typeof v === 'string') return { kind: 'external', text: v };
  return { kind: 'unknown', why: 'a subnet id is not a string' };
}

// ------------------------------------------------------------------------------------------------ E(r)

/** The key that encrypts a database. */
export type KeyRef =
  /** The AWS managed key `aws/rds` (no KmsKeyId, or KmsKeyId `alias/aws/rds`). */
  | { readonly kind: 'aws-managed' }
  /** A known KmsKeyId value: a string (id, ARN, alias) or a ResourceRef to an in-template AWS::KMS::Key/Alias. */
  | { readonly kind: 'key'; readonly value: unknown }
  /** Encrypted, but the key is not known. */
  | { readonly kind: 'unknown'; readonly why: string };

/** Why a database has the encryption it has. */
export type EncryptionBasis =
  /** StorageEncrypted: true / false. */
  | 'flag'
  /** KmsKeyId without StorageEncrypted: encryption is intended. */
  | 'key-without-flag'
  /** Neither StorageEncrypted nor KmsKeyId: the RDS default, unencrypted. */
  | 'default'
  /** Aurora Serverless v1: always encrypted. */
  | 'serverless-v1'
  /** Aurora member: the cluster's encryption. */
  | 'cluster'
  /** Read replica, point-in-time restore or clone: the source's encryption. */
  | 'source'
  /** Restore from a snapshot declared in config facts (or a cluster restore with KmsKeyId). */
  | 'snapshot'
  /** Global database secondary: the global cluster's encryption. */
  | 'global'
  /** RDS Custom: encrypted with the required KmsKeyId. */
  | 'custom';

/**
 * Effective storage encryption `E(r)` of catalog 2.2.1, for `AWS::RDS::DBInstance`, `AWS::RDS::DBCluster`
 * and `AWS::RDS::GlobalCluster`.
 *
 * - `encrypted`: with `key` (the AWS managed key, a known KmsKeyId value, or unknown) and the `basis`.
 * - `unencrypted`: with the `basis` (explicit `flag: false`, the `default`, or inherited).
 * - `unknown`: `why` names the missing input (a parameter, a condition, a source outside the template, a
 *   snapshot that config does not declare).
 *
 * Aurora members take the cluster's E; read replicas follow their source (same-Region replicas use the
 * source's key, cross-Region ones their own KmsKeyId); restores are unknown unless config declares the snapshot
 * under `facts.snapshots` (`{ <snapshot id or ARN>: { encrypted: true|false, kmsKeyId? } }`); a KmsKeyId without
 * StorageEncrypted counts as encrypted (intended); Aurora Serverless v1 is always encrypted; a global database
 * secondary takes the global cluster's StorageEncrypted. Pure and memoised per template.
 */
export function effectiveEncryption(ctx: TemplateContext, r: Resource): Encryption {
  const state = ctx.view(encryptionState);
  return encryptionOf(ctx, state, r);
}

export type Encryption =
  | { readonly kind: 'encrypted'; readonly key: KeyRef; readonly basis: EncryptionBasis }
  | { readonly kind: 'unencrypted'; readonly basis: EncryptionBasis }
  | { readonly kind: 'unknown'; readonly why: string };

interface EncState {
  cache: Map<string, Encryption>;
  active: Set<string>;
}
const encryptionState = defineView<EncState>('data-encryption', () => ({ cache: new Map(), active: new Set() }));

const unknownE = (why: string): Encryption => ({ kind: 'unknown', why });

function encryptionOf(ctx: TemplateContext, st: EncState, r: Resource): Encryption {
  const hit = st.cache.get(r.logicalId);
  if (hit) return hit;
  if (st.active.has(r.logicalId)) return unknownE(`the replication chain through ${r.logicalId} is circular`);
  st.active.add(r.logicalId);
  let e: Encryption;
  try {
    e =
      r.type === DB_INSTANCE
        ? instanceEncryption(ctx, st, r)
        : r.type === DB_CLUSTER
          ? clusterEncryption(ctx, st, r)
          : r.type === GLOBAL_CLUSTER
            ? globalEncryption(ctx, st, r)
            : unknownE(`${r.logicalId} is not an RDS database`);
  } finally {
    st.active.delete(r.logicalId);
  }
  st.cache.set(r.logicalId, e);
  return e;
}

function ownKey(ctx: TemplateContext, r: Resource): KeyRef | undefined {
  const alts = keyAlternatives(ctx, r);
  const first = alts[0]!;
  if (alts.some((a) => a.kind !== first.kind)) return { kind: 'unknown', why: 'KmsKeyId depends on a condition' };
  if (first.kind === 'absent') return undefined;
  if (first.kind === 'unknown') return { kind: 'unknown', why: first.why };
  const values = alts.map((a) => (a as { value: unknown }).value);
  if (values.some((v) => !sameKey(v, values[0]))) return { kind: 'unknown', why: 'KmsKeyId depends on a condition' };
  return isAwsManagedRdsKey(values[0]) ? { kind: 'aws-managed' } : { kind: 'key', value: values[0] };
}

/** Whether two KmsKeyId values certainly name the same key (in-template keys by logical id, strings exactly). */
export function sameKey(a: unknown, b: unknown): boolean {
  if (a instanceof ResourceRef && b instanceof ResourceRef) return a.logicalId === b.logicalId;
  return typeof a === 'string' && typeof b === 'string' && a.trim() === b.trim();
}

function fromSource(
  ctx: TemplateContext,
  st: EncState,
  link: Link,
  what: string,
  factsLookup = true,
): Encryption | undefined {
  if (link.kind === 'resource') {
    if (ctx.exists(link.resource) === 'no') return unknownE(`${what} ${link.resource.logicalId} does not exist`);
    return encryptionOf(ctx, st, link.resource);
  }
  if (link.kind === 'external' && factsLookup) {
    const fact = snapshotFact(ctx, link.text);
    if (fact) return fact;
    return unknownE(`${what} ${link.text} is outside the template (declare it under facts.snapshots)`);
  }
  if (link.kind === 'external') return unknownE(`${what} ${link.text} is outside the template`);
  if (link.kind === 'unknown') return unknownE(link.why);
  return undefined;
}

/** Encryption of a snapshot (or restore source) declared in config: `facts.snapshots[<id or ARN>]`. */
export function snapshotFact(ctx: TemplateContext, id: string): Encryption | undefined {
  const snaps = ctx.config.facts.snapshots;
  if (!isRecord(snaps)) return undefined;
  const name = id.startsWith('arn:') ? id.split(':').slice(6).join(':') : id;
  let fact: unknown;
  for (const [k, v] of Object.entries(snaps)) {
    const kName = k.startsWith('arn:') ? k.split(':').slice(6).join(':') : k;
    if (k === id || (!(k.startsWith('arn:') && id.startsWith('arn:')) && kName === name)) {
      fact = v;
      break;
    }
  }
  if (!isRecord(fact)) return undefined;
  const enc = toBool(fact.encrypted);
  if (enc === undefined) return undefined;
  if (!enc) return { kind: 'unencrypted', basis: 'snapshot' };
  const key = fact.kmsKeyId;
  return {
    kind: 'encrypted',
    basis: 'snapshot',
    key:
      typeof key === 'string'
        ? isAwsManagedRdsKey(key)
          ? { kind: 'aws-managed' }
          : { kind: 'key', value: key }
        : { kind: 'unknown', why: `the key of snapshot ${id} is not declared` },
  };
}

function instanceEncryption(ctx: TemplateContext, st: EncState, r: Resource): Encryption {
  const info = ctx.view(dataView).instance(r.logicalId);
  if (!info) return unknownE(`${r.logicalId} is not a DB instance`);
  const role = info.role;
  switch (role.kind) {
    case 'unknown':
      return unknownE(role.why);
    case 'aurora-member': {
      const e = fromSource(ctx, st, role.cluster, 'cluster', false);
      if (!e) return unknownE('the Aurora member names no cluster');
      return e.kind === 'unknown' ? e : { ...e, basis: 'cluster' };
    }
    case 'replica':
      return replicaEncryption(ctx, st, r, role.edge);
    case 'restore':
      return instanceRestoreEncryption(ctx, st, r, role.restore);
    case 'primary':
      if (info.custom) {
        const k = ownKey(ctx, r);
        return k ? { kind: 'encrypted', key: k, basis: 'custom' } : unknownE('RDS Custom requires KmsKeyId');
      }
      return primaryEncryption(ctx, r);
  }
}

function replicaEncryption(ctx: TemplateContext, st: EncState, r: Resource, e: ReplicaEdge): Encryption {
  const src = fromSource(ctx, st, e.source, 'source', false);
  if (!src) return unknownE('the replica names no source');
  if (src.kind !== 'encrypted') return src.kind === 'unknown' ? src : { ...src, basis: 'source' };
  if (e.region === 'same') return { ...src, basis: 'source' };
  const own = ownKey(ctx, r);
  return {
    kind: 'encrypted',
    basis: 'source',
    key: own ?? { kind: 'unknown', why: 'a cross-Region replica without KmsKeyId' },
  };
}

function instanceRestoreEncryption(ctx: TemplateContext, st: EncState, r: Resource, rs: RestoreSource): Encryption {
  let e: Encryption | undefined;
  if (rs.source) {
    e = fromSource(ctx, st, rs.source, 'restore source');
    if (e && e.kind !== 'unknown') e = { ...e, basis: 'source' };
  } else if (rs.id !== undefined) {
    e =
      snapshotFact(ctx, rs.id) ??
      unknownE(`restored from ${rs.id}, whose encryption is not declared in config (facts.snapshots)`);
  } else {
    e = unknownE(`restored from a ${rs.property} that is not known`);
  }
  if (!e) return unknownE('restore source is not known');
  if (e.kind === 'unencrypted') {
    // The CloudFormation claim that StorageEncrypted + KmsKeyId encrypt an instance restore is not backed by the
    // RDS API (catalog 2.2.1, Appendix B): the outcome stays unknown.
    const flag = boolAlternatives(ctx, r, 'StorageEncrypted');
    const key = keyAlternatives(ctx, r);
    if (!flag || flag.some((f) => f === true) || key.some((k) => k.kind !== 'absent')) {
      return unknownE(
        'restored from an unencrypted source with StorageEncrypted/KmsKeyId set (not backed by the RDS API)',
      );
    }
  }
  return e;
}

function clusterEncryption(ctx: TemplateContext, st: EncState, r: Resource): Encryption {
  const info = ctx.view(dataView).cluster(r.logicalId);
  if (!info) return unknownE(`${r.logicalId} is not a DB cluster`);
  const serverless: Encryption = {
    kind: 'encrypted',
    key: ownKey(ctx, r) ?? { kind: 'aws-managed' },
    basis: 'serverless-v1',
  };
  if (info.serverlessV1 === true) return serverless;
  const e = clusterEncryptionNotServerless(ctx, st, r, info);
  if (info.serverlessV1 === false) return e;
  if (e.kind === 'encrypted') return e;
  return unknownE(info.engineModes === undefined ? 'EngineMode is not known' : 'EngineMode depends on a condition');
}

function clusterEncryptionNotServerless(
  ctx: TemplateContext,
  st: EncState,
  r: Resource,
  info: DbClusterInfo,
): Encryption {
  const role = info.role;
  switch (role.kind) {
    case 'unknown':
      return unknownE(role.why);
    case 'restore': {
      if (role.restore.source) {
        const e = fromSource(ctx, st, role.restore.source, 'restore source') ?? unknownE('restore source is not known');
        if (e.kind !== 'encrypted') return e.kind === 'unknown' ? e : { ...e, basis: 'source' };
        return { kind: 'encrypted', key: ownKey(ctx, r) ?? e.key, basis: 'source' };
      }
      // RestoreDBClusterFromSnapshot accepts a key and encrypts an unencrypted snapshot.
      const own = ownKey(ctx, r);
      if (own) return { kind: 'encrypted', key: own, basis: 'snapshot' };
      if (keyAlternatives(ctx, r).some((k) => k.kind !== 'absent')) return unknownE('KmsKeyId depends on a condition');
      if (role.restore.id === undefined) return unknownE('the SnapshotIdentifier is not known');
      const fact = snapshotFact(ctx, role.restore.id);
      if (!fact)
        return unknownE(
          `restored from ${role.restore.id}, whose encryption is not declared in config (facts.snapshots)`,
        );
      return fact;
    }
    case 'replica': {
      const src = fromSource(ctx, st, role.edge.source, 'source', false) ?? unknownE('the replica names no source');
      if (src.kind !== 'encrypted') return src.kind === 'unknown' ? src : { ...src, basis: 'source' };
      const own = ownKey(ctx, r);
      return {
        kind: 'encrypted',
        basis: 'source',
        key:
          role.edge.region === 'same'
            ? src.key
            : (own ?? { kind: 'unknown', why: 'a cross-Region replica without KmsKeyId' }),
      };
    }
    case 'global-member': {
      const own = primaryEncryption(ctx, r);
      const declares =
        presence(ctx, r, 'StorageEncrypted') !== 'absent' || keyAlternatives(ctx, r).some((k) => k.kind !== 'absent');
      if (role.global.kind === 'resource') {
        const g = encryptionOf(ctx, st, role.global.resource);
        if (g.kind === 'encrypted')
          return { kind: 'encrypted', key: ownKey(ctx, r) ?? { kind: 'aws-managed' }, basis: 'global' };
        if (g.kind === 'unencrypted' && g.basis !== 'default') return { kind: 'unencrypted', basis: 'global' };
        if (g.kind === 'unknown' && !declares) return g;
      }
      if (declares) return own;
      return unknownE('a global database member may take its encryption from the global cluster');
    }
    case 'primary':
      return primaryEncryption(ctx, r);
  }
}

/** E of an AWS::RDS::GlobalCluster: its StorageEncrypted, else its source cluster's; 'default' when neither. */
function globalEncryption(ctx: TemplateContext, st: EncState, g: Resource): Encryption {
  const flag = boolAlternatives(ctx, g, 'StorageEncrypted');
  if (!flag || flag.length !== 1) return unknownE('the global cluster StorageEncrypted is not known');
  if (flag[0] === true)
    return { kind: 'encrypted', key: { kind: 'unknown', why: 'set by each member' }, basis: 'flag' };
  if (flag[0] === false) return { kind: 'unencrypted', basis: 'flag' };
  const info = ctx.view(dataView).globalCluster(g.logicalId);
  if (info && info.source.kind !== 'absent') {
    const e = fromSource(ctx, st, info.source, 'global cluster source', false) ?? unknownE('source not known');
    return e.kind === 'unknown' ? e : { ...e, basis: 'source' };
  }
  return { kind: 'unencrypted', basis: 'default' };
}

/** StorageEncrypted/KmsKeyId logic of a primary (instance or cluster), judged per scenario of unknown conditions. */
function primaryEncryption(ctx: TemplateContext, r: Resource): Encryption {
  const results: Encryption[] = [];
  for (const { flag: f, key: k, why } of flagCombos(ctx, r)) {
    if (f === undefined) return unknownE(why ?? 'StorageEncrypted is not known');
    const key: KeyRef =
      k.kind === 'absent'
        ? { kind: 'aws-managed' }
        : k.kind === 'unknown'
          ? { kind: 'unknown', why: k.why }
          : isAwsManagedRdsKey(k.value)
            ? { kind: 'aws-managed' }
            : { kind: 'key', value: k.value };
    if (f === true) results.push({ kind: 'encrypted', key, basis: 'flag' });
    else if (f === false)
      results.push(
        k.kind === 'absent'
          ? { kind: 'unencrypted', basis: 'flag' }
          : unknownE('StorageEncrypted: false contradicts KmsKeyId'),
      );
    else if (k.kind !== 'absent') results.push({ kind: 'encrypted', key, basis: 'key-without-flag' });
    else results.push({ kind: 'unencrypted', basis: 'default' });
  }
  return merge(results);
}

function merge(results: Encryption[]): Encryption {
  const first = results[0]!;
  if (results.length === 1) return first;
  if (results.some((x) => x.kind === 'unknown')) return results.find((x) => x.kind === 'unknown')!;
  if (results.some((x) => x.kind !== first.kind)) return unknownE('encryption depends on a condition');
  if (first.kind === 'encrypted') {
    const keys = results.map((x) => (x as { key: KeyRef }).key);
    const same = keys.every(
      (k) => k.kind === keys[0]!.kind && (k.kind !== 'key' || sameKey(k.value, (keys[0] as { value: unknown }).value)),
    );
    return same
      ? first
      : { kind: 'encrypted', key: { kind: 'unknown', why: 'KmsKeyId depends on a condition' }, basis: first.basis };
  }
  return first;
}

/** Human name of a database resource type. */
export function dbKind(r: Resource): string {
  return r.type === DB_CLUSTER ? 'DB cluster' : r.type === GLOBAL_CLUSTER ? 'global cluster' : 'DB instance';
}

// ------------------------------------------------------------------------------------------------ HA of primaries

/** What `rds-read-replicas-not-ha` concludes about a standalone primary that is not Multi-AZ (catalog 2.3.2). */
export interface ReplicaHa {
  readonly outcome: 'replicas-instead-of-multi-az' | 'dr-replica-only' | 'none' | 'unknown';
  /** Instance replicas that certainly exist, by Region relation. */
  readonly same: readonly ReplicaEdge[];
  readonly cross: readonly ReplicaEdge[];
  /** Why the outcome is unknown. */
  readonly why?: string;
}

/**
 * The DB instance read replicas of a standalone primary P (instances whose SourceDBInstanceIdentifier resolves to
 * P), classified by Region. Shared by `rds-read-replicas-not-ha` and `rds-multi-az-production`, which stays silent
 * when the former reports.
 */
export function replicaHa(ctx: TemplateContext, p: Resource): ReplicaHa {
  const view = ctx.view(dataView);
  const same: ReplicaEdge[] = [];
  const cross: ReplicaEdge[] = [];
  const doubts: string[] = [];
  for (const e of view.replicasOf(p.logicalId)) {
    if (e.replica.type !== DB_INSTANCE || e.property !== 'SourceDBInstanceIdentifier') continue;
    const exists = ctx.exists(e.replica);
    if (exists === 'maybe') {
      doubts.push(`replica ${e.replica.logicalId} exists only when condition ${e.replica.condition} holds`);
      continue;
    }
    if (e.region === 'same') same.push(e);
    else if (e.region === 'cross') cross.push(e);
    else doubts.push(`the Region of replica ${e.replica.logicalId} is not known: ${e.regionWhy}`);
  }
  for (const e of view.unresolvedReplicas) {
    if (e.replica.type === DB_INSTANCE && e.property === 'SourceDBInstanceIdentifier' && e.source.kind === 'unknown')
      doubts.push(`replica ${e.replica.logicalId} may replicate ${p.logicalId}: ${e.source.why}`);
  }
  if (same.length) return { outcome: 'replicas-instead-of-multi-az', same, cross };
  if (doubts.length) return { outcome: 'unknown', same, cross, why: doubts[0] };
  if (cross.length) return { outcome: 'dr-replica-only', same, cross };
  return { outcome: 'none', same, cross };
}
