/** The pure lint API (no file system). */
import { builtinRules } from '../rules/index';
import { emptyConfig, mergeConfig, normalizeConfig, type Config } from './engine/config';
import { lintTemplates, type LintInput, type LintOptions } from './engine/linter';
import type { Rule } from './engine/rule';
import type { LintResult } from './types';

export interface ApiOptions {
  /** Rules to run (default: every built-in rule plus `extraRules`). */
  rules?: readonly Rule[];
  extraRules?: readonly Rule[];
  /** Configuration, as a resolved Config or as the raw object of an archlint.config.yaml. */
  config?: Config | Record<string, unknown>;
  /** Parameter values (override config and Default values). */
  parameters?: Record<string, unknown>;
  /** Fingerprints accepted in a baseline file. */
  baselineFingerprints?: ReadonlySet<string>;
  extendContext?: LintOptions['extendContext'];
}

function isConfig(c: unknown): c is Config {
  const x = c as Config;
  return (
    !!x && typeof x === 'object' && Array.isArray(x.ignore) && Array.isArray(x.plugins) && typeof x.rules === 'object'
  );
}

export function resolveConfig(options: ApiOptions = {}): Config {
  let config =
    options.config === undefined
      ? emptyConfig()
      : isConfig(options.config)
        ? options.config
        : normalizeConfig(options.config);
  if (options.parameters) config = mergeConfig(config, { parameters: options.parameters });
  return config;
}

/** Lint one or more templates given as text or objects. Pure: reads no files. */
export function lint(input: LintInput | readonly LintInput[], options: ApiOptions = {}): LintResult {
  const inputs = Array.isArray(input) ? (input as readonly LintInput[]) : [input as LintInput];
  return lintTemplates(inputs, {
    rules: [...(options.rules ?? builtinRules), ...(options.extraRules ?? [])],
    config: resolveConfig(options),
    baselineFingerprints: options.baselineFingerprints,
    extendContext: options.extendContext,
  });
}
