import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinRules } from '../../rules/index';
import type { Finding } from '../../src/types';

/** What must agree between the validator, the Aspect and the CLI for one finding. */
export function findingKey(f: Finding): string {
  return [
    f.ruleId,
    f.severity,
    f.constructPath ?? '-',
    f.logicalId ?? '-',
    f.path.join('.'),
    f.file.split('/').pop(),
    f.line,
    f.column,
    f.suppressed ? `suppressed(${f.suppressed.kind}: ${f.suppressed.reason})` : 'open',
  ].join(' | ');
}

export function keys(findings: readonly Finding[]): string[] {
  return findings.map(findingKey).sort();
}

/** The CDK's own validation report (`validation-report.json` in the cloud assembly). */
export interface ValidationReport {
  pluginReports: {
    pluginName: string;
    conclusion: string;
    metadata?: Record<string, string>;
    violations: ReportViolation[];
    suppressedViolations?: (ReportViolation & { acknowledgedId: string; reason?: string; acknowledgedAt?: string })[];
  }[];
}

export interface ReportViolation {
  ruleName: string;
  description: string;
  suggestedFix?: string;
  severity: string;
  ruleMetadata?: Record<string, string>;
  violatingConstructs: {
    constructPath: string;
    cloudFormationResource?: { templatePath: string; logicalId: string; propertyPaths?: string[] };
  }[];
}

export function readReport(outdir: string): ValidationReport {
  return JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
}

export function archlintReport(outdir: string): ValidationReport['pluginReports'][number] {
  const r = readReport(outdir).pluginReports.find((p) => p.pluginName === 'archlint');
  if (!r) throw new Error('no archlint report in validation-report.json');
  return r;
}

/** Expected findings of the fixture app (open ones), as rule id -> construct path. */
export const EXPECTED_OPEN = [
  ['cfn-stateful-deletion-policy', 'Data/Db/Resource', 'error'],
  ['cfn-stateful-deletion-policy', 'Data/Db/Secret/Resource', 'warning'],
  ['cfn-stateful-deletion-policy', 'Data/Uploads/Resource', 'warning'],
  ['sg-admin-ports-open-to-internet', 'Network/Bastion/Resource', 'error'],
  ['s3-public-access', 'Web/Logs/Resource', 'warning'],
] as const;

/** The rules these tests rely on; rules that land later are turned off so that the expectations stay valid. */
export const BASE_RULES = ['cfn-stateful-deletion-policy', 'sg-admin-ports-open-to-internet', 's3-public-access'];
export const ONLY_BASE_RULES: Record<string, 'off'> = Object.fromEntries(
  builtinRules.filter((r) => !BASE_RULES.includes(r.id)).map((r) => [r.id, 'off' as const]),
);

/** The fixture's config: stacks tagged env=prod are production (the Data stack); only the base rules. */
export const FIXTURE_CONFIG = { environments: { prod: { tags: { env: ['prod'] } } }, rules: ONLY_BASE_RULES };

/** The same with every rule, for comparisons between the three ways. */
export const FIXTURE_CONFIG_ALL_RULES = { environments: { prod: { tags: { env: ['prod'] } } } };
