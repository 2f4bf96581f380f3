import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import yargs from 'yargs';
import { builtinRules } from '../../rules/index';
import {
  ConfigError,
  emptyConfig,
  mergeConfig,
  parseRuleSetting,
  type Config,
  type RuleSetting,
} from '../engine/config';
import { lintTemplates } from '../engine/linter';
import type { Rule } from '../engine/rule';
import { SEVERITY_RANK, type LintResult, type Severity } from '../types';
import { setFingerprintPaths, discover } from './files';
import { findConfigFile, readConfigFile } from './config-file';
import { FORMATTERS, type FormatName } from './formatters/index';
import { explainRule, listRules } from './rules-command';

export interface CliIO {
  cwd: string;
  stdout(s: string): void;
  stderr(s: string): void;
  readStdin(): string;
  /** stdout is a terminal (colour) */
  isTTY: boolean;
  /** stderr is a terminal (progress) */
  stderrTTY: boolean;
  env: Record<string, string | undefined>;
}

let pkgInfo: { root: string; version: string } | undefined;

/** The installed package's root folder and version (works from src/ and from dist/). */
export function packageInfo(): { root: string; version: string } {
  if (pkgInfo) return pkgInfo;
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'archlint') return (pkgInfo = { root: dir, version: pkg.version ?? '0.0.0' });
    } catch {
      /* go up */
    }
    dir = dirname(dir);
  }
  return (pkgInfo = { root: process.cwd(), version: '0.0.0' });
}

export function packageVersion(): string {
  return packageInfo().version;
}

function readExample(id: string, kind: 'good' | 'bad' | 'baseline'): string | undefined {
  try {
    return readFileSync(join(packageInfo().root, 'examples', id, `${kind}.yaml`), 'utf8');
  } catch {
    return undefined;
  }
}

class UsageError extends Error {}

const STDIN_SENTINEL = '\u0000stdin';
const undash = (s: string): string => (s === STDIN_SENTINEL ? '-' : s);

function parseKeyValues(list: readonly string[] | undefined, what: string): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const item of list ?? []) {
    // "A=1 B=2" in one argument names two values; "Name=two words" is one value with a space.
    const words = String(item).trim().split(/\s+/);
    const items = words.every((w) => w.indexOf('=') > 0) ? words : [String(item).trim()];
    for (const kv of items) {
      const eq = kv.indexOf('=');
      if (eq <= 0) throw new UsageError(`${what} must be Key=Value, got "${kv}"`);
      out[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
  }
  return out;
}

/** Load custom rule modules named in config (never from templates). */
export function loadPlugins(config: Config, cwd: string): Rule[] {
  const rules: Rule[] = [];
  for (const p of config.plugins) {
    let mod: unknown;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      mod = require(require.resolve(p, { paths: [cwd] }));
    } catch (e) {
      throw new ConfigError(`cannot load rule module ${p}: ${(e as Error).message.split('\n')[0]}`);
    }
    const m = mod as { default?: unknown; rules?: unknown };
    const exported = m.rules ?? m.default ?? mod;
    const list = Array.isArray(exported) ? exported : [exported];
    for (const r of list) {
      const rule = r as Rule;
      if (!rule || typeof rule.id !== 'string' || (!rule.check && !rule.checkTemplate)) {
        throw new ConfigError(`rule module ${p} does not export rules made with defineRule()`);
      }
      rules.push(rule);
    }
  }
  return rules;
}

export interface LintArgs {
  paths: string[];
  format: FormatName;
  output?: string;
  config?: string;
  parameters?: string[];
  rule?: string[];
  failOn: Severity | 'none';
  showUnknown: boolean;
  quiet: boolean;
  color: boolean;
  environment?: 'prod' | 'nonprod';
  baselineFingerprints?: string;
  writeBaselineFingerprints?: string;
  /** Diff mode: the deployed template(s) (file, folder, cdk.out, or - for stdin). */
  baseline?: string;
  /** Diff mode: parameter values of the deployed stack (Key=Value). */
  baselineParameters?: string[];
}

export function resolveCliConfig(
  args: Pick<LintArgs, 'config' | 'parameters' | 'rule' | 'environment'>,
  cwd: string,
): Config {
  const file = args.config ? resolve(cwd, args.config) : findConfigFile(cwd);
  let config = file ? readConfigFile(file) : emptyConfig();
  const rules: Record<string, RuleSetting> = {};
  for (const [id, sev] of Object.entries(parseKeyValues(args.rule, '--rule'))) {
    try {
      rules[id] = { ...config.rules[id], ...parseRuleSetting(id, sev) };
    } catch {
      throw new UsageError(`--rule ${id}=${sev}: use off, info, warning or error`);
    }
  }
  // `-p AWS::Region=eu-west-1` sets a pseudo parameter; other keys are template parameters.
  const given = parseKeyValues(args.parameters, '--parameters');
  const parameters = Object.create(null) as Record<string, string>;
  const pseudoParameters = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(given)) (k.startsWith('AWS::') ? pseudoParameters : parameters)[k] = v;
  config = mergeConfig(config, { rules, parameters, pseudoParameters });
  if (args.environment)
    config.environments = { ...config.environments, default: args.environment, prod: undefined, nonprod: undefined };
  return config;
}

export function exitCode(result: LintResult, failOn: Severity | 'none'): number {
  if (result.errors.length) return 2;
  if (failOn === 'none') return 0;
  const threshold = SEVERITY_RANK[failOn];
  return result.findings.some((f) => !f.suppressed && SEVERITY_RANK[f.severity] >= threshold) ? 1 : 0;
}

async function runLint(args: LintArgs, io: CliIO): Promise<number> {
  // `-` (stdin) is hidden from yargs, which drops a lone dash in some positions.
  args = {
    ...args,
    paths: args.paths.map(undash),
    baseline: args.baseline === undefined ? undefined : undash(args.baseline),
  };
  const config = resolveCliConfig(args, io.cwd);
  const rules = [...builtinRules, ...loadPlugins(config, io.cwd)];
  const ruleIds = new Set(rules.map((r) => r.id));
  for (const id of Object.keys(parseKeyValues(args.rule, '--rule'))) {
    if (!ruleIds.has(id) && !id.startsWith('archlint-')) {
      throw new UsageError(`--rule names unknown rule "${id}"; run \`archlint rules\` for the list`);
    }
  }
  for (const id of Object.keys(config.rules)) {
    if (!ruleIds.has(id) && !id.startsWith('archlint-'))
      io.stderr(`archlint: warning: configuration names unknown rule "${id}"\n`);
  }
  let baseline: Set<string> | undefined;
  const baselineFile = args.baselineFingerprints ? resolve(io.cwd, args.baselineFingerprints) : config.baseline;
  // Writing a baseline for the first time: the configured baseline file does not exist yet.
  const firstBaseline = !!args.writeBaselineFingerprints && !!baselineFile && !existsSync(baselineFile);
  if (baselineFile && !firstBaseline) {
    try {
      const raw = JSON.parse(readFileSync(baselineFile, 'utf8')) as unknown;
      const list = Array.isArray(raw) ? raw : (raw as { fingerprints?: unknown }).fingerprints;
      if (!Array.isArray(list)) throw new Error('expected { "fingerprints": [...] }');
      baseline = new Set(list.map(String));
    } catch (e) {
      throw new ConfigError(`${baselineFile}: cannot read the baseline file: ${(e as Error).message}`);
    }
  }
  const paths = args.paths.length ? args.paths : ['.'];
  if (args.baseline === '') throw new UsageError('--baseline needs a file, folder, cdk.out or - (stdin)');
  // Ignore globs and fingerprints name files relative to the configuration file's folder (else the working
  // directory), so that they mean the same whichever folder archlint runs from.
  const configFile = args.config ? resolve(io.cwd, args.config) : findConfigFile(io.cwd);
  const fingerprintBase = configFile ? dirname(configFile) : io.cwd;
  const found = discover(paths, {
    cwd: io.cwd,
    ignore: config.ignore,
    ignoreBase: fingerprintBase,
    readStdin: io.readStdin,
  });
  setFingerprintPaths(found.inputs, fingerprintBase, io.cwd);
  const progress = io.stderrTTY && found.inputs.length > 20 && !args.quiet;
  const lintOptions = {
    rules,
    config,
    baselineFingerprints: baseline,
    onProgress: progress
      ? (done: number, total: number) => {
          if (done === total || done % 10 === 0) io.stderr(`\rarchlint: ${done}/${total} templates`);
          if (done === total) io.stderr('\r\u001b[K');
        }
      : undefined,
  };
  let result: LintResult;
  if (args.baseline !== undefined) {
    // Diff mode: the diff engine, its data table and cloudformation-diff load only here.
    if (args.baseline === '-' && paths.includes('-'))
      throw new UsageError('only one side of a diff can be read from stdin');
    const baselineParameters = parseKeyValues(args.baselineParameters, '--baseline-parameters');
    const { lintAgainstBaseline } = await import('./diff-mode.js');
    result = lintAgainstBaseline(
      found.inputs,
      paths,
      args.baseline,
      baselineParameters,
      lintOptions,
      io,
      fingerprintBase,
    );
  } else {
    if (args.baselineParameters?.length)
      throw new UsageError('--baseline-parameters needs --baseline (or archlint diff)');
    result = lintTemplates(found.inputs, lintOptions);
  }
  result.errors.unshift(...found.errors);
  const ruleMap = new Map(rules.map((r) => [r.id, r]));
  const text = FORMATTERS[args.format]!(result, {
    rules: ruleMap,
    color: args.color && io.isTTY && !args.output && !io.env.NO_COLOR,
    showUnknown: args.showUnknown,
    quiet: args.quiet,
    quietMin: args.failOn === 'none' || args.failOn === 'error' ? 'error' : args.failOn,
    version: packageVersion(),
  });
  if (args.output) {
    try {
      writeFileSync(resolve(io.cwd, args.output), text);
    } catch (e) {
      throw new UsageError(`cannot write ${args.output}: ${(e as Error).message}`);
    }
  } else io.stdout(text);
  if (args.writeBaselineFingerprints) {
    const fps = [...new Set(result.findings.map((f) => f.fingerprint))].sort();
    try {
      writeFileSync(
        resolve(io.cwd, args.writeBaselineFingerprints),
        JSON.stringify({ fingerprints: fps }, null, 2) + '\n',
      );
    } catch (e) {
      throw new UsageError(`cannot write ${args.writeBaselineFingerprints}: ${(e as Error).message}`);
    }
  }
  return exitCode(result, args.failOn);
}

/** A single-value option given more than once (`npm run lint -- -f json` after the script's own -f): the last wins. */
function last(v: string | string[]): string {
  return Array.isArray(v) ? v[v.length - 1]! : v;
}

/**
 * `-p`, `--rule` and `--baseline-parameters` take several values, so yargs also takes the paths written after
 * them (`archlint -p Env=prod template.yaml`): a value without "=" is a path, returned in `spilled`.
 */
function keyValueOptions(a: { parameters?: unknown; rule?: unknown; 'baseline-parameters'?: unknown }): {
  spilled: string[];
  parameters?: string[];
  rule?: string[];
  baselineParameters?: string[];
} {
  const spilled: string[] = [];
  const keyValues = (list: unknown): string[] | undefined =>
    (list as readonly (string | number)[] | undefined)
      ?.map(String)
      .filter((v) => v.includes('=') || (spilled.push(v), false));
  return {
    parameters: keyValues(a.parameters),
    rule: keyValues(a.rule),
    baselineParameters: keyValues(a['baseline-parameters']),
    spilled,
  };
}

/** The parsed options shared by the lint and diff commands. */
interface CommonOptions {
  format?: unknown;
  output?: string;
  config?: string;
  'fail-on'?: unknown;
  'show-unknown'?: boolean;
  quiet?: boolean;
  color?: boolean;
  environment?: unknown;
  'baseline-fingerprints'?: string;
  'write-baseline-fingerprints'?: string;
}

function lintArgs(
  a: CommonOptions,
  kv: ReturnType<typeof keyValueOptions>,
  paths: string[],
  baseline: string | undefined,
): LintArgs {
  return {
    paths,
    format: a.format as FormatName,
    output: a.output,
    config: a.config,
    parameters: kv.parameters,
    rule: kv.rule,
    failOn: a['fail-on'] as Severity | 'none',
    showUnknown: !!a['show-unknown'],
    quiet: !!a.quiet,
    color: a.color !== false,
    environment: a.environment as 'prod' | 'nonprod' | undefined,
    baselineFingerprints: a['baseline-fingerprints'],
    writeBaselineFingerprints: a['write-baseline-fingerprints'],
    baseline,
    baselineParameters: kv.baselineParameters,
  };
}

/** The CLI. Returns the exit code; never calls process.exit. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  let code = 0;
  let failure: string | undefined;
  // yargs drops a bare "-"; carry it through as a sentinel.
  argv = argv.map((a) => (a === '-' ? STDIN_SENTINEL : a));
  const parser = yargs([...argv])
    .scriptName('archlint')
    .usage(
      'Usage: archlint [paths..] [options]\n\nLint CloudFormation templates, folders and cdk.out cloud assemblies for architecture-design problems.',
    )
    .parserConfiguration({ 'boolean-negation': true })
    .option('format', {
      coerce: last,
      alias: 'f',
      choices: ['stylish', 'json', 'sarif', 'junit', 'github', 'markdown'] as const,
      default: 'stylish' as const,
      describe: 'Output format',
    })
    .option('output', {
      alias: 'o',
      type: 'string',
      coerce: last,
      describe: 'Write the report to a file instead of stdout',
    })
    .option('config', {
      coerce: last,
      alias: 'c',
      type: 'string',
      describe: 'Config file (default: archlint.config.yaml|json found upward)',
    })
    .option('parameters', {
      alias: 'p',
      type: 'string',
      array: true,
      describe: 'Template parameter values: Key=Value ...',
    })
    .option('rule', { type: 'string', array: true, describe: 'Rule override: id=off|info|warning|error' })
    .option('fail-on', {
      coerce: last,
      choices: ['error', 'warning', 'info', 'none'] as const,
      default: 'error' as const,
      describe: 'Lowest severity that makes the exit code 1',
    })
    .option('show-unknown', {
      type: 'boolean',
      default: false,
      describe: 'List outcomes that could not be decided (never findings)',
    })
    .option('quiet', {
      alias: 'q',
      type: 'boolean',
      default: false,
      describe: 'Report only findings that fail the run (errors, or down to --fail-on)',
    })
    .option('color', {
      type: 'boolean',
      default: true,
      describe: 'Colour output on a terminal (--no-color to disable)',
    })
    .option('environment', {
      coerce: last,
      choices: ['prod', 'nonprod'] as const,
      describe: 'Classify every stack as prod or nonprod',
    })
    .option('baseline-fingerprints', {
      coerce: last,
      type: 'string',
      describe: 'JSON file of accepted finding fingerprints (reported as suppressed)',
    })
    .option('write-baseline-fingerprints', {
      coerce: last,
      type: 'string',
      describe: 'Write the fingerprints of all current findings to this file',
    })
    .option('baseline', {
      coerce: last,
      type: 'string',
      describe: 'Diff mode: the deployed template, folder or cdk.out (- for stdin) to judge the change against',
    })
    .option('baseline-parameters', {
      type: 'string',
      array: true,
      describe: 'Diff mode: parameter values of the deployed stack, Key=Value ... (default: those of --parameters)',
    })
    .command(
      ['$0 [paths..]'],
      'Lint templates (files, folders, cdk.out, - for stdin)',
      (y) => y.positional('paths', { type: 'string', array: true, default: [] as string[] }),
      async (a) => {
        const kv = keyValueOptions(a);
        const paths = [...((a.paths as string[]) ?? []), ...kv.spilled].map(undash);
        code = await runLint(lintArgs(a, kv, paths, a.baseline), io);
      },
    )
    .command(
      'diff [old] [new]',
      'Judge a change: lint <new> against the deployed <old> (files, folders, cdk.out; - for stdin on one side)',
      (y) =>
        y
          .positional('old', { type: 'string', describe: 'The deployed template(s)' })
          .positional('new', { type: 'string', describe: 'The template(s) about to be deployed' }),
      async (a) => {
        if (a.baseline !== undefined)
          throw new UsageError('archlint diff takes the baseline as <old>; drop --baseline');
        // The sides are checked here rather than by yargs, which counts them before the paths that -p took.
        const kv = keyValueOptions(a);
        const sides = [a.old, a.new].filter((p) => p !== undefined).map(String);
        sides.push(...kv.spilled);
        sides.sort((x, y) => argv.indexOf(x) - argv.indexOf(y));
        if (sides.length !== 2)
          throw new UsageError(
            `archlint diff needs two paths, <old> (deployed) and <new>; got ${sides.length ? sides.map(undash).join(' ') : 'none'}`,
          );
        const [oldSide, newSide] = sides as [string, string];
        code = await runLint(lintArgs(a, kv, [newSide], oldSide), io);
      },
    )
    .command(
      'rules',
      'List the rules (--format json for their metadata)',
      () => {},
      (a) => {
        io.stdout(listRules(builtinRules, a.format === 'json' ? 'json' : 'text'));
      },
    )
    .command(
      'explain <rule-id>',
      'Explain a rule: rationale, remediation and examples',
      (y) => y.positional('rule-id', { type: 'string', demandOption: true }),
      (a) => {
        const id = String(a['rule-id']);
        const text = explainRule(builtinRules, id, {
          bad: readExample(id, 'bad'),
          good: readExample(id, 'good'),
          baseline: readExample(id, 'baseline'),
        });
        if (text === undefined) {
          io.stderr(`archlint: unknown rule "${String(a['rule-id'])}"; run \`archlint rules\` for the list\n`);
          code = 2;
        } else io.stdout(text);
      },
    )
    .strict()
    .help()
    .alias('h', 'help')
    .version(packageVersion())
    .exitProcess(false)
    .showHelpOnFail(false)
    .fail((msg, err) => {
      failure = msg || err?.message || 'invalid arguments';
    })
    .wrap(Math.min(110, process.stdout.columns || 100));
  try {
    let helpOut = '';
    await parser.parseAsync([...argv], {}, (_err, _argv, output) => {
      helpOut = output;
    });
    if (helpOut && !failure) io.stdout(helpOut + '\n');
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError) {
      io.stderr(`archlint: ${e.message}\n`);
      return 2;
    }
    if (!failure) {
      io.stderr(`archlint: ${(e as Error).stack ?? String(e)}\n`);
      return 2;
    }
  }
  if (failure) {
    io.stderr(`archlint: ${failure}\nRun archlint --help for usage.\n`);
    return 2;
  }
  return code;
}
