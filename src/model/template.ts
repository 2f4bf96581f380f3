import { isRecord, type SourceFormat } from '../parse/parse';

/** One resource of a template, as written (properties are raw, intrinsics in long form). */
export interface Resource {
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Record<string, unknown>;
  readonly condition?: string;
  readonly dependsOn: readonly string[];
  readonly metadata: Record<string, unknown>;
  readonly deletionPolicy?: unknown;
  readonly updateReplacePolicy?: unknown;
  /** The whole resource node (Type, Properties, Metadata, ...). Paths in findings start here. */
  readonly node: Record<string, unknown>;
  /** `aws:cdk:path` metadata, when synthesized by the CDK. */
  readonly cdkPath?: string;
}

export interface Parameter {
  readonly name: string;
  readonly type?: string;
  readonly default?: unknown;
  readonly noEcho: boolean;
  readonly allowedValues?: readonly unknown[];
  readonly node: Record<string, unknown>;
}

export interface Output {
  readonly name: string;
  readonly value: unknown;
  readonly exportName?: unknown;
  readonly condition?: string;
  readonly node: Record<string, unknown>;
}

/** Parsed template with its indexes. Built once per file; everything else asks it. */
export interface TemplateModel {
  readonly file: string;
  readonly format: SourceFormat;
  readonly text?: string;
  readonly template: Record<string, unknown>;
  readonly resources: ReadonlyMap<string, Resource>;
  readonly byType: ReadonlyMap<string, readonly Resource[]>;
  readonly parameters: ReadonlyMap<string, Parameter>;
  readonly conditions: ReadonlyMap<string, unknown>;
  readonly mappings: Record<string, unknown>;
  readonly outputs: ReadonlyMap<string, Output>;
  readonly metadata: Record<string, unknown>;
  readonly transforms: readonly string[];
  /** Stack name, when known (cdk.out manifest, or given by the caller). */
  readonly stackName?: string;
}

const EMPTY: Record<string, unknown> = Object.freeze(Object.create(null) as Record<string, unknown>);

function rec(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : EMPTY;
}

export interface ModelSource {
  file: string;
  format: SourceFormat;
  template: Record<string, unknown>;
  text?: string;
  stackName?: string;
  /**
   * Logical id -> CDK construct path from the cloud assembly's metadata, for resources whose template carries no
   * `aws:cdk:path` (synthesized without path metadata).
   */
  constructPaths?: Readonly<Record<string, string>>;
}

export function buildModel(src: ModelSource): TemplateModel {
  const t = src.template;
  const resources = new Map<string, Resource>();
  const byType = new Map<string, Resource[]>();
  for (const [logicalId, node] of Object.entries(rec(t.Resources))) {
    if (!isRecord(node)) continue;
    const type = typeof node.Type === 'string' ? node.Type : '';
    const metadata = rec(node.Metadata);
    const dependsOn = Array.isArray(node.DependsOn)
      ? node.DependsOn.filter((d): d is string => typeof d === 'string')
      : typeof node.DependsOn === 'string'
        ? [node.DependsOn]
        : [];
    const cdkPath =
      metadata['aws:cdk:path'] ??
      (src.constructPaths && Object.prototype.hasOwnProperty.call(src.constructPaths, logicalId)
        ? src.constructPaths[logicalId]
        : undefined);
    const r: Resource = {
      logicalId,
      type,
      properties: rec(node.Properties),
      condition: typeof node.Condition === 'string' ? node.Condition : undefined,
      dependsOn,
      metadata,
      deletionPolicy: node.DeletionPolicy,
      updateReplacePolicy: node.UpdateReplacePolicy,
      node,
      cdkPath: typeof cdkPath === 'string' ? cdkPath : undefined,
    };
    resources.set(logicalId, r);
    let list = byType.get(type);
    if (!list) byType.set(type, (list = []));
    list.push(r);
  }
  const parameters = new Map<string, Parameter>();
  for (const [name, node] of Object.entries(rec(t.Parameters))) {
    if (!isRecord(node)) continue;
    parameters.set(name, {
      name,
      type: typeof node.Type === 'string' ? node.Type : undefined,
      default: node.Default,
      noEcho: node.NoEcho === true || node.NoEcho === 'true',
      allowedValues: Array.isArray(node.AllowedValues) ? node.AllowedValues : undefined,
      node,
    });
  }
  const conditions = new Map<string, unknown>(Object.entries(rec(t.Conditions)));
  const outputs = new Map<string, Output>();
  for (const [name, node] of Object.entries(rec(t.Outputs))) {
    if (!isRecord(node)) continue;
    outputs.set(name, {
      name,
      value: node.Value,
      exportName: isRecord(node.Export) ? node.Export.Name : undefined,
      condition: typeof node.Condition === 'string' ? node.Condition : undefined,
      node,
    });
  }
  const transform = t.Transform;
  const transforms = (Array.isArray(transform) ? transform : transform === undefined ? [] : [transform]).filter(
    (x): x is string => typeof x === 'string',
  );
  return {
    file: src.file,
    format: src.format,
    text: src.text,
    template: t,
    resources,
    byType,
    parameters,
    conditions,
    mappings: rec(t.Mappings),
    outputs,
    metadata: rec(t.Metadata),
    transforms,
    stackName: src.stackName,
  };
}
