/**
 * The property-level replacement impact that @aws-cdk/cloudformation-diff (the library behind `cdk diff`)
 * reads from the installed CloudFormation service specification. Loaded on first use, in diff mode only:
 * requiring it loads the specification database, which takes about half a second.
 */
import type * as CfnDiff from '@aws-cdk/cloudformation-diff';

export type CfnImpact = 'Replacement' | 'Conditional';

let lib: typeof CfnDiff | null | undefined;

function load(): typeof CfnDiff | null {
  if (lib === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      lib = require('@aws-cdk/cloudformation-diff') as typeof CfnDiff;
    } catch {
      lib = null;
    }
  }
  return lib;
}

/** Plain objects for the library (templates are parsed into null-prototype objects). */
function plain(template: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify({ Resources: template.Resources ?? {} })) as Record<string, unknown>;
}

/**
 * Per logical id, the top-level properties whose template text changed with a replacement impact, as judged
 * by cloudformation-diff (without its own propagation through references: archlint's cascade does that on
 * evaluated values). Undefined when the library cannot be loaded.
 */
export function cfnDiffImpacts(
  baseline: Record<string, unknown>,
  next: Record<string, unknown>,
): Map<string, Map<string, CfnImpact>> | undefined {
  const cfn = load();
  if (!cfn) return undefined;
  const out = new Map<string, Map<string, CfnImpact>>();
  let diff: CfnDiff.TemplateDiff;
  const b = plain(baseline);
  const n = plain(next);
  const props = (t: Record<string, unknown>, id: string): Record<string, unknown> =>
    ((t.Resources as Record<string, { Properties?: Record<string, unknown> }>)[id]?.Properties ?? {}) as Record<
      string,
      unknown
    >;
  try {
    // Per-property impacts come from the specification (causesReplacement).
    diff = cfn.fullDiff(b, n);
  } catch {
    return undefined;
  }
  diff.resources.forEachDifference((logicalId, change) => {
    if (!change.oldValue || !change.newValue || change.resourceTypeChanged) return;
    for (const [prop, p] of Object.entries(change.propertyUpdates)) {
      // Only properties whose own text changed; the library's propagation through references marks others.
      if (cfn.deepEqual(props(b, logicalId)[prop], props(n, logicalId)[prop])) continue;
      const impact =
        p.changeImpact === cfn.ResourceImpact.WILL_REPLACE
          ? 'Replacement'
          : p.changeImpact === cfn.ResourceImpact.MAY_REPLACE
            ? 'Conditional'
            : undefined;
      if (!impact) continue;
      let m = out.get(logicalId);
      if (!m) out.set(logicalId, (m = new Map()));
      m.set(prop, impact);
    }
  });
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
