import type { Formatter } from './types';
import type { Finding, Severity } from '../../types';
import { INTERNAL_ERROR_RULE, SUPPRESSION_RULE } from '../../engine/linter';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

const META_RULES: Record<string, { title: string; help: string }> = {
  [INTERNAL_ERROR_RULE]: { title: 'archlint internal error', help: 'A rule failed on this input. Please report it.' },
  [SUPPRESSION_RULE]: {
    title: 'Suppressions need a reason',
    help: 'Give every Metadata.archlint.suppress entry a reason; a suppression without one is not honoured.',
  },
};

function uri(file: string): string {
  return file.split('\\').join('/').split('/').map(encodeURIComponent).join('/');
}

/** SARIF 2.1.0 log with rule descriptors, locations, fingerprints and suppressions. */
export const sarif: Formatter = (result, ctx) => {
  const used = [...new Set(result.findings.map((f) => f.ruleId))].sort();
  const index = new Map(used.map((id, i) => [id, i]));
  const rules = used.map((id) => {
    const r = ctx.rules.get(id);
    if (!r) {
      const m = META_RULES[id] ?? { title: id, help: id };
      return { id, name: id, shortDescription: { text: m.title }, help: { text: m.help } };
    }
    const pillars = Array.isArray(r.pillar) ? r.pillar : [r.pillar];
    return {
      id,
      name: id,
      shortDescription: { text: r.title },
      fullDescription: { text: r.rationale },
      help: {
        text: `${r.rationale}\n\nHow to fix: ${r.remediation}\n\nRun \`archlint explain ${id}\` or see docs/rules/${id}.md.`,
        markdown: `${r.rationale}\n\n**How to fix:** ${r.remediation}`,
      },
      defaultConfiguration: { level: LEVEL[r.severity] },
      properties: { tags: ['architecture', ...pillars], tier: r.tier, scope: r.scope },
    };
  });
  const location = (f: { file: string; line: number; column: number; endLine: number; endColumn: number }) => ({
    physicalLocation: {
      artifactLocation: { uri: uri(f.file) },
      region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: Math.max(f.endColumn, 1) },
    },
  });
  const results = result.findings.map((f: Finding) => {
    const loc = {
      ...location(f),
      ...(f.logicalId
        ? {
            logicalLocations: [
              {
                name: f.logicalId,
                fullyQualifiedName: f.constructPath ?? `${f.logicalId}${f.path.length ? '.' + f.path.join('.') : ''}`,
                kind: 'resource',
              },
            ],
          }
        : {}),
    };
    return {
      ruleId: f.ruleId,
      ruleIndex: index.get(f.ruleId)!,
      level: LEVEL[f.severity],
      message: {
        text: `${f.message}${f.constructPath ? ` Construct: ${f.constructPath}.` : ''}${f.remediation ? ` Fix: ${f.remediation}` : ''}`,
      },
      locations: [loc],
      ...(f.related?.length
        ? { relatedLocations: f.related.map((r, i) => ({ id: i + 1, ...location(r), message: { text: r.message } })) }
        : {}),
      partialFingerprints: { 'archlintFingerprint/v1': f.fingerprint },
      ...(f.suppressed
        ? {
            suppressions: [
              {
                kind: f.suppressed.kind === 'baseline' ? 'external' : 'inSource',
                status: 'accepted',
                justification: f.suppressed.reason,
              },
            ],
          }
        : {}),
      properties: {
        ...(f.logicalId ? { logicalId: f.logicalId, resourceType: f.resourceType } : {}),
        ...(f.constructPath ? { constructPath: f.constructPath } : {}),
        ...(f.stack ? { stack: f.stack } : {}),
      },
    };
  });
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'archlint',
            version: ctx.version,
            rules,
          },
        },
        invocations: [
          {
            executionSuccessful: result.errors.length === 0,
            toolExecutionNotifications: result.errors.map((e) => ({
              level: 'error',
              message: { text: e.message },
              locations: [{ physicalLocation: { artifactLocation: { uri: uri(e.file) } } }],
            })),
          },
        ],
        results,
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
};
