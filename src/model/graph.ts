import { isRecord } from '../parse/parse';
import type { PathSegment } from '../types';
import type { TemplateModel } from './template';

export type EdgeKind = 'Ref' | 'GetAtt' | 'Sub' | 'DependsOn';

export interface Edge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  readonly attribute?: string;
  /** Path below the referring resource's node where the reference is written. */
  readonly path: readonly PathSegment[];
}

/** Reference graph of a template: forward (what a resource refers to) and reverse (who refers to it). */
export class ReferenceGraph {
  private readonly out = new Map<string, Edge[]>();
  private readonly in = new Map<string, Edge[]>();

  constructor(model: TemplateModel) {
    for (const r of model.resources.values()) {
      const add = (e: Edge): void => {
        if (!model.resources.has(e.to)) return;
        push(this.out, e.from, e);
        push(this.in, e.to, e);
      };
      r.dependsOn.forEach((d, i) =>
        add({
          from: r.logicalId,
          to: d,
          kind: 'DependsOn',
          path: Array.isArray(r.node.DependsOn) ? ['DependsOn', i] : ['DependsOn'],
        }),
      );
      for (const key of ['Properties', 'Metadata'] as const) {
        if (r.node[key] !== undefined) walk(r.node[key], [key], r.logicalId, add);
      }
    }
  }

  /** Edges from a resource to the resources it refers to. */
  references(logicalId: string): readonly Edge[] {
    return this.out.get(logicalId) ?? [];
  }

  /** Edges from other resources to this one. */
  referrers(logicalId: string): readonly Edge[] {
    return this.in.get(logicalId) ?? [];
  }
}

function push(m: Map<string, Edge[]>, k: string, e: Edge): void {
  const list = m.get(k);
  if (list) list.push(e);
  else m.set(k, [e]);
}

function walk(node: unknown, path: PathSegment[], from: string, add: (e: Edge) => void): void {
  if (Array.isArray(node)) {
    node.forEach((x, i) => walk(x, [...path, i], from, add));
    return;
  }
  if (!isRecord(node)) return;
  const keys = Object.keys(node);
  if (keys.length === 1) {
    const k = keys[0]!;
    const v = node[k];
    if (k === 'Ref' && typeof v === 'string') {
      add({ from, to: v, kind: 'Ref', path });
      return;
    }
    if (k === 'Fn::GetAtt') {
      const [id, attr] = Array.isArray(v) ? v : typeof v === 'string' ? v.split(/\.(.*)/s) : [];
      if (typeof id === 'string')
        add({ from, to: id, kind: 'GetAtt', attribute: typeof attr === 'string' ? attr : undefined, path });
      if (Array.isArray(v)) walk(v[1], [...path, k, 1], from, add);
      return;
    }
    if (k === 'Fn::Sub') {
      const tpl = typeof v === 'string' ? v : Array.isArray(v) ? v[0] : undefined;
      const vars = Array.isArray(v) && isRecord(v[1]) ? v[1] : {};
      if (typeof tpl === 'string') {
        for (const m of tpl.matchAll(/\$\{([^!}][^}]*)\}/g)) {
          const expr = m[1]!.trim();
          if (expr in vars) continue;
          const [id, attr] = expr.split(/\.(.*)/s);
          add({ from, to: id!, kind: 'Sub', attribute: attr || undefined, path });
        }
      }
      if (Array.isArray(v)) walk(v[1], [...path, k, 1], from, add);
      return;
    }
  }
  for (const k of keys) walk(node[k], [...path, k], from, add);
}
