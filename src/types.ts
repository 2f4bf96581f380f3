/** Public types shared by the engine, the rules, the CLI and the CDK adapters. */

export type Severity = 'error' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];
export const SEVERITY_RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

export type Pillar = 'security' | 'reliability' | 'performance' | 'cost' | 'operations';
export type Tier = 'H' | '1' | '2';
export type Scope = 'resource' | 'graph' | 'template' | 'diff';

/** A property path below a resource, e.g. ['Properties', 'SecurityGroupIngress', 0, 'CidrIp']. */
export type PathSegment = string | number;
export type PropertyPath = readonly PathSegment[];

/** Environment classification of a stack (catalog 1.2). */
export type Environment = 'prod' | 'nonprod' | 'unclassified';

export interface SourceRange {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface RelatedLocation extends SourceRange {
  file: string;
  logicalId?: string;
  path: PathSegment[];
  message: string;
}

export interface Suppression {
  kind: 'metadata' | 'template-metadata' | 'cdk-acknowledgement' | 'baseline';
  reason: string;
}

export interface Finding extends SourceRange {
  ruleId: string;
  severity: Severity;
  message: string;
  file: string;
  logicalId?: string;
  resourceType?: string;
  /** Path from the resource (or template root for template-scope findings). */
  path: PathSegment[];
  constructPath?: string;
  related?: RelatedLocation[];
  /** Stable across unrelated edits: rule + file + logical id + path. */
  fingerprint: string;
  remediation?: string;
  suppressed?: Suppression;
  /** Name of the stack, when known (cdk.out) */
  stack?: string;
}

/** A rule outcome that could not be decided because an input is unknown. Never a finding. */
export interface UnknownOutcome {
  ruleId: string;
  file: string;
  logicalId?: string;
  path: PathSegment[];
  why: string;
}

export interface InputError {
  file: string;
  message: string;
}

export interface Summary {
  files: number;
  resources: number;
  errors: number;
  warnings: number;
  infos: number;
  suppressed: number;
  unknown: number;
}

export interface LintResult {
  findings: Finding[];
  unknowns: UnknownOutcome[];
  errors: InputError[];
  summary: Summary;
}
