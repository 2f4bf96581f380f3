/**
 * Diff mode: lint new templates against the deployed ones (the baseline). Normal rules run on the new
 * templates as usual; diff rules read `ctx.baseline`, which this adapter sets through the `extendContext`
 * hook of `lintTemplates`. Pure: the caller reads the files.
 */
import { emptyConfig, type Config } from '../engine/config';
import type { BaselineContext, TemplateContext } from '../engine/context';
import {
  createTemplateContext,
  lintTemplates,
  loadInputs,
  pseudoFor,
  type LintInput,
  type LintOptions,
} from '../engine/linter';
import type { TemplateModel } from '../model/template';
import type { InputError, LintResult } from '../types';
import { computeDiff, type DiffOptions } from './diff';
import type { TemplateDiff } from './types';

export interface DiffModeOptions extends DiffOptions {
  /** The deployed templates (one template, or the stacks of a cloud assembly). */
  baseline: readonly LintInput[];
  /**
   * Parameter values of the deployed stacks. The baseline side is evaluated with the new side's values
   * (config and --parameters) overridden by these, i.e. parameters keep their values unless given here.
   */
  baselineParameters?: Readonly<Record<string, unknown>>;
  /** Display roots of both sides, to pair templates by their path below the root (folders of templates). */
  roots?: { baseline?: string; new?: string };
}

export interface PreparedBaseline {
  extendContext: NonNullable<LintOptions['extendContext']>;
  /** Parse errors of the baseline files. */
  errors: InputError[];
  /** Baseline templates that no new template was paired with (after linting). */
  unpaired(): TemplateModel[];
  /** The number of baseline templates read. */
  templates: number;
}

function relativeTo(root: string | undefined, file: string): string {
  if (!root) return file;
  const r = root.replace(/\/+$/, '');
  return file === r ? '' : file.startsWith(r + '/') ? file.slice(r.length + 1) : file;
}

/** A template context for a baseline template (the same shape the linter builds for the new templates). */
function baselineContext(
  model: TemplateModel,
  input: LintInput,
  config: Config,
  models: readonly TemplateModel[],
  parameters: Readonly<Record<string, unknown>>,
  diff: (self: BaselineContext) => TemplateDiff,
): BaselineContext {
  const base = createTemplateContext(model, input, config, models, { parameters, pseudo: pseudoFor(config, input) });
  let computed: TemplateDiff | undefined;
  const ctx = Object.create(base, {
    diff: { get: () => (computed ??= diff(ctx)), enumerable: true },
  }) as BaselineContext;
  return ctx;
}

/** Parse the baseline templates and build the hook that pairs each new template with its baseline. */
export function prepareBaseline(options: DiffModeOptions, config: Config): PreparedBaseline {
  const { loaded, errors } = loadInputs(options.baseline.map((i) => ({ ...i, explicit: i.explicit ?? true })));
  const parameters = { ...config.parameters, ...options.baselineParameters };
  const used = new Set<TemplateModel>();
  const byStack = new Map<string, (typeof loaded)[number]>();
  const byPath = new Map<string, (typeof loaded)[number]>();
  for (const l of loaded) {
    if (l.input.stackName) byStack.set(l.input.stackName, l);
    byPath.set(relativeTo(options.roots?.baseline, l.model.file), l);
  }
  const attach = (ctx: TemplateContext, l: (typeof loaded)[number]): void => {
    used.add(l.model);
    ctx.baseline = baselineContext(l.model, l.input, config, [ctx.model], parameters, (self) =>
      computeDiff(self, ctx, options),
    );
  };
  return {
    errors,
    extendContext(ctx, models) {
      const stack = ctx.model.stackName;
      let match = stack !== undefined ? byStack.get(stack) : undefined;
      match ??= byPath.get(relativeTo(options.roots?.new, ctx.model.file));
      if (!match && models.length === 1 && loaded.length === 1) match = loaded[0];
      if (match && !used.has(match.model)) attach(ctx, match);
    },
    unpaired: () => loaded.map((l) => l.model).filter((m) => !used.has(m)),
    templates: loaded.length,
  };
}

/**
 * Lint `inputs` (the new templates) against `options.baseline` (the deployed ones). Same engine and options
 * as `lintTemplates`; diff rules report what the update replaces, deletes or cannot apply.
 */
export function lintWithBaseline(
  inputs: readonly LintInput[],
  options: Omit<LintOptions, 'extendContext'> & DiffModeOptions,
): LintResult & { unpairedBaselines: string[]; baselineTemplates: number } {
  const config = options.config ?? emptyConfig();
  const prepared = prepareBaseline(options, config);
  const result = lintTemplates(inputs, { ...options, config, extendContext: prepared.extendContext });
  result.errors.push(...prepared.errors);
  return {
    ...result,
    unpairedBaselines: prepared.unpaired().map((m) => m.stackName ?? m.file),
    baselineTemplates: prepared.templates,
  };
}
