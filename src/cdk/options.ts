/** Options shared by the CDK validator and the CDK Aspect, resolved the way the CLI resolves its own. */
import { resolve } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { builtinRules } from '../../rules/index';
import { emptyConfig, mergeConfig, normalizeConfig, parseRuleSetting, type Config } from '../engine/config';
import type { Rule } from '../engine/rule';
import { CDK_ACK_KEY, normalizeConstructPath, type CdkAcknowledgement } from '../parse/cdk-assembly';
import { findConfigFile, readConfigFile } from '../cli/config-file';
import { loadPlugins } from '../cli/main';
import { SEVERITY_RANK, type Environment, type Finding, type Severity } from '../types';

/** CDK context key that classifies the stacks below the node it is set on: `prod`, `nonprod` or `unclassified`. */
export const ENVIRONMENT_CONTEXT_KEY = 'archlint:environment';

/**
 * CDK context key that overrides the failure threshold (`failOn`), e.g. `cdk synth -c archlint:failOn=none` in a
 * CI job that reports through `archlint cdk.out` instead.
 */
export const FAIL_ON_CONTEXT_KEY = 'archlint:failOn';

/** The threshold: the `archlint:failOn` context of the scope when set, the option otherwise. */
export function effectiveFailOn(scope: IConstruct, fromOptions: Severity | 'none'): Severity | 'none' {
  const ctx: unknown = scope.node.tryGetContext(FAIL_ON_CONTEXT_KEY);
  if (ctx === undefined || ctx === null || ctx === '') return fromOptions;
  if (ctx === 'none' || (typeof ctx === 'string' && ctx in SEVERITY_RANK)) return ctx as Severity | 'none';
  throw new Error(
    `CDK context ${FAIL_ON_CONTEXT_KEY} must be error, warning, info or none, not ${JSON.stringify(ctx)}`,
  );
}

/** A rule setting as written in archlint.config.yaml: off, a severity, or `{ severity, options }`. */
export type RuleSettingInput =
  | 'off'
  | 'on'
  | Severity
  | boolean
  | { severity?: Severity | 'off'; enabled?: boolean; options?: Record<string, unknown> };

export interface ArchlintCdkOptions {
  /**
   * Configuration file (archlint.config.yaml, .yml or .json), resolved against `cwd`.
   * @default the first archlint.config.{yaml,yml,json} found upward from `cwd`; `false` reads none
   */
  readonly configFile?: string | false;
  /** Configuration object in the config file's format, applied over the file. */
  readonly config?: Record<string, unknown>;
  /** Rule overrides, applied over the configuration (like the CLI's `--rule id=severity`). */
  readonly rules?: Readonly<Record<string, RuleSettingInput>>;
  /** Template parameter values (like the CLI's `--parameters`). */
  readonly parameters?: Readonly<Record<string, unknown>>;
  /**
   * Environment of the stacks: a fixed classification, or a function of the stack (return undefined to fall
   * back). Otherwise the `archlint:environment` CDK context value of the stack, otherwise the configuration's
   * `environments` matchers on the stack name and the stack tags.
   */
  readonly environment?: Environment | ((stack: Stack) => Environment | undefined);
  /**
   * Lowest severity that fails synthesis (validator) or is attached as an error (Aspect); `none` never fails.
   * The CDK context value `archlint:failOn` overrides it.
   * @default 'error'
   */
  readonly failOn?: Severity | 'none';
  /** Rules to run in addition to the built-in rules and the config file's `plugins`. */
  readonly extraRules?: readonly Rule[];
  /**
   * Folder the config file is searched from, and that reported file names are relative to.
   * @default process.cwd()
   */
  readonly cwd?: string;
}

export interface ResolvedOptions {
  config: Config;
  rules: Rule[];
  failOn: Severity | 'none';
  cwd: string;
}

/** Read the config file and apply the overrides. Throws ConfigError (at construction, before any synthesis). */
export function resolveOptions(options: ArchlintCdkOptions): ResolvedOptions {
  const cwd = resolve(options.cwd ?? process.cwd());
  const file =
    options.configFile === false
      ? undefined
      : options.configFile
        ? resolve(cwd, options.configFile)
        : findConfigFile(cwd);
  let config = file ? readConfigFile(file) : emptyConfig();
  if (options.config) config = mergeConfig(config, normalizeConfig(options.config));
  const rules: Config['rules'] = {};
  for (const [id, v] of Object.entries(options.rules ?? {}))
    rules[id] = { ...config.rules[id], ...parseRuleSetting(id, v) };
  config = mergeConfig(config, { rules, parameters: { ...options.parameters } });
  const failOn = options.failOn ?? 'error';
  if (failOn !== 'none' && !(failOn in SEVERITY_RANK)) throw new Error(`failOn must be error, warning, info or none`);
  return {
    config,
    rules: [...builtinRules, ...loadPlugins(config, cwd), ...(options.extraRules ?? [])],
    failOn,
    cwd,
  };
}

/** Whether a finding is at or above the failure threshold. */
export function meetsThreshold(f: Finding, failOn: Severity | 'none'): boolean {
  return failOn !== 'none' && SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn];
}

/** The top-level (non-nested) stack of a stack. */
export function rootStack(stack: Stack): Stack {
  let s = stack;
  while (s.nestedStackParent) s = s.nestedStackParent;
  return s;
}

/** Environment of a stack from the options or its CDK context; undefined lets the configuration decide. */
export function stackEnvironment(stack: Stack, options: ArchlintCdkOptions): Environment | undefined {
  if (typeof options.environment === 'function') {
    const e = options.environment(stack);
    if (e) return e;
  } else if (options.environment) return options.environment;
  const ctx: unknown = stack.node.tryGetContext(ENVIRONMENT_CONTEXT_KEY);
  if (ctx === undefined || ctx === null || ctx === '') return undefined;
  if (ctx === 'prod' || ctx === 'nonprod' || ctx === 'unclassified') return ctx;
  throw new Error(
    `${stack.node.path}: CDK context ${ENVIRONMENT_CONTEXT_KEY} must be prod, nonprod or unclassified, not ${JSON.stringify(ctx)}`,
  );
}

/** Acknowledgements recorded with `Validations.of(scope).acknowledge()` anywhere in the construct tree. */
export function treeAcknowledgements(root: IConstruct): CdkAcknowledgement[] {
  const out: CdkAcknowledgement[] = [];
  for (const c of root.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type !== CDK_ACK_KEY || !entry.data || typeof entry.data !== 'object') continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, unknown>)) {
        out.push({
          constructPath: normalizeConstructPath(c.node.path),
          id,
          reason: typeof reason === 'string' ? reason : '',
        });
      }
    }
  }
  return out;
}

/** Stacks (nested stacks included) below a construct, by construct path. */
export function stacksByPath(root: IConstruct): Map<string, Stack> {
  const out = new Map<string, Stack>();
  for (const c of root.node.findAll()) if (Stack.isStack(c)) out.set(c.node.path, c);
  return out;
}
