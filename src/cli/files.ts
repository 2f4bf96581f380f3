import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative, resolve, sep, dirname, basename, isAbsolute } from 'node:path';
import type { LintInput } from '../engine/linter';
import {
  acknowledgementsOf,
  asMetadata,
  nestedStackTemplates,
  parseAssemblyManifest,
  stackTemplates,
  type AssemblyMetadata,
} from '../parse/cdk-assembly';
import type { InputError, LintResult } from '../types';
import { lint, resolveConfig, type ApiOptions } from '../api';

const TEMPLATE_EXT = /\.(ya?ml|json|template)$/i;
const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn']);

export interface DiscoverOptions {
  cwd: string;
  ignore?: readonly string[];
  /** Reads standard input (only for `-`). */
  readStdin?: () => string;
}

export interface Discovered {
  inputs: LintInput[];
  errors: InputError[];
}

/** `**` any path, `*` any run without `/`, `?` one character; matched against the path relative to cwd. */
export function pathGlob(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function displayPath(cwd: string, abs: string): string {
  const rel = relative(cwd, abs);
  return (rel && !isAbsolute(rel) ? rel : abs).split(sep).join('/');
}

function isAssemblyDir(dir: string): boolean {
  const m = join(dir, 'manifest.json');
  if (!existsSync(m)) return false;
  try {
    const j = JSON.parse(readFileSync(m, 'utf8')) as Record<string, unknown>;
    return typeof j === 'object' && j !== null && 'artifacts' in j;
  } catch {
    return false;
  }
}

export interface AssemblyOptions {
  /** Only these stack template files (relative to the assembly directory); default: every stack. */
  templateFiles?: ReadonlySet<string>;
  /** Descend into nested assemblies (CDK Stages); default true. */
  stages?: boolean;
}

/**
 * Stacks of a cloud assembly (cdk.out), nested stacks and nested assemblies (stages) included. Each input
 * carries the stack name and tags from the manifest, and the construct paths of its resources and the
 * acknowledgements recorded in the stack's construct metadata.
 */
export function assemblyInputs(
  dir: string,
  cwd: string,
  errors: InputError[],
  opts: AssemblyOptions = {},
): LintInput[] {
  const out: LintInput[] = [];
  const manifestPath = join(dir, 'manifest.json');
  let manifest;
  try {
    manifest = parseAssemblyManifest(JSON.parse(readFileSync(manifestPath, 'utf8')));
  } catch (e) {
    errors.push({
      file: displayPath(cwd, manifestPath),
      message: `${displayPath(cwd, manifestPath)}: cannot read the cloud assembly manifest: ${(e as Error).message}`,
    });
    return out;
  }
  const seen = new Set<string>();
  const readText = (abs: string): string | undefined => {
    try {
      return readFileSync(abs, 'utf8');
    } catch (e) {
      const shown = displayPath(cwd, abs);
      errors.push({
        file: shown,
        message: `${shown}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      });
      return undefined;
    }
  };
  for (const stack of manifest.stacks) {
    if (opts.templateFiles && !opts.templateFiles.has(stack.templateFile)) continue;
    let metadata: AssemblyMetadata = stack.metadata ?? {};
    if (stack.additionalMetadataFile) {
      const text = readText(join(dir, stack.additionalMetadataFile));
      if (text !== undefined) {
        try {
          metadata = { ...metadata, ...asMetadata(JSON.parse(text)) };
        } catch (e) {
          const shown = displayPath(cwd, join(dir, stack.additionalMetadataFile));
          errors.push({ file: shown, message: `${shown}: invalid JSON: ${(e as Error).message}` });
        }
      }
    }
    const templates = stackTemplates(stack, metadata);
    const byFile = new Map(templates.map((t) => [t.templateFile, t]));
    const acknowledgements = acknowledgementsOf(metadata);
    const rootPath = templates[0]!.stackPath;
    const add = (file: string, stackName: string, fallbackPath: string) => {
      const abs = join(dir, file);
      if (seen.has(abs)) return;
      seen.add(abs);
      const text = readText(abs);
      if (text === undefined) return;
      const t = byFile.get(file);
      out.push({
        file: displayPath(cwd, abs),
        text,
        stackName,
        stackTags: stack.tags,
        explicit: true,
        cdk: { stackPath: t?.stackPath ?? fallbackPath, constructPaths: t?.constructPaths ?? {}, acknowledgements },
      });
      // Nested stacks named only by asset metadata (assemblies without construct metadata).
      try {
        const parsed = JSON.parse(text) as Record<string, unknown>;
        for (const n of nestedStackTemplates(parsed)) {
          if (!byFile.has(n.assetPath))
            add(n.assetPath, `${stackName}/${n.logicalId}`, `${fallbackPath}/${n.logicalId}`);
        }
      } catch {
        /* reported by the parser */
      }
    };
    add(stack.templateFile, stack.stackName, rootPath);
    for (const t of templates.slice(1)) {
      const rel = t.stackPath.startsWith(rootPath + '/') ? t.stackPath.slice(rootPath.length + 1) : t.stackPath;
      add(t.templateFile, `${stack.stackName}/${rel}`, t.stackPath);
    }
  }
  if (opts.stages !== false) {
    for (const nested of manifest.nestedAssemblies) {
      const sub = join(dir, nested);
      if (isAssemblyDir(sub)) out.push(...assemblyInputs(sub, cwd, errors, { stages: true }));
    }
  }
  return out;
}

/** Expand paths (files, folders, cloud assemblies, `-`) into lint inputs. Never throws. */
export function discover(paths: readonly string[], opts: DiscoverOptions): Discovered {
  const inputs: LintInput[] = [];
  const errors: InputError[] = [];
  const ignores = (opts.ignore ?? []).map(pathGlob);
  const ignored = (shown: string) => ignores.some((re) => re.test(shown));
  const readFile = (abs: string, explicit: boolean) => {
    const shown = displayPath(opts.cwd, abs);
    if (!explicit && ignored(shown)) return;
    try {
      inputs.push({ file: shown, text: readFileSync(abs, 'utf8'), explicit });
    } catch (e) {
      errors.push({
        file: shown,
        message: `${shown}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      });
    }
  };
  const walk = (dir: string) => {
    if (isAssemblyDir(dir)) {
      inputs.push(...assemblyInputs(dir, opts.cwd, errors).filter((i) => !ignored(i.file)));
      return;
    }
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch (e) {
      const shown = displayPath(opts.cwd, dir);
      errors.push({ file: shown, message: `${shown}: cannot read folder: ${(e as NodeJS.ErrnoException).code}` });
      return;
    }
    for (const name of entries) {
      const abs = join(dir, name);
      let st;
      try {
        st = statSync(abs);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (SKIP_DIRS.has(name) || name.startsWith('.')) continue;
        if (ignored(displayPath(opts.cwd, abs) + '/')) continue;
        walk(abs);
      } else if (
        TEMPLATE_EXT.test(name) &&
        name !== 'manifest.json' &&
        !name.endsWith('.assets.json') &&
        name !== 'tree.json' &&
        name !== 'cdk.out'
      ) {
        readFile(abs, false);
      }
    }
  };
  for (const p of paths) {
    if (p === '-') {
      try {
        inputs.push({
          file: '<stdin>',
          text: opts.readStdin ? opts.readStdin() : readFileSync(0, 'utf8'),
          explicit: true,
        });
      } catch (e) {
        errors.push({ file: '<stdin>', message: `<stdin>: cannot read: ${(e as Error).message}` });
      }
      continue;
    }
    const abs = resolve(opts.cwd, p);
    let st;
    try {
      st = statSync(abs);
    } catch {
      errors.push({ file: p, message: `${p}: no such file or folder` });
      continue;
    }
    if (st.isDirectory()) walk(abs);
    else if (basename(abs) === 'manifest.json' && isAssemblyDir(dirname(abs)))
      inputs.push(...assemblyInputs(dirname(abs), opts.cwd, errors));
    else readFile(abs, true);
  }
  return { inputs, errors };
}

/** Lint files and folders (public API). Reads files; the linting itself is pure. */
export async function lintFiles(
  paths: readonly string[],
  options: ApiOptions & { cwd?: string } = {},
): Promise<LintResult> {
  const cwd = options.cwd ?? process.cwd();
  const config = resolveConfig(options);
  const d = discover(paths, { cwd, ignore: config.ignore });
  const result = lint(d.inputs, { ...options, config });
  result.errors.unshift(...d.errors);
  return result;
}
