import { isRecord } from './parse';

/**
 * Reading of a CDK cloud assembly (cdk.out). Pure: the caller reads the files.
 *
 * What a synthesized assembly holds (aws-cdk-lib 2.x, checked against 2.276):
 * - `manifest.json`: `artifacts` of type `aws:cloudformation:stack` (properties.templateFile, stackName, tags;
 *   displayName = construct path of the stack) and `cdk:cloud-assembly` (a Stage: properties.directoryName).
 * - construct metadata per stack, keyed by construct path with a leading slash (`/Stack/Bucket/Resource`), either
 *   inline (`artifact.metadata`, older versions) or in `artifact.additionalMetadataFile` (`<Stack>.metadata.json`).
 *   Entries used here: `aws:cdk:logicalId` (logical id of a CfnElement), `aws:cdk:templateFile` (on a stack or a
 *   nested stack: its template file), `aws:cdk:acknowledged-rules` (`Validations.of(scope).acknowledge()`:
 *   `{ "<namespace>::<rule>": "<reason>" }`) and `aws:cdk:stack-tags`.
 * - nested stacks are not artifacts: their templates (`*.nested.template.json`) are named by `aws:cdk:templateFile`
 *   metadata, and by `aws:asset:path` on the `AWS::CloudFormation::Stack` resource when asset metadata is enabled.
 * - `aws:cdk:path` resource metadata in the template exists only when path metadata is enabled (the CDK CLI
 *   enables it by default, a plain `app.synth()` does not), so construct paths are taken from the metadata.
 */

/** One construct metadata entry as written in the assembly. */
export interface MetadataEntry {
  type: string;
  data?: unknown;
}

/** Construct path (with or without leading slash) -> metadata entries. */
export type AssemblyMetadata = Record<string, readonly MetadataEntry[]>;

/** A stack template described by a cloud assembly's manifest.json. */
export interface AssemblyStack {
  /** Artifact id in the manifest. */
  artifactId: string;
  stackName: string;
  /** Template file name, relative to the assembly directory. */
  templateFile: string;
  tags: Record<string, string>;
  /** Construct path of the stack (`displayName`), when recorded. */
  displayName?: string;
  /** Inline construct metadata (older assemblies). */
  metadata?: AssemblyMetadata;
  /** File with the construct metadata, relative to the assembly directory (newer assemblies). */
  additionalMetadataFile?: string;
}

export interface AssemblyManifest {
  stacks: AssemblyStack[];
  /** Nested cloud assemblies (CDK Stages), relative directory names. */
  nestedAssemblies: string[];
}

/** An acknowledgement recorded with `Validations.of(scope).acknowledge({ id, reason })`. */
export interface CdkAcknowledgement {
  /** Construct path of the scope it was recorded on, without leading slash ('' for the App). */
  constructPath: string;
  /** Qualified id as recorded, e.g. `archlint::s3-public-access`. */
  id: string;
  reason: string;
}

/** What the CDK knows about one template: construct paths of its resources and acknowledgements. */
export interface CdkTemplateInfo {
  /** Construct path of the stack (or nested stack) that produced the template, without leading slash. */
  stackPath?: string;
  /** Logical id -> construct path (without leading slash). */
  constructPaths?: Readonly<Record<string, string>>;
  /** Acknowledgements that may apply to this template (matched by construct path ancestry). */
  acknowledgements?: readonly CdkAcknowledgement[];
}

/** Metadata entry type written by `Validations.of(scope).acknowledge()` (`Validations.ACKNOWLEDGED_RULES_METADATA_KEY`). */
export const CDK_ACK_KEY = 'aws:cdk:acknowledged-rules';
const LOGICAL_ID_KEY = 'aws:cdk:logicalId';
const TEMPLATE_FILE_KEY = 'aws:cdk:templateFile';

/** Read the stacks out of a cloud assembly manifest (manifest.json). */
export function parseAssemblyManifest(manifest: unknown): AssemblyManifest {
  const stacks: AssemblyStack[] = [];
  const nestedAssemblies: string[] = [];
  if (!isRecord(manifest) || !isRecord(manifest.artifacts)) return { stacks, nestedAssemblies };
  for (const [artifactId, art] of Object.entries(manifest.artifacts)) {
    if (!isRecord(art)) continue;
    const props = isRecord(art.properties) ? art.properties : {};
    if (art.type === 'aws:cloudformation:stack' && typeof props.templateFile === 'string') {
      const tags: Record<string, string> = {};
      if (isRecord(props.tags)) for (const [k, v] of Object.entries(props.tags)) tags[k] = String(v);
      stacks.push({
        artifactId,
        stackName: typeof props.stackName === 'string' ? props.stackName : artifactId,
        templateFile: props.templateFile,
        tags,
        displayName: typeof art.displayName === 'string' ? art.displayName : undefined,
        metadata: isRecord(art.metadata) ? asMetadata(art.metadata) : undefined,
        additionalMetadataFile: typeof art.additionalMetadataFile === 'string' ? art.additionalMetadataFile : undefined,
      });
    } else if (art.type === 'cdk:cloud-assembly' && typeof props.directoryName === 'string') {
      nestedAssemblies.push(props.directoryName);
    }
  }
  return { stacks, nestedAssemblies };
}

/** Validate a parsed metadata object (inline or from `<Stack>.metadata.json`). */
export function asMetadata(raw: unknown): AssemblyMetadata {
  const out: Record<string, MetadataEntry[]> = {};
  if (!isRecord(raw)) return out;
  for (const [path, entries] of Object.entries(raw)) {
    if (!Array.isArray(entries)) continue;
    out[path] = entries.filter((e): e is MetadataEntry => isRecord(e) && typeof e.type === 'string');
  }
  return out;
}

/** Construct paths are written with a leading slash in the assembly and without one elsewhere. */
export function normalizeConstructPath(p: string): string {
  return p.replace(/^\/+/, '');
}

/** Whether construct path `p` is `ancestor` or below it. */
export function isUnderPath(p: string, ancestor: string): boolean {
  return ancestor === '' || p === ancestor || p.startsWith(ancestor + '/');
}

/** Acknowledgements recorded in construct metadata. */
export function acknowledgementsOf(metadata: AssemblyMetadata): CdkAcknowledgement[] {
  const out: CdkAcknowledgement[] = [];
  for (const [path, entries] of Object.entries(metadata)) {
    for (const e of entries) {
      if (e.type !== CDK_ACK_KEY || !isRecord(e.data)) continue;
      for (const [id, reason] of Object.entries(e.data)) {
        out.push({ constructPath: normalizeConstructPath(path), id, reason: typeof reason === 'string' ? reason : '' });
      }
    }
  }
  return out;
}

/** One template of a stack: the stack itself or one of its nested stacks. */
export interface StackTemplate {
  /** Template file, relative to the assembly directory. */
  templateFile: string;
  /** Construct path of the (nested) stack, without leading slash. */
  stackPath: string;
  /** Logical id -> construct path, for the resources of this template. */
  constructPaths: Record<string, string>;
}

/**
 * The templates of a stack (nested stacks included) with the construct paths of their resources, from the
 * stack's construct metadata. Each `aws:cdk:logicalId` entry belongs to the deepest (nested) stack whose
 * construct path contains it.
 */
export function stackTemplates(stack: AssemblyStack, metadata: AssemblyMetadata): StackTemplate[] {
  const rootPath = normalizeConstructPath(stack.displayName ?? stack.artifactId);
  const templates: StackTemplate[] = [{ templateFile: stack.templateFile, stackPath: rootPath, constructPaths: {} }];
  for (const [path, entries] of Object.entries(metadata)) {
    for (const e of entries) {
      if (e.type !== TEMPLATE_FILE_KEY || typeof e.data !== 'string') continue;
      const p = normalizeConstructPath(path);
      if (e.data === stack.templateFile) templates[0]!.stackPath = p;
      else templates.push({ templateFile: e.data, stackPath: p, constructPaths: {} });
    }
  }
  // Deepest stack first, so that the first containing stack is the owner.
  const byDepth = [...templates].sort((a, b) => b.stackPath.length - a.stackPath.length);
  for (const [path, entries] of Object.entries(metadata)) {
    for (const e of entries) {
      if (e.type !== LOGICAL_ID_KEY || typeof e.data !== 'string') continue;
      const p = normalizeConstructPath(path);
      const owner = byDepth.find((t) => isUnderPath(p, t.stackPath));
      if (owner) owner.constructPaths[e.data] = p;
    }
  }
  return templates;
}

/** Nested stack templates referenced from a parent template through `aws:asset:path` metadata. */
export function nestedStackTemplates(template: Record<string, unknown>): { logicalId: string; assetPath: string }[] {
  const out: { logicalId: string; assetPath: string }[] = [];
  const resources = isRecord(template.Resources) ? template.Resources : {};
  for (const [logicalId, r] of Object.entries(resources)) {
    if (!isRecord(r) || r.Type !== 'AWS::CloudFormation::Stack') continue;
    const md = isRecord(r.Metadata) ? r.Metadata : {};
    const p = md['aws:asset:path'];
    if (typeof p === 'string' && p.endsWith('.json')) out.push({ logicalId, assetPath: p });
  }
  return out;
}
