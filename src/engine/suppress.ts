import { isRecord, ownString } from '../parse/parse';
import { isUnderPath, type CdkAcknowledgement, type CdkTemplateInfo } from '../parse/cdk-assembly';
import type { PathSegment } from '../types';
import type { Resource, TemplateModel } from '../model/template';

export { CDK_ACK_KEY } from '../parse/cdk-assembly';

export interface SuppressionEntry {
  ruleId: string;
  reason?: string;
  kind: 'metadata' | 'template-metadata' | 'cdk-acknowledgement';
  /** Path of the entry (for reporting a suppression without a reason). */
  path: PathSegment[];
  logicalId?: string;
  /** For CDK acknowledgements: the construct path it was recorded on. */
  constructPath?: string;
}

/**
 * Namespace of archlint rules in CDK validation ids. The CDK derives it from the validation plugin's name
 * (`archlint`), so `Validations.of(scope).acknowledge({ id: 'archlint::<rule-id>', reason })` acknowledges a rule
 * both in the CDK validation report and here. An id without a namespace is recorded by the CDK as
 * `Annotation::<id>` and does not concern archlint.
 */
export const CDK_NAMESPACE = 'archlint';

/** The rule id of an acknowledgement id `archlint::<rule-id>`, or undefined for other namespaces. */
export function ruleIdOfAcknowledgement(id: string): string | undefined {
  const sep = id.indexOf('::');
  if (sep <= 0) return undefined;
  return id.slice(0, sep).toLowerCase() === CDK_NAMESPACE ? id.slice(sep + 2) : undefined;
}

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
  return out;
}

export class Suppressions {
  private readonly byResource = new Map<string, SuppressionEntry[]>();
  readonly template: SuppressionEntry[];
  /** CDK acknowledgements of archlint rules: rule id -> construct path -> entry. */
  private readonly acks = new Map<string, Map<string, SuppressionEntry>>();
  readonly all: SuppressionEntry[] = [];

  constructor(
    model: TemplateModel,
    private readonly cdk: CdkTemplateInfo = {},
  ) {
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
    const acks = cdk.acknowledgements ?? [];
    if (acks.length) {
      // Construct path -> logical id, built once: the first resource in template order wins, as before.
      const byPath = new Map<string, string>();
      for (const r of model.resources.values()) {
        const p = this.constructPathOf(r);
        if (p !== undefined && !byPath.has(p)) byPath.set(p, r.logicalId);
      }
      for (const ack of acks) this.addAcknowledgement(byPath, ack);
    }
  }

  private addAcknowledgement(byPath: ReadonlyMap<string, string>, ack: CdkAcknowledgement): void {
    const ruleId = ruleIdOfAcknowledgement(ack.id);
    if (!ruleId) return;
    const reason = ack.reason.trim() || undefined;
    // The resource the acknowledgement was recorded on (the L1 itself or its L2 parent), for reporting.
    const logicalId = byPath.get(ack.constructPath) ?? byPath.get(`${ack.constructPath}/Resource`);
    const entry: SuppressionEntry = {
      ruleId,
      reason,
      kind: 'cdk-acknowledgement',
      path: logicalId ? ['Resources', logicalId] : [],
      logicalId,
      constructPath: ack.constructPath,
    };
    let ackPaths = this.acks.get(ruleId);
    if (!ackPaths) this.acks.set(ruleId, (ackPaths = new Map()));
    if (ackPaths.has(ack.constructPath)) return;
    ackPaths.set(ack.constructPath, entry);
    // Only acknowledgements recorded inside this template's stack are reported when they lack a reason.
    if (!reason && this.cdk.stackPath !== undefined && isUnderPath(ack.constructPath, this.cdk.stackPath)) {
      this.all.push(entry);
    }
  }

  /** Construct path of a resource: `aws:cdk:path` metadata, else the assembly's logical id map. */
  constructPathOf(resource: Resource | undefined): string | undefined {
    if (!resource) return undefined;
    return resource.cdkPath ?? ownString(this.cdk.constructPaths, resource.logicalId);
  }

  /**
   * The closest CDK acknowledgement of ruleId for a construct path, walking up the construct tree the way the
   * CDK does; undefined when none. Template-level findings use the stack's construct path.
   */
  private acknowledgement(ruleId: string, constructPath: string | undefined): SuppressionEntry | undefined {
    const byPath = this.acks.get(ruleId);
    if (!byPath || constructPath === undefined) return undefined;
    let p = constructPath;
    for (;;) {
      const hit = byPath.get(p);
      if (hit) return hit;
      if (p === '') return undefined;
      const slash = p.lastIndexOf('/');
      p = slash < 0 ? '' : p.slice(0, slash);
    }
  }

  /** The honoured suppression (with a reason) of ruleId for a resource, or undefined. */
  find(ruleId: string, resource?: Resource | string): SuppressionEntry | undefined {
    const r = typeof resource === 'string' ? undefined : resource;
    const id = typeof resource === 'string' ? resource : resource?.logicalId;
    const own = id ? this.byResource.get(id)?.find((s) => s.ruleId === ruleId && s.reason) : undefined;
    if (own) return own;
    const path = r ? this.constructPathOf(r) : this.cdk.stackPath;
    const ack = this.acknowledgement(ruleId, path);
    if (ack?.reason) return ack;
    return this.template.find((s) => s.ruleId === ruleId && s.reason);
  }
}
