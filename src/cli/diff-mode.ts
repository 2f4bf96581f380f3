/**
 * Diff mode of the CLI (`archlint <new> --baseline <old>`, `archlint diff <old> <new>`). Imported lazily by
 * main.ts, so that normal linting never loads the diff engine, its data table or cloudformation-diff.
 */
import { resolve } from 'node:path';
import { lintWithBaseline } from '../diff/baseline';
import type { LintInput, LintOptions } from '../engine/linter';
import type { LintResult } from '../types';
import { discover, displayPath as shownPath, setFingerprintPaths } from './files';
import type { CliIO } from './main';

function displayPath(cwd: string, p: string): string {
  return p === '-' ? '<stdin>' : shownPath(cwd, resolve(cwd, p));
}

/** Lint the new templates against the baseline path; stacks pair by stack name, then by path below the roots. */
export function lintAgainstBaseline(
  inputs: readonly LintInput[],
  newPaths: readonly string[],
  baselinePath: string,
  baselineParameters: Record<string, string>,
  options: Omit<LintOptions, 'extendContext'>,
  io: CliIO,
  fingerprintBase: string = io.cwd,
): LintResult {
  const old = discover([baselinePath], {
    cwd: io.cwd,
    ignore: options.config?.ignore,
    ignoreBase: fingerprintBase,
    readStdin: io.readStdin,
  });
  setFingerprintPaths(old.inputs, fingerprintBase, io.cwd);
  const result = lintWithBaseline(inputs, {
    ...options,
    baseline: old.inputs,
    baselineParameters,
    roots: {
      baseline: displayPath(io.cwd, baselinePath),
      new: newPaths.length === 1 ? displayPath(io.cwd, newPaths[0]!) : undefined,
    },
  });
  // The baseline's own errors say which side they are on; a baseline without any template compares nothing.
  result.errors.push(...old.errors.map((e) => ({ ...e, message: `baseline ${e.message}` })));
  const baselineFiles = new Set(old.inputs.map((i) => i.file));
  if (!result.baselineTemplates && !old.errors.length && !result.errors.some((e) => baselineFiles.has(e.file))) {
    const shown = displayPath(io.cwd, baselinePath);
    result.errors.push({
      file: shown,
      message: `baseline ${shown}: no CloudFormation template found to compare against`,
    });
  }
  for (const name of result.unpairedBaselines) {
    io.stderr(`archlint: note: baseline ${name} has no counterpart among the new templates; it was not compared\n`);
  }
  const { unpairedBaselines: _unused, baselineTemplates: _count, ...plain } = result;
  return plain;
}
