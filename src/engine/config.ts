import { isRecord } from '../parse/parse';
import type { Environment, Severity } from '../types';

/** A rule setting: off, a severity, or a severity plus rule options. */
export interface RuleSetting {
  enabled: boolean;
  severity?: Severity;
  options?: Record<string, unknown>;
}

export interface EnvironmentMatcher {
  /** Glob-like patterns on the stack name (`*` matches any run of characters). */
  stackNames?: string[];
  /** Tag key -> accepted values (case-insensitive). Stack tags, or the tags of the resource itself. */
  tags?: Record<string, string[]>;
}

/** Resolved configuration, as the engine consumes it (the CLI and the CDK adapters read files). */
export interface Config {
  rules: Record<string, RuleSetting>;
  parameters: Record<string, unknown>;
  /** Pseudo parameter values keyed by their CloudFormation name, e.g. `AWS::Region`. */
  pseudoParameters: Record<string, string>;
  environments: {
    /** Classification of stacks that no matcher classifies. */
    default?: Environment;
    prod?: EnvironmentMatcher;
    nonprod?: EnvironmentMatcher;
  };
  ignore: string[];
  /** Path of a baseline file of fingerprints (resolved by the CLI). */
  baseline?: string;
  /** Custom rule modules (resolved and loaded by the CLI). */
  plugins: string[];
  /** Snapshots and other outside facts that make unknown inputs known, free-form per rule family. */
  facts: Record<string, unknown>;
}

export function emptyConfig(): Config {
  return { rules: {}, parameters: {}, pseudoParameters: {}, environments: {}, ignore: [], plugins: [], facts: {} };
}

const PSEUDO_ALIASES: Record<string, string> = {
  region: 'AWS::Region',
  account: 'AWS::AccountId',
  accountId: 'AWS::AccountId',
  partition: 'AWS::Partition',
  urlSuffix: 'AWS::URLSuffix',
  stackName: 'AWS::StackName',
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function parseRuleSetting(id: string, v: unknown): RuleSetting {
  if (v === false || v === 'off') return { enabled: false };
  if (v === true || v === 'on') return { enabled: true };
  if (v === 'error' || v === 'warning' || v === 'info') return { enabled: true, severity: v };
  if (isRecord(v)) {
    const s = v.severity;
    if (s === 'off') return { enabled: false };
    if (s !== undefined && s !== 'error' && s !== 'warning' && s !== 'info') {
      throw new ConfigError(`rules.${id}.severity must be off, error, warning or info`);
    }
    return {
      enabled: v.enabled !== false,
      severity: s as Severity | undefined,
      options: isRecord(v.options) ? { ...v.options } : undefined,
    };
  }
  throw new ConfigError(`rules.${id} must be off, error, warning, info or an object`);
}

function matcher(where: string, v: unknown): EnvironmentMatcher | undefined {
  if (v === undefined) return undefined;
  if (!isRecord(v)) throw new ConfigError(`${where} must be an object with stackNames and/or tags`);
  const out: EnvironmentMatcher = {};
  if (v.stackNames !== undefined) {
    const list = Array.isArray(v.stackNames) ? v.stackNames : [v.stackNames];
    out.stackNames = list.map(String);
  }
  if (v.tags !== undefined) {
    if (!isRecord(v.tags)) throw new ConfigError(`${where}.tags must map tag keys to values`);
    out.tags = {};
    for (const [k, vals] of Object.entries(v.tags)) out.tags[k] = (Array.isArray(vals) ? vals : [vals]).map(String);
  }
  return out;
}

/** Validate a config object read from YAML/JSON and normalise it. Throws ConfigError. */
export function normalizeConfig(raw: unknown): Config {
  const c = emptyConfig();
  if (raw === undefined || raw === null) return c;
  if (!isRecord(raw)) throw new ConfigError('the configuration must be a mapping');
  const known = new Set([
    'rules',
    'parameters',
    'pseudoParameters',
    'environments',
    'ignore',
    'baseline',
    'plugins',
    'facts',
    'extends',
  ]);
  for (const k of Object.keys(raw)) if (!known.has(k)) throw new ConfigError(`unknown configuration key "${k}"`);
  if (raw.rules !== undefined) {
    if (!isRecord(raw.rules)) throw new ConfigError('rules must map rule ids to settings');
    for (const [id, v] of Object.entries(raw.rules)) c.rules[id] = parseRuleSetting(id, v);
  }
  if (raw.parameters !== undefined) {
    if (!isRecord(raw.parameters)) throw new ConfigError('parameters must map parameter names to values');
    c.parameters = { ...raw.parameters };
  }
  if (raw.pseudoParameters !== undefined) {
    if (!isRecord(raw.pseudoParameters)) throw new ConfigError('pseudoParameters must be a mapping');
    for (const [k, v] of Object.entries(raw.pseudoParameters)) {
      const name = Object.prototype.hasOwnProperty.call(PSEUDO_ALIASES, k) ? PSEUDO_ALIASES[k]! : k;
      if (!name.startsWith('AWS::')) throw new ConfigError(`unknown pseudo parameter "${k}"`);
      c.pseudoParameters[name] = String(v);
    }
  }
  if (raw.environments !== undefined) {
    const e = raw.environments;
    if (!isRecord(e)) throw new ConfigError('environments must be a mapping');
    if (e.default !== undefined) {
      if (e.default !== 'prod' && e.default !== 'nonprod' && e.default !== 'unclassified') {
        throw new ConfigError('environments.default must be prod, nonprod or unclassified');
      }
      c.environments.default = e.default;
    }
    c.environments.prod = matcher('environments.prod', e.prod);
    c.environments.nonprod = matcher('environments.nonprod', e.nonprod);
  }
  if (raw.ignore !== undefined) c.ignore = (Array.isArray(raw.ignore) ? raw.ignore : [raw.ignore]).map(String);
  if (raw.baseline !== undefined) c.baseline = String(raw.baseline);
  if (raw.plugins !== undefined) c.plugins = (Array.isArray(raw.plugins) ? raw.plugins : [raw.plugins]).map(String);
  if (raw.facts !== undefined) {
    if (!isRecord(raw.facts)) throw new ConfigError('facts must be a mapping');
    c.facts = { ...raw.facts };
  }
  return c;
}

/** Merge b over a (b wins). Used for CLI flags over the config file. */
export function mergeConfig(a: Config, b: Partial<Config>): Config {
  return {
    rules: { ...a.rules, ...b.rules },
    parameters: { ...a.parameters, ...b.parameters },
    pseudoParameters: { ...a.pseudoParameters, ...b.pseudoParameters },
    environments: { ...a.environments, ...b.environments },
    ignore: [...a.ignore, ...(b.ignore ?? [])],
    baseline: b.baseline ?? a.baseline,
    plugins: [...a.plugins, ...(b.plugins ?? [])],
    facts: { ...a.facts, ...b.facts },
  };
}

/** `*` matches any run of characters, `?` one character; case-insensitive. */
export function globToRegExp(glob: string): RegExp {
  const re = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i');
}

function matches(
  m: EnvironmentMatcher | undefined,
  stackName: string | undefined,
  tags: Record<string, string>,
): boolean {
  if (!m) return false;
  if (stackName && m.stackNames?.some((p) => globToRegExp(p).test(stackName))) return true;
  if (m.tags) {
    for (const [k, vals] of Object.entries(m.tags)) {
      const have = tags[k];
      if (have !== undefined && vals.some((v) => v.toLowerCase() === have.toLowerCase())) return true;
    }
  }
  return false;
}

/** Classify a stack (or a resource, with its own tags merged over the stack's) as prod / nonprod / unclassified. */
export function classifyEnvironment(
  config: Config,
  stackName: string | undefined,
  tags: Record<string, string>,
): Environment {
  if (matches(config.environments.prod, stackName, tags)) return 'prod';
  if (matches(config.environments.nonprod, stackName, tags)) return 'nonprod';
  return config.environments.default ?? 'unclassified';
}
