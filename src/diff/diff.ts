/**
 * Resource-level diff between the deployed template (baseline) and the new one (catalog 2.5): matching by
 * logical id and type, renames, removals, property changes judged by the update-behaviour table, and the
 * replacement cascade to a fixed point. Pure; the only lazily loaded dependency is cloudformation-diff.
 */
import { isRecord } from '../parse/parse';
import type { TemplateContext } from '../engine/context';
import type { Resource } from '../model/template';
import { ResourceRef, type Value } from '../model/values';
import type { PathSegment } from '../types';
import { NAME_PROPERTIES, STATEFUL_TYPES, SUBNET_GROUP_TYPES } from '../data/stateful';
import { cfnDiffImpacts, installedSpecVersion, type CfnImpact } from './cfn-diff';
import { SPEC_VERSION } from './update-table.generated';
import {
  carriesSecret,
  cfnEqual,
  compareValues,
  display,
  masked,
  rawEqual,
  secretValues,
  show,
  type Compared,
} from './compare';
import {
  curatedFor,
  curatedProperties,
  DOCUMENTED_DEFAULTS,
  moreSevere,
  specBehaviour,
  specPropertyBehaviour,
  BEHAVIOUR_RANK,
  type Behaviour,
} from './update-behaviour';
import type {
  Cascade,
  DiffUnknown,
  PropertyChange,
  Rename,
  Replacement,
  ResourcePair,
  Stranded,
  TemplateDiff,
  TypeChange,
} from './types';

export interface DiffOptions {
  /**
   * Merge the replacement impact that @aws-cdk/cloudformation-diff reads from the installed service specification.
   * 'auto' (the default) does so only when the installed specification is not the one the table was generated
   * from: with the same specification both give the same verdicts (a test checks every property), and loading
   * the specification costs about half a second.
   */
  cloudFormationDiff?: boolean | 'auto';
}

let specDiffers: boolean | undefined;
function useCfnDiff(opt: DiffOptions['cloudFormationDiff']): boolean {
  if (opt === true || opt === false) return opt;
  return (specDiffers ??= installedSpecVersion() !== SPEC_VERSION);
}

/** Identity threshold for a rename without an explicit name (catalog 2.5.3). */
export const RENAME_SIMILARITY = 0.8;

const props = (r: Resource, p: string): unknown => r.properties[p];

/** The concrete values at a nested spec path ('*' = every item), keyed by the item indexes. */
function leaves(v: unknown, path: readonly string[], key = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (!path.length) {
    out.set(key, v);
    return out;
  }
  const [seg, ...rest] = path;
  if (seg === '*') {
    if (Array.isArray(v)) v.forEach((x, i) => leaves(x, rest, `${key}/${i}`, out));
    else if (isRecord(v)) for (const [k, x] of Object.entries(v)) leaves(x, rest, `${key}/${k}`, out);
    return out;
  }
  if (isRecord(v) && Object.prototype.hasOwnProperty.call(v, seg!)) leaves(v[seg!], rest, `${key}/${seg}`, out);
  return out;
}

/** Compute the diff. `base` is the baseline's template context, `next` the new template's. */
export function computeDiff(base: TemplateContext, next: TemplateContext, opts: DiffOptions = {}): TemplateDiff {
  const B = base.model;
  const N = next.model;
  const secrets = [...secretValues(B, base.evaluator), ...secretValues(N, next.evaluator)];
  const shown = (side: 'baseline' | 'new', raw: unknown, v: Value): string =>
    display(raw, v, side === 'baseline' ? B : N, secrets);

  const pairs = new Map<string, ResourcePair>();
  const typeChanges: TypeChange[] = [];
  let removals: Resource[] = [];
  let additions: Resource[] = [];
  const unknowns: DiffUnknown[] = [];
  const condWhy = (r: Resource) => `resource exists only when condition ${r.condition} holds`;

  // ------------------------------------------------------------------------ matching by logical id and type
  const candidates: [Resource, Resource][] = [];
  for (const r of N.resources.values()) {
    const eN = next.exists(r);
    const b = B.resources.get(r.logicalId);
    const eB = b ? base.exists(b) : 'no';
    if (!b || eB === 'no') {
      if (eN !== 'no') additions.push(r);
      continue;
    }
    if (eB === 'maybe' || eN === 'maybe') {
      const side = eB === 'maybe' ? 'baseline' : 'new';
      unknowns.push({ logicalId: r.logicalId, side, path: [], why: condWhy(eB === 'maybe' ? b : r) });
      continue;
    }
    if (eN === 'no') {
      removals.push(b);
      continue;
    }
    if (b.type !== r.type) {
      typeChanges.push({ logicalId: r.logicalId, old: b, new: r });
      continue;
    }
    candidates.push([b, r]);
  }
  for (const b of B.resources.values()) {
    if (N.resources.has(b.logicalId)) continue;
    const eB = base.exists(b);
    if (eB === 'yes') removals.push(b);
    else if (eB === 'maybe') unknowns.push({ logicalId: b.logicalId, side: 'baseline', path: [], why: condWhy(b) });
  }

  // ------------------------------------------------------------------------ renames (stateful types)
  const removedIds = new Set(removals.map((r) => r.logicalId));
  const addedIds = new Set(additions.map((r) => r.logicalId));
  const sameRef = (a: unknown, b: unknown): boolean => {
    if (a instanceof ResourceRef && b instanceof ResourceRef) {
      if (a.attribute !== b.attribute) return false;
      if (a.logicalId === b.logicalId) return true;
      // Both sides of a possible rename (moved together in a CDK construct tree).
      return (
        removedIds.has(a.logicalId) &&
        addedIds.has(b.logicalId) &&
        B.resources.get(a.logicalId)?.type === N.resources.get(b.logicalId)?.type
      );
    }
    if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameRef(x, b[i]));
    if (isRecord(a) && isRecord(b) && !(a instanceof ResourceRef) && !(b instanceof ResourceRef)) {
      const ka = Object.keys(a);
      return ka.length === Object.keys(b).length && ka.every((k) => k in b && sameRef(a[k], b[k]));
    }
    return cfnEqual(a, b);
  };
  const renameScores: { old: Resource; new: Resource; by: 'name' | 'similarity'; score: number }[] = [];
  for (const old of removals) {
    if (!STATEFUL_TYPES.has(old.type)) continue;
    const nameProp = NAME_PROPERTIES[old.type];
    for (const added of N.byType.get(old.type) ?? []) {
      if (!addedIds.has(added.logicalId)) continue;
      if (nameProp && (props(old, nameProp) !== undefined || props(added, nameProp) !== undefined)) {
        const c = compareValues(
          props(old, nameProp),
          props(added, nameProp),
          base.value(old, ['Properties', nameProp]),
          next.value(added, ['Properties', nameProp]),
        );
        if (c.status === 'same') {
          renameScores.push({ old, new: added, by: 'name', score: 2 });
          continue;
        }
        if (props(old, nameProp) !== undefined && props(added, nameProp) !== undefined) continue;
      }
      const keys = new Set([...Object.keys(old.properties), ...Object.keys(added.properties)]);
      let equal = 0;
      for (const k of keys) {
        const a = base.value(old, ['Properties', k]);
        const b = next.value(added, ['Properties', k]);
        if (
          a.kind === 'known' && b.kind === 'known'
            ? sameRef(a.value, b.value)
            : rawEqual(props(old, k), props(added, k))
        )
          equal++;
      }
      const score = keys.size ? equal / keys.size : 1;
      if (score >= RENAME_SIMILARITY) renameScores.push({ old, new: added, by: 'similarity', score });
    }
  }
  renameScores.sort((a, b) => b.score - a.score);
  const renames: Rename[] = [];
  const usedOld = new Set<string>();
  const usedNew = new Set<string>();
  for (const s of renameScores) {
    if (usedOld.has(s.old.logicalId) || usedNew.has(s.new.logicalId)) continue;
    usedOld.add(s.old.logicalId);
    usedNew.add(s.new.logicalId);
    renames.push({ old: s.old, new: s.new, by: s.by, similarity: Math.min(1, s.score) });
  }
  removals = removals.filter((r) => !usedOld.has(r.logicalId));
  additions = additions.filter((r) => !usedNew.has(r.logicalId));

  // ------------------------------------------------------------------------ property changes
  // SAM types are macros (expanded before deployment); the table leaves them out, and so does the cross-check.
  const textChanged = candidates
    .filter(([b, r]) => !r.type.startsWith('AWS::Serverless::') && !rawEqual(b.properties, r.properties))
    .map(([, r]) => r.logicalId);
  const impacts =
    textChanged.length && useCfnDiff(opts.cloudFormationDiff)
      ? cfnDiffImpacts(B.template, N.template, textChanged)
      : undefined;

  for (const [b, r] of candidates) {
    const changes = propertyChanges(b, r, impacts?.get(r.logicalId));
    pairs.set(r.logicalId, { logicalId: r.logicalId, type: r.type, old: b, new: r, changes });
  }

  function propertyChanges(b: Resource, r: Resource, cfn: Map<string, CfnImpact> | undefined): PropertyChange[] {
    const spec = specBehaviour(r.type);
    const present = new Set([...Object.keys(r.properties), ...Object.keys(b.properties)]);
    const wanted = new Set<string>();
    for (const p of present) {
      if (spec.replacement.has(p) || spec.conditional.has(p) || spec.nested.has(p) || cfn?.has(p)) wanted.add(p);
    }
    for (const p of curatedProperties(r.type)) if (present.has(p)) wanted.add(p);
    const out: PropertyChange[] = [];
    for (const prop of wanted) {
      const rawB = b.properties[prop];
      const rawN = r.properties[prop];
      const vB = base.value(b, ['Properties', prop]);
      const vN = next.value(r, ['Properties', prop]);
      const c = compareValues(rawB, rawN, vB, vN, DOCUMENTED_DEFAULTS[r.type]?.[prop]);
      const path: PathSegment[] = rawN !== undefined ? ['Properties', prop] : ['Properties'];
      const baselinePath: PathSegment[] = rawB !== undefined ? ['Properties', prop] : ['Properties'];
      if (c.status !== 'same') {
        const change = judge(b, r, prop, c, vB, vN, cfn?.get(prop));
        if (change) {
          out.push({
            property: prop,
            path: r.node.Properties === undefined ? [] : path,
            baselinePath: b.node.Properties === undefined ? [] : baselinePath,
            ...change,
            status: change.status,
            old: shown('baseline', rawB, vB),
            new: shown('new', rawN, vN),
            oldValue: vB,
            newValue: vN,
          });
          if (change.status !== 'unknown' && BEHAVIOUR_RANK[change.behaviour] >= BEHAVIOUR_RANK.Replacement) continue;
        }
      }
      // Nested create-only fields below an updatable property.
      for (const n of spec.nested.get(prop) ?? []) {
        if (vB.kind === 'missing' || vN.kind === 'missing') continue;
        if (vB.kind !== 'known' || vN.kind !== 'known') {
          if (!rawEqual(rawB, rawN) && n.behaviour === 'Replacement')
            out.push({
              property: prop,
              subPath: n.path,
              path,
              baselinePath,
              behaviour: n.behaviour,
              source: 'specification',
              status: 'unknown',
              why: vN.kind === 'unknown' ? `new value: ${vN.why}` : `baseline value: ${(vB as { why?: string }).why}`,
              old: shown('baseline', rawB, vB),
              new: shown('new', rawN, vN),
              oldValue: vB,
              newValue: vN,
            });
          continue;
        }
        const lb = leaves(vB.value, n.path);
        const ln = leaves(vN.value, n.path);
        for (const [k, x] of lb) {
          if (!ln.has(k) || cfnEqual(x, ln.get(k))) continue;
          const concrete = k
            .split('/')
            .slice(1)
            .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
          out.push({
            property: prop,
            subPath: n.path,
            path: [...path, ...concrete],
            baselinePath: [...baselinePath, ...concrete],
            behaviour: n.behaviour,
            source: 'specification',
            status: 'changed',
            old: carriesSecret(rawB, B) ? '****' : masked(show(x), secrets),
            new: carriesSecret(rawN, N) ? '****' : masked(show(ln.get(k)), secrets),
            oldValue: { kind: 'known', value: x },
            newValue: { kind: 'known', value: ln.get(k) },
          });
          break;
        }
      }
    }
    return out;
  }

  /** The verdict for a changed top-level property; undefined when the change is a plain in-place update. */
  function judge(
    b: Resource,
    r: Resource,
    prop: string,
    c: Compared,
    vB: Value,
    vN: Value,
    cfn: CfnImpact | undefined,
  ): Pick<PropertyChange, 'behaviour' | 'source' | 'note' | 'event' | 'status' | 'why' | 'textual'> | undefined {
    let behaviour: Behaviour = specPropertyBehaviour(r.type, prop);
    let source: PropertyChange['source'] = 'specification';
    let note: string | undefined;
    let event: PropertyChange['event'];
    let status = c.status as 'changed' | 'textual' | 'unknown';
    let why = c.why;
    if (cfn && moreSevere(cfn, behaviour) !== behaviour) {
      behaviour = cfn;
      source = 'cloudformation-diff';
    }
    const curated = curatedFor(r.type, prop).sort((x, y) => (x.mode === y.mode ? 0 : x.mode === 'override' ? -1 : 1));
    if (status !== 'unknown') {
      for (const entry of curated) {
        const v = entry.judge({
          property: prop,
          old: vB,
          new: vN,
          oldProp: (name) => base.value(b, ['Properties', name]),
          newProp: (name) => next.value(r, ['Properties', name]),
        });
        if (!v) continue;
        if (v.behaviour === 'Unknown') {
          status = 'unknown';
          why = v.why;
          break;
        }
        if (entry.mode === 'override' || moreSevere(v.behaviour, behaviour) !== behaviour) {
          behaviour = v.behaviour;
          source = 'curated';
          note = v.note;
          event = v.event;
        }
      }
    } else if (behaviour === 'InPlace' && curated.length) {
      // An unknown value of a property the curated list may judge: report the unknown outcome.
      behaviour = 'Conditional';
    }
    if (behaviour === 'InPlace' && event !== 'promotion') return undefined;
    return { behaviour, source, note, event, status, why, textual: c.textual };
  }

  // ------------------------------------------------------------------------ replacements and the cascade
  const replacements = new Map<string, Replacement>();
  const anchors: string[] = [];
  for (const pair of pairs.values()) {
    // The explicit name last: a name change only allows a replacement that another property causes.
    const nameProp = NAME_PROPERTIES[pair.type];
    const causes = pair.changes
      .filter((c) => c.status === 'changed' && c.behaviour === 'Replacement')
      .sort((a, b) => Number(a.property === nameProp) - Number(b.property === nameProp));
    if (!causes.length) continue;
    replacements.set(pair.logicalId, {
      logicalId: pair.logicalId,
      pair,
      causes,
      vpcMove: pair.type === 'AWS::EC2::VPC' ? pair.logicalId : undefined,
    });
    anchors.push(pair.logicalId);
  }
  const cascades = new Map<string, Cascade>();
  for (const anchor of anchors) {
    const visited = new Set([anchor]);
    const queue = [anchor];
    const replaced: string[] = [];
    const stranded: Stranded[] = [];
    const vpcOf = new Map<string, string | undefined>([[anchor, replacements.get(anchor)!.vpcMove]]);
    while (queue.length) {
      const target = queue.shift()!;
      for (const e of next.graph.referrers(target)) {
        if (e.kind === 'DependsOn' || e.path[0] !== 'Properties' || typeof e.path[1] !== 'string') continue;
        const x = e.from;
        if (visited.has(x)) continue;
        const pair = pairs.get(x);
        if (!pair) continue;
        const prop = e.path[1];
        if (refBehaviour(pair.type, e.path.slice(1)) === 'Replacement') {
          visited.add(x);
          replaced.push(x);
          queue.push(x);
          const vpc = vpcOf.get(target);
          vpcOf.set(x, vpc);
          if (!replacements.has(x))
            replacements.set(x, { logicalId: x, pair, causes: [], via: { property: prop, target }, vpcMove: vpc });
          continue;
        }
        const vpc = vpcOf.get(target);
        if (SUBNET_GROUP_TYPES[pair.type] === prop && vpc) {
          visited.add(x);
          stranded.push({
            logicalId: x,
            reason: `its subnets move to the new VPC that replaces '${vpc}', and a subnet group in use cannot move to another VPC`,
          });
          for (const u of next.graph.referrers(x)) {
            const user = pairs.get(u.from);
            if (!user || visited.has(u.from) || !STATEFUL_TYPES.has(user.type) || u.kind === 'DependsOn') continue;
            visited.add(u.from);
            stranded.push({
              logicalId: u.from,
              reason: `it uses subnet group '${x}', whose subnets move to the new VPC; an existing database or cache cannot move to another VPC, so the update fails or the data store has to be recreated`,
            });
          }
        }
      }
    }
    if (replaced.length || stranded.length) cascades.set(anchor, { anchor, replaced, stranded });
  }

  /** Behaviour of a change of the value at `path` (property first) caused by a replaced reference target. */
  function refBehaviour(type: string, path: readonly PathSegment[]): Behaviour {
    const prop = String(path[0]);
    const spec = specBehaviour(type);
    if (spec.replacement.has(prop)) return 'Replacement';
    const rest = path.slice(1);
    for (const n of spec.nested.get(prop) ?? []) {
      if (n.behaviour !== 'Replacement' || n.path.length > rest.length) continue;
      if (n.path.every((s, i) => s === '*' || s === String(rest[i]))) return 'Replacement';
    }
    for (const entry of curatedFor(type, prop)) {
      const ref = { kind: 'known', value: new ResourceRef('x') } as const;
      const v = entry.judge({
        property: prop,
        old: ref,
        new: { kind: 'known', value: new ResourceRef('y') },
        oldProp: () => ({ kind: 'missing' }),
        newProp: () => ({ kind: 'missing' }),
      });
      if (v && v.behaviour === 'Replacement') return 'Replacement';
    }
    return 'InPlace';
  }

  return {
    pairs,
    replacements,
    cascades,
    typeChanges,
    renames,
    removals,
    additions,
    unknowns,
    compare(pair, property) {
      const c = compareValues(
        pair.old.properties[property],
        pair.new.properties[property],
        base.value(pair.old, ['Properties', property]),
        next.value(pair.new, ['Properties', property]),
      );
      return { status: c.status, why: c.why };
    },
    show(side, resource, property) {
      const ctx = side === 'baseline' ? base : next;
      return shown(side, resource.properties[property], ctx.value(resource, ['Properties', property]));
    },
  };
}
