import type { Formatter } from './types';

/** The stable machine contract: { findings, errors, summary, unknowns }. */
export const json: Formatter = (result) =>
  JSON.stringify(
    { findings: result.findings, errors: result.errors, summary: result.summary, unknowns: result.unknowns },
    null,
    2,
  ) + '\n';
