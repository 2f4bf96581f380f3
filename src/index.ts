/**
 * archlint public API.
 *
 *   import { lint, lintFiles, defineRule } from 'archlint';
 *   const result = lint({ file: 'template.yaml', text });
 */
export { lint, resolveConfig } from './api';
export type { ApiOptions } from './api';
import { builtinRules } from '../rules/index';
export { lintFiles } from './cli/files';
export { builtinRules };
export { defineRule } from './engine/rule';
export type { Rule, RuleMeta } from './engine/rule';
export { defineView } from './engine/context';
export type { RuleContext, TemplateContext, ReportOptions, RelatedInput, ViewFactory } from './engine/context';
export type { LintInput } from './engine/linter';
export { normalizeConfig, emptyConfig, mergeConfig } from './engine/config';
export type { Config, RuleSetting } from './engine/config';
export type { Resource, TemplateModel } from './model/template';
export type { Value } from './model/values';
export { lintWithBaseline } from './diff/baseline';
export type { DiffModeOptions } from './diff/baseline';
export type { TemplateDiff, ResourcePair, PropertyChange, Replacement, Cascade, Rename } from './diff/types';
export type { BaselineContext } from './engine/context';
export * from './types';
