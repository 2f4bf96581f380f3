/**
 * archlint as a CDK Aspect: findings become annotations (warnings, errors) on the offending constructs.
 *
 *   ArchlintAspect.applyTo(app, { failOn: 'error' });
 *   // same as: Aspects.of(app).add(new ArchlintAspect(), { priority: AspectPriority.READONLY })
 *
 * The Aspect visits each stack at read-only priority and registers a construct validation on it. The stack is
 * linted when the CDK validates the construct tree: after every Aspect ran and the app was prepared (cross-stack
 * references resolved), just before the templates are written, so that it sees the template the CDK writes and
 * resolving tokens cannot freeze a value that a later Aspect would still change.
 */
import { join } from 'node:path';
import * as cdk from 'aws-cdk-lib';
import { Annotations, AspectPriority, Aspects, CfnElement, Stack, Stage, type IAspect } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { lint } from '../api';
import { displayPath } from '../cli/files';
import type { LintInput } from '../engine/linter';
import type { Finding, LintResult } from '../types';
import {
  effectiveFailOn,
  meetsThreshold,
  resolveOptions,
  rootStack,
  stackEnvironment,
  treeAcknowledgements,
  type ArchlintCdkOptions,
  type ResolvedOptions,
} from './options';
import { PLUGIN_NAME } from './plugin';

export type ArchlintAspectOptions = ArchlintCdkOptions;

interface StackWithTemplate {
  _toCloudFormation(): unknown;
}

export class ArchlintAspect implements IAspect {
  /** Add the Aspect to a scope (an App, a Stage or a Stack) at read-only priority. */
  public static applyTo(scope: IConstruct, options: ArchlintAspectOptions = {}): ArchlintAspect {
    const aspect = new ArchlintAspect(options);
    Aspects.of(scope).add(aspect, { priority: AspectPriority.READONLY });
    return aspect;
  }

  /** Results of the lint runs so far (one per Stage synthesized), suppressed findings included. */
  public readonly results: LintResult[] = [];
  private readonly resolved: ResolvedOptions;
  private readonly registered = new WeakSet<Stack>();
  private readonly pending = new Map<IConstruct, Stack[]>();

  constructor(private readonly options: ArchlintAspectOptions = {}) {
    this.resolved = resolveOptions(options);
  }

  public visit(node: IConstruct): void {
    if (!Stack.isStack(node) || this.registered.has(node)) return;
    this.registered.add(node);
    const stage: IConstruct = Stage.of(node) ?? node.node.root;
    const list = this.pending.get(stage);
    if (list) list.push(node);
    else this.pending.set(stage, [node]);
    node.node.addValidation({
      validate: () => {
        this.lintStage(stage);
        return [];
      },
    });
  }

  /** Lint every pending stack of a Stage in one run (so that cross-stack imports resolve), then annotate. */
  private lintStage(stage: IConstruct): void {
    const stacks = this.pending.get(stage);
    if (!stacks) return;
    this.pending.delete(stage);
    const { cwd } = this.resolved;
    const failOn = effectiveFailOn(stage, this.resolved.failOn);
    const acknowledgements = treeAcknowledgements(stage.node.root);
    const outdir = Stage.isStage(stage) ? stage.outdir : cwd;
    const inputs: LintInput[] = [];
    const constructs = new Map<string, IConstruct>();
    const stackOfInput = new Map<string, Stack>();
    for (const stack of stacks) {
      const toCfn = (stack as unknown as Partial<StackWithTemplate>)._toCloudFormation;
      if (typeof toCfn !== 'function') {
        throw new Error('archlint: this version of aws-cdk-lib does not expose Stack templates to Aspects');
      }
      const template = toCfn.call(stack);
      const constructPaths: Record<string, string> = {};
      for (const c of stack.node.findAll()) {
        constructs.set(c.node.path, c);
        if (CfnElement.isCfnElement(c) && Stack.of(c) === stack) {
          constructPaths[String(stack.resolve(c.logicalId))] = c.node.path;
        }
      }
      const root = rootStack(stack);
      const rel = stack === root ? '' : stack.node.path.slice(root.node.path.length);
      const file = displayPath(cwd, join(outdir, stack.templateFile));
      stackOfInput.set(file, stack);
      inputs.push({
        file,
        // The CDK writes templates with this indentation, so that lines match the files in cdk.out.
        text: JSON.stringify(template, undefined, 1),
        stackName: `${root.stackName}${rel}`,
        stackTags: root.tags.tagValues(),
        environment: stackEnvironment(stack, this.options),
        explicit: true,
        cdk: { stackPath: stack.node.path, constructPaths, acknowledgements },
      });
    }
    const result = lint(inputs, { rules: this.resolved.rules, config: this.resolved.config });
    this.results.push(result);
    for (const e of result.errors) {
      const stack = stackOfInput.get(e.file) ?? stacks[0]!;
      Annotations.of(stack).addError(`archlint: ${e.message}`);
    }
    for (const f of result.findings) {
      const stack = stackOfInput.get(f.file) ?? stacks[0]!;
      const target = (f.constructPath ? constructs.get(f.constructPath) : undefined) ?? stack;
      annotate(target, f, meetsThreshold(f, failOn));
    }
  }
}

/** Attach one finding to a construct: through `Validations.of()` when the CDK has it, `Annotations` otherwise. */
function annotate(target: IConstruct, f: Finding, error: boolean): void {
  const id = `${PLUGIN_NAME}::${f.ruleId}`;
  const text = `${f.message}${f.remediation ? ` Fix: ${f.remediation}` : ''}`;
  if (f.suppressed) {
    Annotations.of(target).addInfo(`[suppressed: ${f.suppressed.reason}] ${f.message} (${id})`);
    return;
  }
  const validations = (cdk as { Validations?: typeof cdk.Validations }).Validations;
  if (error) {
    if (validations && typeof validations.of(target).addError === 'function') validations.of(target).addError(id, text);
    else Annotations.of(target).addError(`${text} (${id})`);
  } else if (f.severity === 'info') {
    Annotations.of(target).addInfo(`${text} (${id})`);
  } else if (validations && typeof validations.of(target).addWarning === 'function') {
    validations.of(target).addWarning(id, text);
  } else {
    Annotations.of(target).addWarningV2(id, text);
  }
}
