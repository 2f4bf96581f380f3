import { createHash } from 'node:crypto';
import { parseTemplate, ParseError, type SourceFormat, isRecord, ownString } from '../parse/parse';
import { SourceLocator } from '../parse/source-map';
import { buildModel, type Resource, type TemplateModel } from '../model/template';
import { ReferenceGraph } from '../model/graph';
import { Evaluator, known, type EvalEnv, type Value } from '../model/values';
import { classifyEnvironment, emptyConfig, type Config } from './config';
import type { RelatedInput, ReportOptions, RuleContext, TemplateContext, ViewFactory } from './context';
import type { Rule } from './rule';
import { Suppressions } from './suppress';
import type { CdkTemplateInfo } from '../parse/cdk-assembly';
import type {
  Environment,
  Finding,
  InputError,
  LintResult,
  PathSegment,
  RelatedLocation,
  Severity,
  Summary,
  UnknownOutcome,
} from '../types';

export const INTERNAL_ERROR_RULE = 'archlint-internal-error';
export const SUPPRESSION_RULE = 'archlint-suppression-reason';

/** One template to lint: its text (YAML/JSON), or an already-parsed template object. */
export interface LintInput {
  file: string;
  text?: string;
  template?: Record<string, unknown>;
  stackName?: string;
  stackTags?: Record<string, string>;
  /**
   * Environment of the stack, decided by the caller (CDK context, `--environment`); overrides the
   * configuration's stack name and tag matchers.
   */
  environment?: Environment;
  /** CDK facts: construct paths of the resources (from the cloud assembly or the construct tree), acknowledgements. */
  cdk?: CdkTemplateInfo;
  /**
   * false when the file was found by folder discovery: a YAML/JSON file that is not a CloudFormation
   * template is then skipped silently instead of being reported as an error.
   */
  explicit?: boolean;
  /**
   * The file name that fingerprints use (default: `file`). The CLI gives the path relative to the configuration
   * file's folder, so that a baseline of fingerprints matches whichever folder archlint is run from.
   */
  fingerprintFile?: string;
}

export interface LintOptions {
  rules: readonly Rule[];
  config?: Config;
  /** Fingerprints accepted in a baseline file: matching findings are kept, marked suppressed. */
  baselineFingerprints?: ReadonlySet<string>;
  /** Hook for adapters that extend the template context (diff mode). */
  extendContext?: (ctx: TemplateContext, models: readonly TemplateModel[]) => void;
  /** Called after each template (progress indicators). */
  onProgress?: (done: number, total: number) => void;
}

interface RawFinding {
  rule: Rule | undefined;
  ruleId: string;
  severity: Severity;
  message: string;
  model: TemplateModel;
  /**
   * The template being linted. It differs from `model` for a finding reported in another template (diff mode:
   * a removed resource in the baseline), which takes its suppressions, fingerprint file and stack from here.
   */
  owner: TemplateModel;
  resource?: Resource;
  /** Path from the template root. */
  path: PathSegment[];
  /** Path reported in the finding (from the resource node, or the template root). */
  relPath: PathSegment[];
  related: readonly RelatedInput[];
  key?: string;
}

interface Loaded {
  model: TemplateModel;
  input: LintInput;
}

/** The content of a text that is one JSON string literal, else undefined. */
function jsonStringContent(text: string): string | undefined {
  if (!/^\s*"/.test(text)) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Parse inputs into models. Non-templates found by discovery are skipped; other problems become errors. */
export function loadInputs(inputs: readonly LintInput[]): { loaded: Loaded[]; errors: InputError[] } {
  const loaded: Loaded[] = [];
  const errors: InputError[] = [];
  for (const input of inputs) {
    let text = input.text;
    try {
      let template: Record<string, unknown>;
      let format: SourceFormat = 'json';
      if (input.template) {
        const r = parseTemplate(JSON.stringify(input.template), input.file.endsWith('.json') ? input.file : undefined);
        if (r.kind !== 'template') throw new ParseError(r.reason);
        template = r.template;
      } else {
        let r = parseTemplate(text ?? '', input.file);
        // `aws cloudformation get-template --query TemplateBody --output json` gives a YAML stack's template as a
        // JSON string: read the template inside it (locations then refer to the decoded text).
        const inner = r.kind === 'template' ? undefined : jsonStringContent(text ?? '');
        if (inner !== undefined) {
          const ri = parseTemplate(inner);
          if (ri.kind === 'template') [r, text] = [ri, inner];
        }
        if (r.kind !== 'template') {
          if (input.explicit === false) continue;
          throw new ParseError(r.reason);
        }
        template = r.template;
        format = r.format;
      }
      loaded.push({
        model: buildModel({
          file: input.file,
          format,
          template,
          text,
          stackName: input.stackName,
          constructPaths: input.cdk?.constructPaths,
        }),
        input,
      });
    } catch (e) {
      if (input.explicit === false && !(e instanceof ParseError)) continue;
      const pe = e instanceof ParseError ? e : new ParseError(String((e as Error)?.message ?? e));
      const where = pe.line ? `:${pe.line}${pe.column ? `:${pe.column}` : ''}` : '';
      errors.push({ file: input.file, message: `${input.file}${where}: ${pe.message}` });
    }
  }
  return { loaded, errors };
}

/** Exports of the analysed templates, so that Fn::ImportValue resolves across them. */
function collectExports(loaded: readonly Loaded[], config: Config): Map<string, Value> {
  const exported = new Map<string, Value>();
  for (const { model, input } of loaded) {
    if (!model.outputs.size) continue;
    const ev = new Evaluator(model, { parameters: config.parameters, pseudo: pseudoFor(config, input) });
    for (const o of model.outputs.values()) {
      if (o.exportName === undefined) continue;
      const name = ev.value(o.exportName);
      if (name.kind !== 'known' || typeof name.value !== 'string') continue;
      const v = ev.value(o.value);
      // A reference to a resource of another template is an opaque physical id there.
      exported.set(
        name.value,
        v.kind === 'known' && typeof v.value === 'object' && v.value !== null ? known(`${name.value}`) : v,
      );
    }
  }
  return exported;
}

/**
 * The context of one template: its evaluator, lazy reference graph, memoised views and environment.
 * Used for the linted templates and, in diff mode, for their baselines.
 */
export function createTemplateContext(
  model: TemplateModel,
  input: LintInput,
  config: Config,
  models: readonly TemplateModel[],
  env: EvalEnv,
): TemplateContext {
  const evaluator = new Evaluator(model, env);
  let graph: ReferenceGraph | undefined;
  const views = new Map<ViewFactory<unknown>, unknown>();
  const stackTags = input.stackTags ?? {};
  const stackName = model.stackName ?? config.pseudoParameters['AWS::StackName'];
  const stackEnv = input.environment ?? classifyEnvironment(config, stackName, stackTags);
  const tctx: TemplateContext = {
    model,
    evaluator,
    get graph() {
      return (graph ??= new ReferenceGraph(model));
    },
    config,
    models,
    stackTags,
    value: (resource, path) => evaluator.at(resource, path),
    exists: (resource) => evaluator.exists(resource),
    environment: (resource?: Resource): Environment => {
      if (!resource || stackEnv !== 'unclassified') return stackEnv;
      return classifyEnvironment(config, stackName, { ...stackTags, ...resourceTags(resource, evaluator) });
    },
    view<T>(factory: ViewFactory<T>): T {
      if (!views.has(factory)) views.set(factory, factory.build(tctx));
      return views.get(factory) as T;
    },
    extensions: {},
  };
  return tctx;
}

export function pseudoFor(config: Config, input: LintInput): Record<string, unknown> {
  const p: Record<string, unknown> = { ...config.pseudoParameters };
  if (input.stackName && p['AWS::StackName'] === undefined) p['AWS::StackName'] = input.stackName;
  return p;
}

function resourceTags(r: Resource | undefined, ev: Evaluator): Record<string, string> {
  const out: Record<string, string> = {};
  if (!r) return out;
  const tags = ev.at(r, ['Properties', 'Tags']);
  if (tags.kind !== 'known') return out;
  if (Array.isArray(tags.value)) {
    for (const t of tags.value) {
      if (isRecord(t) && typeof t.Key === 'string' && (typeof t.Value === 'string' || typeof t.Value === 'number')) {
        out[t.Key] = String(t.Value);
      }
    }
  } else if (isRecord(tags.value)) {
    for (const [k, v] of Object.entries(tags.value)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}

/** Lint a set of templates with a set of rules. Pure: no file system, no console, no process. */
export function lintTemplates(inputs: readonly LintInput[], options: LintOptions): LintResult {
  const config = options.config ?? emptyConfig();
  const { loaded, errors } = loadInputs(inputs);
  // Not named `exports`: the CommonJS build would then read this Map for the module's exported constants.
  const stackExports = collectExports(loaded, config);
  const models = loaded.map((l) => l.model);
  const rawFindings: RawFinding[] = [];
  const unknowns: UnknownOutcome[] = [];
  const suppressionsByModel = new Map<TemplateModel, Suppressions>();

  const knownRuleIds = new Set(options.rules.map((r) => r.id));
  const enabled = options.rules.filter((r) => config.rules[r.id]?.enabled !== false);
  const dispatch = new Map<string, Rule[]>();
  const anyType: Rule[] = [];
  const templateRules: Rule[] = [];
  for (const r of enabled) {
    if (r.check) {
      for (const t of r.resourceTypes ?? []) {
        if (t === '*') anyType.push(r);
        else {
          const list = dispatch.get(t);
          if (list) list.push(r);
          else dispatch.set(t, [r]);
        }
      }
    }
    if (r.checkTemplate) templateRules.push(r);
  }

  let resourceCount = 0;
  for (const { model, input } of loaded) {
    resourceCount += model.resources.size;
    const tctx = createTemplateContext(model, input, config, models, {
      parameters: config.parameters,
      pseudo: pseudoFor(config, input),
      imports: stackExports,
    });
    const evaluator = tctx.evaluator;
    options.extendContext?.(tctx, models);

    const makeCtx = (rule: Rule): RuleContext => {
      const ctx: RuleContext = Object.create(tctx) as RuleContext;
      Object.defineProperties(ctx, {
        rule: { value: rule },
        options: { value: config.rules[rule.id]?.options ?? {} },
        report: {
          value: (resource: Resource | undefined, opts: ReportOptions) => {
            const target = opts.model ?? model;
            if (resource && !opts.model && !opts.regardlessOfCondition && evaluator.exists(resource) === 'maybe') {
              unknowns.push({
                ruleId: rule.id,
                file: model.file,
                logicalId: resource.logicalId,
                path: [...(opts.path ?? [])],
                why: `resource exists only when condition ${resource.condition} holds`,
              });
              return;
            }
            const relPath = [...(opts.path ?? [])];
            rawFindings.push({
              rule,
              ruleId: rule.id,
              severity: opts.severity ?? rule.severity,
              message: opts.message,
              model: target,
              owner: model,
              resource,
              path: resource ? ['Resources', resource.logicalId, ...relPath] : relPath,
              relPath,
              related: opts.related ?? [],
              key: opts.key,
            });
          },
        },
        unknown: {
          value: (resource: Resource | undefined, opts: { path?: readonly PathSegment[]; why: string }) => {
            unknowns.push({
              ruleId: rule.id,
              file: model.file,
              logicalId: resource?.logicalId,
              path: [...(opts.path ?? [])],
              why: opts.why,
            });
          },
        },
      });
      return ctx;
    };

    const ctxCache = new Map<Rule, RuleContext>();
    const ctxFor = (rule: Rule): RuleContext => {
      let c = ctxCache.get(rule);
      if (!c) ctxCache.set(rule, (c = makeCtx(rule)));
      return c;
    };
    const internal = (rule: Rule, e: unknown, resource?: Resource): void => {
      const err = e as Error;
      rawFindings.push({
        rule: undefined,
        ruleId: INTERNAL_ERROR_RULE,
        severity: 'error',
        message: `internal error in rule ${rule.id}${resource ? ` on ${resource.logicalId}` : ''}: ${err?.message ?? String(e)}`,
        model,
        owner: model,
        resource,
        path: resource ? ['Resources', resource.logicalId] : [],
        relPath: [],
        related: [],
        key: rule.id,
      });
    };

    // One pass over the resources, dispatching by type.
    for (const resource of model.resources.values()) {
      const rules = dispatch.get(resource.type);
      if (!rules && !anyType.length) continue;
      if (evaluator.exists(resource) === 'no') continue;
      for (const list of [rules, anyType]) {
        if (!list) continue;
        for (const rule of list) {
          try {
            rule.check!(resource, ctxFor(rule));
          } catch (e) {
            internal(rule, e, resource);
          }
        }
      }
    }
    for (const rule of templateRules) {
      try {
        rule.checkTemplate!(ctxFor(rule));
      } catch (e) {
        internal(rule, e);
      }
    }

    // Suppressions without a reason are not honoured and are reported.
    const sup = new Suppressions(model, input.cdk);
    for (const s of sup.all) {
      const unknownRule = !knownRuleIds.has(s.ruleId) && !s.ruleId.startsWith('archlint-');
      if (s.reason && !unknownRule) continue;
      const what =
        s.kind === 'cdk-acknowledgement'
          ? `acknowledgement of archlint::${s.ruleId} on ${s.constructPath || 'the app'}`
          : `suppression of ${s.ruleId}${s.logicalId ? ` on ${s.logicalId}` : ''}`;
      rawFindings.push({
        rule: undefined,
        ruleId: SUPPRESSION_RULE,
        severity: 'warning',
        message: unknownRule
          ? `${what} names a rule archlint does not have, so it suppresses nothing; check the id (archlint rules lists them)`
          : `${what} has no reason, so it is not honoured; add a reason`,
        model,
        owner: model,
        resource: s.logicalId ? model.resources.get(s.logicalId) : undefined,
        path: s.path,
        relPath: s.logicalId ? s.path.slice(2) : s.path,
        related: [],
        key: s.ruleId,
      });
    }
    suppressionsByModel.set(model, sup);
    options.onProgress?.(suppressionsByModel.size, loaded.length);
  }

  const findings = finalize(rawFindings, config, options.baselineFingerprints, loaded, suppressionsByModel);
  const summary: Summary = {
    files: loaded.length,
    resources: resourceCount,
    errors: 0,
    warnings: 0,
    infos: 0,
    suppressed: 0,
    unknown: unknowns.length,
  };
  for (const f of findings) {
    if (f.suppressed) summary.suppressed++;
    else if (f.severity === 'error') summary.errors++;
    else if (f.severity === 'warning') summary.warnings++;
    else summary.infos++;
  }
  return { findings, unknowns, errors, summary };
}

function finalize(
  raw: RawFinding[],
  config: Config,
  baseline: ReadonlySet<string> | undefined,
  loaded: readonly Loaded[],
  suppressionsByModel: ReadonlyMap<TemplateModel, Suppressions>,
): Finding[] {
  const locators = new Map<TemplateModel, SourceLocator>();
  const locate = (model: TemplateModel, path: readonly PathSegment[]) => {
    let loc = locators.get(model);
    if (!loc) {
      const text = model.text ?? JSON.stringify(model.template, null, 2);
      loc = new SourceLocator(text, model.text ? model.format : 'json');
      locators.set(model, loc);
    }
    return loc.locate(path);
  };
  const stackOf = new Map(loaded.map((l) => [l.model, l.input.stackName]));
  const cdkOf = new Map(loaded.map((l) => [l.model, l.input.cdk]));
  const fingerprintFileOf = new Map(loaded.map((l) => [l.model, l.input.fingerprintFile ?? l.model.file]));
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const f of raw) {
    const override = config.rules[f.ruleId];
    if (override?.enabled === false) continue;
    const severity = override?.severity ?? f.severity;
    const range = locate(f.model, f.path);
    const related: RelatedLocation[] = f.related.map((r) => {
      const m = r.model ?? f.model;
      const rel = [...(r.path ?? [])];
      const full = r.logicalId ? ['Resources', r.logicalId, ...rel] : rel;
      return { file: m.file, logicalId: r.logicalId, path: rel, message: r.message, ...locate(m, full) };
    });
    const fingerprint = fingerprintOf(
      f.ruleId,
      fingerprintFileOf.get(f.owner) ?? f.owner.file,
      f.resource?.logicalId,
      f.relPath,
      f.key,
    );
    const cdk = cdkOf.get(f.model);
    const constructPath = f.resource
      ? (f.resource.cdkPath ?? ownString(cdk?.constructPaths, f.resource.logicalId))
      : cdk?.stackPath || undefined;
    if (seen.has(fingerprint + '\0' + f.message)) continue;
    seen.add(fingerprint + '\0' + f.message);
    const finding: Finding = {
      ruleId: f.ruleId,
      severity,
      message: f.message,
      file: f.model.file,
      ...(f.resource ? { logicalId: f.resource.logicalId, resourceType: f.resource.type } : {}),
      path: f.relPath,
      ...range,
      ...(constructPath ? { constructPath } : {}),
      ...(related.length ? { related } : {}),
      fingerprint,
      ...(f.rule ? { remediation: f.rule.remediation } : {}),
      ...(stackOf.get(f.owner) ? { stack: stackOf.get(f.owner) } : {}),
    };
    const sup =
      f.ruleId === SUPPRESSION_RULE ? undefined : suppressionsByModel.get(f.owner)?.find(f.ruleId, f.resource);
    if (sup) finding.suppressed = { kind: sup.kind, reason: sup.reason! };
    else if (baseline?.has(fingerprint))
      finding.suppressed = { kind: 'baseline', reason: 'accepted in the baseline file' };
    out.push(finding);
  }
  out.sort(
    (a, b) =>
      a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.ruleId.localeCompare(b.ruleId),
  );
  return out;
}

export function fingerprintOf(
  ruleId: string,
  file: string,
  logicalId: string | undefined,
  path: readonly PathSegment[],
  key?: string,
): string {
  const h = createHash('sha256');
  h.update([ruleId, file.replace(/\\/g, '/'), logicalId ?? '', path.join('/'), key ?? ''].join('\0'));
  return h.digest('hex').slice(0, 32);
}
