import { describe, expect, it } from 'vitest';
import {
  acknowledgementsOf,
  asMetadata,
  parseAssemblyManifest,
  stackTemplates,
  type AssemblyStack,
} from '../../src/parse/cdk-assembly';
import { ruleIdOfAcknowledgement } from '../../src/engine/suppress';
import { lint } from '../../src/api';
import { defineRule } from '../../src/engine/rule';
import { assemblyInputs } from '../../src/cli/files';
import { tempDir, runCli } from '../helpers/cli';

// The shapes below are copied from assemblies written by aws-cdk-lib 2.276 (trace entries removed).
const METADATA = {
  '/Data': [
    { type: 'aws:cdk:acknowledged-rules', data: { 'Annotation::s3-public-access': 'x' } },
    { type: 'aws:cdk:templateFile', data: 'Data.template.json' },
    { type: 'aws:cdk:stack-tags', data: [{ key: 'env', value: 'prod' }] },
  ],
  '/Data/Bucket': [
    { type: 'aws:cdk:acknowledged-rules', data: { 'archlint::cfn-stateful-deletion-policy': 'scratch data' } },
  ],
  '/Data/Nested': [{ type: 'aws:cdk:templateFile', data: 'DataNestedA4EE21AC.nested.template.json' }],
  '/Data/Bucket/Resource': [{ type: 'aws:cdk:logicalId', data: 'Bucket83908E77' }],
  '/Data/Nested.NestedStack/Nested.NestedStackResource': [
    { type: 'aws:cdk:logicalId', data: 'NestedNestedStackNestedNestedStackResourceDEFDAA4D' },
  ],
  '/Data/Nested/B2/Resource': [{ type: 'aws:cdk:logicalId', data: 'B2E63A1792' }],
};

const STACK: AssemblyStack = {
  artifactId: 'Data',
  stackName: 'Data',
  templateFile: 'Data.template.json',
  tags: { env: 'prod' },
  displayName: 'Data',
};

describe('cloud assembly manifest', () => {
  it('reads stacks, their metadata file or inline metadata, and stages', () => {
    const m = parseAssemblyManifest({
      version: '55.0.0',
      artifacts: {
        'assembly-Prod': {
          type: 'cdk:cloud-assembly',
          properties: { directoryName: 'assembly-Prod', displayName: 'Prod' },
        },
        'Data.assets': { type: 'cdk:asset-manifest', properties: { file: 'Data.assets.json' } },
        Data: {
          type: 'aws:cloudformation:stack',
          properties: { templateFile: 'Data.template.json', tags: { env: 'prod' } },
          additionalMetadataFile: 'Data.metadata.json',
          displayName: 'Data',
        },
        Old: {
          type: 'aws:cloudformation:stack',
          properties: { templateFile: 'Old.template.json', stackName: 'old-stack' },
          metadata: { '/Old/T/Resource': [{ type: 'aws:cdk:logicalId', data: 'T1' }, 'junk'] },
        },
      },
    });
    expect(m.nestedAssemblies).toEqual(['assembly-Prod']);
    expect(m.stacks).toEqual([
      {
        artifactId: 'Data',
        stackName: 'Data',
        templateFile: 'Data.template.json',
        tags: { env: 'prod' },
        displayName: 'Data',
        metadata: undefined,
        additionalMetadataFile: 'Data.metadata.json',
      },
      {
        artifactId: 'Old',
        stackName: 'old-stack',
        templateFile: 'Old.template.json',
        tags: {},
        displayName: undefined,
        metadata: { '/Old/T/Resource': [{ type: 'aws:cdk:logicalId', data: 'T1' }] },
        additionalMetadataFile: undefined,
      },
    ]);
  });

  it('assigns each logical id to the deepest stack that contains its construct', () => {
    expect(stackTemplates(STACK, asMetadata(METADATA))).toEqual([
      {
        templateFile: 'Data.template.json',
        stackPath: 'Data',
        constructPaths: {
          Bucket83908E77: 'Data/Bucket/Resource',
          NestedNestedStackNestedNestedStackResourceDEFDAA4D: 'Data/Nested.NestedStack/Nested.NestedStackResource',
        },
      },
      {
        templateFile: 'DataNestedA4EE21AC.nested.template.json',
        stackPath: 'Data/Nested',
        constructPaths: { B2E63A1792: 'Data/Nested/B2/Resource' },
      },
    ]);
  });

  it('reads acknowledgements in the format aws-cdk-lib records them', () => {
    expect(acknowledgementsOf(asMetadata(METADATA))).toEqual([
      { constructPath: 'Data', id: 'Annotation::s3-public-access', reason: 'x' },
      { constructPath: 'Data/Bucket', id: 'archlint::cfn-stateful-deletion-policy', reason: 'scratch data' },
    ]);
    expect(ruleIdOfAcknowledgement('archlint::s3-public-access')).toBe('s3-public-access');
    expect(ruleIdOfAcknowledgement('Annotation::s3-public-access')).toBeUndefined();
    expect(ruleIdOfAcknowledgement('s3-public-access')).toBeUndefined();
  });
});

const topicRule = defineRule({
  id: 'test-topic-rule',
  title: 'test',
  severity: 'warning',
  pillar: 'operations',
  tier: '1',
  scope: 'resource',
  resourceTypes: ['AWS::SNS::Topic'],
  rationale: 'r',
  remediation: 'fix it',
  citations: ['https://example.com'],
  check(r, ctx) {
    ctx.report(r, { message: `topic ${r.logicalId}` });
  },
});
const templateRule = defineRule({
  id: 'test-template-rule',
  title: 'test',
  severity: 'warning',
  pillar: 'operations',
  tier: '1',
  scope: 'template',
  rationale: 'r',
  remediation: 'fix it',
  citations: ['https://example.com'],
  checkTemplate(ctx) {
    ctx.report(undefined, { message: 'template finding' });
  },
});

describe('CDK acknowledgements as suppressions', () => {
  const template = {
    Resources: { A: { Type: 'AWS::SNS::Topic' }, B: { Type: 'AWS::SNS::Topic' }, C: { Type: 'AWS::SNS::Topic' } },
  };
  const constructPaths = { A: 'App/S/A/Resource', B: 'App/S/Group/B/Resource', C: 'App/S/Group/C/Resource' };
  const run = (acknowledgements: { constructPath: string; id: string; reason: string }[]) =>
    lint(
      { file: 'S.template.json', template, cdk: { stackPath: 'App/S', constructPaths, acknowledgements } },
      { rules: [topicRule, templateRule] },
    ).findings.map((f) => [f.ruleId, f.constructPath ?? '-', f.suppressed?.reason ?? '-']);

  it('applies to the construct it was recorded on and everything below it; the closest one wins', () => {
    expect(
      run([
        { constructPath: 'App/S/Group', id: 'archlint::test-topic-rule', reason: 'group' },
        { constructPath: 'App/S/Group/C', id: 'archlint::test-topic-rule', reason: 'closest' },
        { constructPath: 'App/S', id: 'archlint::test-template-rule', reason: 'stack' },
      ]),
    ).toEqual([
      ['test-template-rule', 'App/S', 'stack'],
      ['test-topic-rule', 'App/S/A/Resource', '-'],
      ['test-topic-rule', 'App/S/Group/B/Resource', 'group'],
      ['test-topic-rule', 'App/S/Group/C/Resource', 'closest'],
    ]);
  });

  it('an acknowledgement on the app (empty construct path) covers every stack', () => {
    expect(run([{ constructPath: '', id: 'archlint::test-topic-rule', reason: 'app-wide' }]).map((r) => r[2])).toEqual([
      '-',
      'app-wide',
      'app-wide',
      'app-wide',
    ]);
  });

  it('ignores other namespaces and other rules', () => {
    expect(
      run([
        { constructPath: 'App/S', id: 'Annotation::test-topic-rule', reason: 'x' },
        { constructPath: 'App/S', id: 'archlint::another-rule', reason: 'x' },
      ]).filter((r) => r[2] !== '-'),
    ).toEqual([]);
  });
});

describe('assemblies without construct metadata', () => {
  it('find nested stacks through aws:asset:path and construct paths through aws:cdk:path', async () => {
    const nested = {
      Resources: { T: { Type: 'AWS::S3::Bucket', Metadata: { 'aws:cdk:path': 'Old/Inner/T/Resource' } } },
    };
    const dir = tempDir({
      'cdk.out/manifest.json': JSON.stringify({
        version: '30.0.0',
        artifacts: { Old: { type: 'aws:cloudformation:stack', properties: { templateFile: 'Old.template.json' } } },
      }),
      'cdk.out/Old.template.json': JSON.stringify({
        Resources: {
          Inner: {
            Type: 'AWS::CloudFormation::Stack',
            Properties: { TemplateURL: 'https://example.com/x.json' },
            Metadata: { 'aws:asset:path': 'OldInner1234.nested.template.json' },
          },
        },
      }),
      'cdk.out/OldInner1234.nested.template.json': JSON.stringify(nested),
    });
    const errors: never[] = [];
    const inputs = assemblyInputs(`${dir}/cdk.out`, dir, errors);
    expect(errors).toEqual([]);
    expect(inputs.map((i) => [i.file, i.stackName, i.cdk?.stackPath])).toEqual([
      ['cdk.out/Old.template.json', 'Old', 'Old'],
      ['cdk.out/OldInner1234.nested.template.json', 'Old/Inner', 'Old/Inner'],
    ]);
    const r = await runCli(['cdk.out', '-f', 'json', '--rule', 's3-public-access=off'], { cwd: dir });
    expect(JSON.parse(r.stdout).findings.map((f: { constructPath: string }) => f.constructPath)).toEqual([
      'Old/Inner/T/Resource',
    ]);
  });

  it('report an unreadable metadata file as an input error and still lint the stack', async () => {
    const dir = tempDir({
      'cdk.out/manifest.json': JSON.stringify({
        version: '55.0.0',
        artifacts: {
          S: {
            type: 'aws:cloudformation:stack',
            properties: { templateFile: 'S.template.json' },
            additionalMetadataFile: 'S.metadata.json',
          },
        },
      }),
      'cdk.out/S.template.json': JSON.stringify({ Resources: { B: { Type: 'AWS::S3::Bucket' } } }),
      'cdk.out/S.metadata.json': '{ not json',
    });
    const r = await runCli(['cdk.out', '-f', 'json'], { cwd: dir });
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout) as { errors: { file: string }[]; findings: { logicalId: string }[] };
    expect(out.errors.map((e) => e.file)).toEqual(['cdk.out/S.metadata.json']);
    expect(out.findings.map((f) => f.logicalId)).toContain('B');
  });
});
