import type { Severity } from '../../types';
import { SEVERITY_RANK } from '../../types';
import type { Rule } from '../../engine/rule';
import type { LintResult } from '../../types';

export interface FormatContext {
  rules: ReadonlyMap<string, Rule>;
  color: boolean;
  showUnknown: boolean;
  /** With --quiet: only findings at or above this severity are shown (the --fail-on level, errors at least). */
  quiet: boolean;
  quietMin?: Severity;
  /** Tool version for SARIF. */
  version: string;
}

export type Formatter = (result: LintResult, ctx: FormatContext) => string;

/** Whether a finding is shown: unsuppressed, and with --quiet at or above the quiet threshold. */
export function isShown(f: { suppressed?: unknown; severity: Severity }, ctx: FormatContext): boolean {
  if (f.suppressed) return false;
  if (!ctx.quiet) return true;
  return SEVERITY_RANK[f.severity] >= SEVERITY_RANK[ctx.quietMin ?? 'error'];
}
