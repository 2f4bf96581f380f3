/**
 * The property-level diff of @aws-cdk/cloudformation-diff (the library behind `cdk diff`) and the replacement
 * impact it reads from the installed CloudFormation service specification. Loaded on first use, in diff mode
 * only: loading the specification database takes about half a second.
 *
 * Only the per-resource diff is used. The library's whole-template diff also computes IAM and security-group
 * changes (which throw on some values) and propagates replacements through references on template text;
 * archlint's cascade does that on evaluated values.
 */
import type * as CfnDiffTypes from '@aws-cdk/cloudformation-diff';

export type CfnImpact = 'Replacement' | 'Conditional';

interface DiffModule {
  diffResource(
    oldValue?: CfnDiffTypes.Resource,
    newValue?: CfnDiffTypes.Resource,
    logicalId?: string,
  ): CfnDiffTypes.ResourceDifference;
}

let lib: { diff: DiffModule; impact: typeof CfnDiffTypes.ResourceImpact } | null | undefined;

function load(): typeof lib {
  if (lib === undefined) {
    try {
      /* eslint-disable @typescript-eslint/no-require-imports */
      const diff = require('@aws-cdk/cloudformation-diff/lib/diff') as DiffModule;
      const { ResourceImpact } = require('@aws-cdk/cloudformation-diff/lib/diff/types') as typeof CfnDiffTypes;
      /* eslint-enable @typescript-eslint/no-require-imports */
      lib = { diff, impact: ResourceImpact };
    } catch {
      lib = null;
    }
  }
  return lib;
}

/** A plain-object copy (templates are parsed into null-prototype objects). */
const plain = (x: unknown): CfnDiffTypes.Resource => JSON.parse(JSON.stringify(x)) as CfnDiffTypes.Resource;

/**
 * For the given logical ids (resources of the same type in both templates), the top-level properties whose
 * change the library judges as a replacement (WILL_REPLACE) or a possible one (MAY_REPLACE). Undefined when the
 * library cannot be loaded.
 */
export function cfnDiffImpacts(
  baseline: Record<string, unknown>,
  next: Record<string, unknown>,
  logicalIds?: Iterable<string>,
): Map<string, Map<string, CfnImpact>> | undefined {
  const cfn = load();
  if (!cfn) return undefined;
  const b = (baseline.Resources ?? {}) as Record<string, unknown>;
  const n = (next.Resources ?? {}) as Record<string, unknown>;
  const out = new Map<string, Map<string, CfnImpact>>();
  for (const id of logicalIds ?? Object.keys(n)) {
    if (b[id] === undefined || n[id] === undefined) continue;
    let change: CfnDiffTypes.ResourceDifference;
    try {
      change = cfn.diff.diffResource(plain(b[id]), plain(n[id]), id);
    } catch {
      continue;
    }
    if (change.resourceTypeChanged) continue;
    for (const [prop, p] of Object.entries(change.propertyUpdates)) {
      const impact =
        p.changeImpact === cfn.impact.WILL_REPLACE
          ? 'Replacement'
          : p.changeImpact === cfn.impact.MAY_REPLACE
            ? 'Conditional'
            : undefined;
      if (!impact) continue;
      let m = out.get(id);
      if (!m) out.set(id, (m = new Map()));
      m.set(prop, impact);
    }
  }
  return out;
}

/** Version of the service specification cloudformation-diff uses, or undefined. */
export function installedSpecVersion(): string | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('@aws-cdk/aws-service-spec/package.json') as { version?: string }).version;
  } catch {
    return undefined;
  }
}
