import { isRecord } from './parse';

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
  /** Nested assemblies (stages) referenced by this manifest, relative directory names. */
}

export interface AssemblyManifest {
  stacks: AssemblyStack[];
  /** Nested cloud assemblies (CDK Stages), relative directory names. */
  nestedAssemblies: string[];
}

/** Read the stacks out of a cloud assembly manifest (manifest.json). Pure: the caller reads the files. */
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
      });
    } else if (art.type === 'cdk:cloud-assembly' && typeof props.directoryName === 'string') {
      nestedAssemblies.push(props.directoryName);
    }
  }
  return { stacks, nestedAssemblies };
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
