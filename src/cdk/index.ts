/**
 * archlint for AWS CDK apps (`archlint/cdk`). Needs aws-cdk-lib and constructs (peer dependencies); the rest
 * of archlint never loads them.
 *
 *   import { ArchlintValidator, ArchlintAspect, suppressRule } from 'archlint/cdk';
 *   Validations.of(app).addPlugins(new ArchlintValidator());
 */
export { ArchlintValidator, PLUGIN_NAME, reportedSeverity } from './plugin';
export type { ArchlintValidatorOptions } from './plugin';
export { ArchlintAspect } from './aspect';
export type { ArchlintAspectOptions } from './aspect';
export { suppressRule, suppressRules } from './suppress';
export type { RuleSuppression, SuppressOptions } from './suppress';
export { ENVIRONMENT_CONTEXT_KEY, FAIL_ON_CONTEXT_KEY } from './options';
export type { ArchlintCdkOptions, RuleSettingInput } from './options';
export type { Finding, LintResult, Severity, Environment } from '../types';
