import type { Config } from './config';
import type { Rule } from './rule';
import type { Environment, PathSegment, Severity } from '../types';
import type { Resource, TemplateModel } from '../model/template';
import type { ReferenceGraph } from '../model/graph';
import type { Evaluator, Value } from '../model/values';
import type { TemplateDiff } from '../diff/types';

/** A location related to a finding (another resource, another entry, the baseline file). */
export interface RelatedInput {
  /** Resource the location is in; omit for a template-level path. */
  logicalId?: string;
  /** Path below the resource node (or the template root when logicalId is omitted). */
  path?: readonly PathSegment[];
  message: string;
  /** The template the location is in (defaults to the current one; diff rules pass the baseline). */
  model?: TemplateModel;
}

export interface ReportOptions {
  /** Path below the resource node, e.g. ['Properties', 'StorageEncrypted']. Defaults to the resource itself. */
  path?: readonly PathSegment[];
  message: string;
  /** Overrides the rule's default severity (environment-dependent rules). Config overrides win over this. */
  severity?: Severity;
  related?: readonly RelatedInput[];
  /** Distinguishes several findings of one rule at the same path (part of the fingerprint). */
  key?: string;
  /** The finding holds whether or not a resource with an unknown Condition exists (catalog 1.2 rule 3). */
  regardlessOfCondition?: boolean;
  /** Report in another template (diff rules: a removed resource is reported in the baseline). */
  model?: TemplateModel;
}

export interface UnknownOptions {
  path?: readonly PathSegment[];
  why: string;
}

/** A memoised per-template view (network, load balancing, data) built on first use. */
export interface ViewFactory<T> {
  readonly name: string;
  build(ctx: TemplateContext): T;
}

export function defineView<T>(name: string, build: (ctx: TemplateContext) => T): ViewFactory<T> {
  return { name, build };
}

/** Everything known about one template during a lint run. */
export interface TemplateContext {
  readonly model: TemplateModel;
  readonly evaluator: Evaluator;
  readonly graph: ReferenceGraph;
  readonly config: Config;
  /** Every template of this lint run (multi-template reasoning). */
  readonly models: readonly TemplateModel[];
  /** Stack tags, when known (cdk.out manifest, CDK API). */
  readonly stackTags: Readonly<Record<string, string>>;
  value(resource: Resource, path: readonly PathSegment[]): Value;
  exists(resource: Resource | string): 'yes' | 'no' | 'maybe';
  environment(resource?: Resource): Environment;
  view<T>(factory: ViewFactory<T>): T;
  /** Extension slot for adapters (diff mode sets `baseline`). */
  readonly extensions: Record<string, unknown>;
  /**
   * Diff mode only: the deployed template (the baseline), evaluated under its own parameter values, with the
   * resource-level diff against this template. Set through the `extendContext` hook of `lintTemplates`.
   */
  baseline?: BaselineContext;
}

/** The deployed template in diff mode, and its diff against the new template. */
export interface BaselineContext extends TemplateContext {
  /** Resource matching, property changes and replacements between the baseline and the new template. */
  readonly diff: TemplateDiff;
}

export interface RuleContext extends TemplateContext {
  readonly rule: Rule;
  /** Options for this rule from the config file. */
  readonly options: Readonly<Record<string, unknown>>;
  report(resource: Resource | undefined, opts: ReportOptions): void;
  unknown(resource: Resource | undefined, opts: UnknownOptions): void;
}
