import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempProject } from '../helpers/dist';

export const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** Split a command line the way a POSIX shell splits simple words (quotes, no expansions). */
export function shellWords(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3]!));
  return out;
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: { cwd: string; env?: Record<string, string> }): Run {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: { ...process.env, NODE_ENV: '', ...opts.env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Run a command whose first word is `node` or `npx archlint` with this repository's node and built CLI. */
export function runCommandLine(line: string, opts: { cwd: string; env?: Record<string, string> }): Run {
  const words = shellWords(line);
  if (words[0] === 'node') return run(process.execPath, words.slice(1), opts);
  if (words[0] === 'npx' && words[1] === 'archlint') {
    return run(process.execPath, [join(ROOT, 'dist', 'bin', 'archlint.js'), ...words.slice(2)], opts);
  }
  if (words[0] === 'archlint')
    return run(process.execPath, [join(ROOT, 'dist', 'bin', 'archlint.js'), ...words.slice(1)], opts);
  if (words[0] === 'npx' && words[1] === 'tsc') return run(process.execPath, [TSC, ...words.slice(2)], opts);
  throw new Error(`cannot run ${line}`);
}

/**
 * The environment the CDK CLI gives an app: the output folder and the context (cdk.json context, `-c` values,
 * and the path and asset metadata the CLI enables by default).
 */
export function cdkEnv(outdir: string, context: Record<string, unknown> = {}): Record<string, string> {
  return {
    CDK_OUTDIR: outdir,
    CDK_CONTEXT_JSON: JSON.stringify({
      'aws:cdk:enable-path-metadata': true,
      'aws:cdk:enable-asset-metadata': true,
      ...context,
    }),
  };
}

/**
 * A copy of examples/ (the CDK app and the config file next to it) in a temporary project whose node_modules
 * links archlint to this repository. Returns the copied app folder.
 */
export function copyExamplesProject(): string {
  const project = tempProject('archlint-example-');
  symlinkSync(realpathSync(join(ROOT, 'node_modules', '@types')), join(project, 'node_modules', '@types'), 'dir');
  mkdirSync(join(project, 'examples'));
  cpSync(join(ROOT, 'examples', 'cdk-app'), join(project, 'examples', 'cdk-app'), {
    recursive: true,
    filter: (src) => !/[/\\](build|cdk\.out)$/.test(src),
  });
  cpSync(join(ROOT, 'examples', 'archlint.config.yaml'), join(project, 'examples', 'archlint.config.yaml'));
  return join(project, 'examples', 'cdk-app');
}
