import { isRecord } from '../parse/parse';
import type { PathSegment } from '../types';
import type { Resource, TemplateModel } from '../model/template';

export interface SuppressionEntry {
  ruleId: string;
  reason?: string;
  kind: 'metadata' | 'template-metadata' | 'cdk-acknowledgement';
  /** Path of the entry (for reporting a suppression without a reason). */
  path: PathSegment[];
  logicalId?: string;
}

/** CDK records `Validations.of(scope).acknowledge()` under this metadata key. */
export const CDK_ACK_KEY = 'aws:cdk:acknowledged-rules';

function readList(
  metadata: Record<string, unknown>,
  base: PathSegment[],
  kind: SuppressionEntry['kind'],
  logicalId?: string,
): SuppressionEntry[] {
  const out: SuppressionEntry[] = [];
  const a = metadata.archlint;
  if (isRecord(a) && Array.isArray(a.suppress)) {
    a.suppress.forEach((s, i) => {
      if (!isRecord(s)) return;
      const id = s.id ?? s.rule ?? s.ruleId;
      if (typeof id !== 'string') return;
      const reason = typeof s.reason === 'string' && s.reason.trim() ? s.reason.trim() : undefined;
      out.push({ ruleId: id, reason, kind, path: [...base, 'archlint', 'suppress', i], logicalId });
    });
  }
  const ack = metadata[CDK_ACK_KEY];
  if (Array.isArray(ack)) {
    ack.forEach((s, i) => {
      if (!isRecord(s)) return;
      const id = s.id ?? s.ruleId;
      if (typeof id !== 'string') return;
      const reason = typeof s.reason === 'string' && s.reason.trim() ? s.reason.trim() : undefined;
      out.push({
        ruleId: stripPluginPrefix(id),
        reason,
        kind: 'cdk-acknowledgement',
        path: [...base, CDK_ACK_KEY, i],
        logicalId,
      });
    });
  }
  return out;
}

/** Acknowledgement ids may be written as `archlint::rule-id` or `archlint:rule-id`. */
function stripPluginPrefix(id: string): string {
  const m = /^archlint:{1,2}(.+)$/i.exec(id);
  return m ? m[1]! : id;
}

export class Suppressions {
  private readonly byResource = new Map<string, SuppressionEntry[]>();
  readonly template: SuppressionEntry[];
  readonly all: SuppressionEntry[] = [];

  constructor(model: TemplateModel) {
    this.template = readList(model.metadata, ['Metadata'], 'template-metadata');
    this.all.push(...this.template);
    for (const r of model.resources.values()) {
      if (!isRecord(r.node.Metadata)) continue;
      const list = readList(r.metadata, ['Resources', r.logicalId, 'Metadata'], 'metadata', r.logicalId);
      if (list.length) {
        this.byResource.set(r.logicalId, list);
        this.all.push(...list);
      }
    }
  }

  /** The honoured suppression (with a reason) of ruleId for a resource, or undefined. */
  find(ruleId: string, resource?: Resource | string): SuppressionEntry | undefined {
    const id = typeof resource === 'string' ? resource : resource?.logicalId;
    const own = id ? this.byResource.get(id) : undefined;
    return (
      own?.find((s) => s.ruleId === ruleId && s.reason) ?? this.template.find((s) => s.ruleId === ruleId && s.reason)
    );
  }
}
