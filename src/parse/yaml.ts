import yaml from 'js-yaml';

/**
 * YAML loading with every CloudFormation short-form tag normalised to its long form.
 * The js-yaml CORE schema is used (no timestamps: `AWSTemplateFormatVersion: 2010-09-09` stays a string).
 */

type Kind = 'scalar' | 'sequence' | 'mapping';

const FN_TAGS = [
  'Base64',
  'Cidr',
  'FindInMap',
  'GetAZs',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'If',
  'Equals',
  'And',
  'Or',
  'Not',
  'GetAtt',
  'Length',
  'ToJsonString',
  'ForEach',
] as const;

function getAttScalar(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  const dot = data.indexOf('.');
  if (dot < 0) return [data];
  return [data.slice(0, dot), data.slice(dot + 1)];
}

function makeTypes(): yaml.Type[] {
  const types: yaml.Type[] = [];
  const kinds: Kind[] = ['scalar', 'sequence', 'mapping'];
  for (const kind of kinds) {
    types.push(
      new yaml.Type('!Ref', {
        kind,
        construct: (data: unknown) => ({ Ref: data ?? '' }),
      }),
      new yaml.Type('!Condition', {
        kind,
        construct: (data: unknown) => ({ Condition: data ?? '' }),
      }),
    );
    for (const fn of FN_TAGS) {
      types.push(
        new yaml.Type(`!${fn}`, {
          kind,
          construct: (data: unknown) => {
            let value: unknown = data ?? (kind === 'mapping' ? {} : kind === 'sequence' ? [] : '');
            if (fn === 'GetAtt' && kind === 'scalar') value = getAttScalar(value);
            return { [`Fn::${fn}`]: value as unknown };
          },
        }),
      );
    }
  }
  return types;
}

export const CFN_SCHEMA = yaml.CORE_SCHEMA.extend(makeTypes());

/** Tags outside the CloudFormation set (rule-language functions, macros): `!Name` -> { 'Fn::Name': data }. */
function extraTypes(tag: string): yaml.Type[] {
  const name = tag.replace(/^!/, '');
  const key = name.includes('::') ? name : `Fn::${name}`;
  return (['scalar', 'sequence', 'mapping'] as const).map(
    (kind) => new yaml.Type(tag, { kind, construct: (data: unknown) => ({ [key]: data ?? '' }) }),
  );
}

export function loadYaml(text: string): unknown {
  let schema = CFN_SCHEMA;
  const added = new Set<string>();
  for (;;) {
    try {
      return yaml.load(text, { schema, json: false });
    } catch (e) {
      const m = /unknown tag !<(![A-Za-z][\w:.-]*)>/.exec((e as Error).message);
      if (!m || added.has(m[1]!) || added.size >= 16) throw e;
      added.add(m[1]!);
      schema = schema.extend(extraTypes(m[1]!));
    }
  }
}
