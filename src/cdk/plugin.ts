/**
 * archlint as a CDK policy validation plugin:
 *
 *   Validations.of(app).addPlugins(new ArchlintValidator({ failOn: 'error' }));
 *
 * The CDK calls `validate()` after it has written the cloud assembly. The plugin lints every stack template it
 * is given and the nested stack templates below them, reading the same assembly files as `archlint cdk.out`.
 */
import { dirname, basename, resolve } from 'node:path';
import type {
  IPolicyValidationContext,
  IPolicyValidationPlugin,
  PolicyValidationPluginReport,
  PolicyViolation,
} from 'aws-cdk-lib';
import { lint } from '../api';
import { assemblyInputs } from '../cli/files';
import { packageVersion } from '../cli/main';
import type { LintInput } from '../engine/linter';
import type { Finding, InputError, LintResult, Severity } from '../types';
import {
  effectiveFailOn,
  meetsThreshold,
  resolveOptions,
  stackEnvironment,
  stacksByPath,
  treeAcknowledgements,
  type ArchlintCdkOptions,
  type ResolvedOptions,
} from './options';

export type ArchlintValidatorOptions = ArchlintCdkOptions;

/** Name of the plugin in the CDK report; acknowledgement ids are `archlint::<rule-id>`. */
export const PLUGIN_NAME = 'archlint';

/** Severity shown to the CDK: findings at or above the threshold are errors (they fail synthesis), others not. */
export function reportedSeverity(f: Finding, failOn: Severity | 'none'): Severity {
  if (meetsThreshold(f, failOn)) return 'error';
  return f.severity === 'error' ? 'warning' : f.severity;
}

export class ArchlintValidator implements IPolicyValidationPlugin {
  public readonly name = PLUGIN_NAME;
  public readonly version: string;
  public readonly ruleIds: string[];
  /** The result of the last `validate()` call: every finding, suppressed ones included. */
  public lastResult?: LintResult;
  private readonly resolved: ResolvedOptions;

  constructor(private readonly options: ArchlintValidatorOptions = {}) {
    this.resolved = resolveOptions(options);
    this.version = packageVersion();
    this.ruleIds = this.resolved.rules.map((r) => r.id);
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const { cwd } = this.resolved;
    const root = context.appConstruct as IPolicyValidationContext['appConstruct'] | undefined;
    const failOn = root ? effectiveFailOn(root, this.resolved.failOn) : this.resolved.failOn;
    const errors: InputError[] = [];
    const inputs = collectInputs(context, cwd, errors);
    if (root) {
      const stacks = stacksByPath(root);
      const acknowledgements = treeAcknowledgements(root);
      for (const input of inputs) {
        const stack = input.cdk?.stackPath !== undefined ? stacks.get(input.cdk.stackPath) : undefined;
        const environment = stack ? stackEnvironment(stack, this.options) : undefined;
        if (environment) input.environment = environment;
        // The construct tree also holds acknowledgements on the App and on Stages, which the assembly does not.
        input.cdk = { ...input.cdk, acknowledgements };
      }
    }
    const result = lint(inputs, { rules: this.resolved.rules, config: this.resolved.config });
    result.errors.unshift(...errors);
    this.lastResult = result;

    const absolute = new Map(inputs.map((i) => [i.file, resolve(cwd, i.file)]));
    const violations: PolicyViolation[] = [];
    const suppressedElsewhere: string[] = [];
    for (const f of result.findings) {
      if (f.suppressed && f.suppressed.kind !== 'cdk-acknowledgement') {
        // Suppressed in template Metadata or by a baseline: the CDK cannot show these, list them in the metadata.
        suppressedElsewhere.push(`${f.ruleId} on ${f.constructPath ?? f.logicalId ?? f.file} (${f.suppressed.reason})`);
        continue;
      }
      // Acknowledged findings are reported too: the CDK moves them to the report's suppressed violations.
      violations.push(toViolation(f, absolute.get(f.file) ?? resolve(cwd, f.file), failOn));
    }
    const failing = result.findings.filter((f) => !f.suppressed && meetsThreshold(f, failOn)).length;
    const s = result.summary;
    const metadata: Record<string, string> = {
      summary: `${s.files} templates, ${s.resources} resources: ${s.errors} errors, ${s.warnings} warnings, ${s.infos} info, ${s.suppressed} suppressed, ${s.unknown} unknown`,
      failOn,
    };
    if (suppressedElsewhere.length) metadata.suppressed = suppressedElsewhere.join('; ');
    if (result.errors.length) metadata.error = result.errors.map((e) => e.message).join('\n');
    return {
      success: failing === 0 && result.errors.length === 0,
      violations,
      pluginVersion: this.version,
      metadata,
    };
  }
}

/** Lint inputs for the templates the CDK hands over, nested stacks included, grouped by assembly folder. */
function collectInputs(context: IPolicyValidationContext, cwd: string, errors: InputError[]): LintInput[] {
  const paths = context.stackTemplates?.length
    ? context.stackTemplates.map((s) => s.templatePath)
    : [...context.templatePaths];
  const byDir = new Map<string, Set<string>>();
  for (const p of paths) {
    const dir = dirname(resolve(p));
    let set = byDir.get(dir);
    if (!set) byDir.set(dir, (set = new Set()));
    set.add(basename(p));
  }
  const inputs: LintInput[] = [];
  for (const [dir, templateFiles] of byDir) {
    inputs.push(...assemblyInputs(dir, cwd, errors, { templateFiles, stages: false }));
  }
  return inputs;
}

function toViolation(f: Finding, templatePath: string, failOn: Severity | 'none'): PolicyViolation {
  const locations = f.path.length ? [f.path.join('.')] : [];
  return {
    ruleName: f.ruleId,
    description: f.message,
    ...(f.remediation ? { fix: f.remediation } : {}),
    severity: reportedSeverity(f, failOn),
    ruleMetadata: {
      severity: f.severity,
      location: `${f.file}:${f.line}:${f.column}`,
      fingerprint: f.fingerprint,
      ...(f.constructPath ? { constructPath: f.constructPath } : {}),
    },
    violatingResources: [
      f.logicalId
        ? { resourceLogicalId: f.logicalId, templatePath, locations }
        : { constructPath: f.constructPath, templatePath, locations },
    ],
  };
}
