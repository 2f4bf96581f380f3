import type { Rule } from '../../engine/rule';
import type { LintResult } from '../../types';

export interface FormatContext {
  rules: ReadonlyMap<string, Rule>;
  color: boolean;
  showUnknown: boolean;
  quiet: boolean;
  /** Tool version for SARIF. */
  version: string;
}

export type Formatter = (result: LintResult, ctx: FormatContext) => string;
