import { describe, expect, it } from 'vitest';
import { App, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { lintWithBaseline } from '../../src/diff/baseline';
import { resolveConfig } from '../../src/api';
import { builtinRules } from '../../rules/index';

/** Synthesize the same app twice in-process; the second time the data constructs move under 'Storage'. */
function synth(moved: boolean): Record<string, unknown> {
  const app = new App({ context: { 'aws:cdk:enable-path-metadata': true } });
  const stack = new Stack(app, 'DataStack', { env: { account: '111122223333', region: 'eu-west-1' } });
  const scope = moved ? new Construct(stack, 'Storage') : stack;
  new s3.Bucket(scope, 'Uploads', { versioned: true, enforceSSL: true });
  new dynamodb.TableV2(scope, 'Orders', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  return app.synth().getStackByName('DataStack').template as Record<string, unknown>;
}

describe('a real CDK app: a construct moved to a new id', () => {
  it('is detected as a rename, naming both construct paths', () => {
    const before = synth(false);
    const after = synth(true);
    const result = lintWithBaseline([{ file: 'DataStack.template.json', template: after, stackName: 'DataStack' }], {
      rules: builtinRules,
      config: resolveConfig(),
      baseline: [{ file: 'deployed/DataStack.template.json', template: before, stackName: 'DataStack' }],
    });
    expect(result.errors).toEqual([]);
    const f = result.findings.filter((x) => x.ruleId === 'stateful-resource-replacement');
    const byType = Object.fromEntries(f.map((x) => [x.resourceType, x]));
    expect(Object.keys(byType).sort()).toEqual(['AWS::DynamoDB::GlobalTable', 'AWS::S3::Bucket']);

    const bucket = byType['AWS::S3::Bucket']!;
    expect(bucket.logicalId).toMatch(/^StorageUploads[0-9A-F]{8}$/);
    expect(bucket.constructPath).toBe('DataStack/Storage/Uploads/Resource');
    expect(bucket.message).toContain("moved from 'DataStack/Uploads/Resource' to 'DataStack/Storage/Uploads/Resource'");
    // CDK buckets are retained by default: the old bucket stays behind, outside the stack.
    expect(bucket.message).toContain('without deleting it (DeletionPolicy: Retain)');
    expect(bucket.related?.[0]).toMatchObject({ file: 'deployed/DataStack.template.json' });
    expect(bucket.related?.[0]?.logicalId).toMatch(/^Uploads[0-9A-F]{8}$/);

    const table = byType['AWS::DynamoDB::GlobalTable']!;
    expect(table.message).toContain("moved from 'DataStack/Orders/Resource' to 'DataStack/Storage/Orders/Resource'");

    // The bucket policy moved too: a stateless removal and addition, which no diff rule reports.
    expect(result.findings.filter((x) => x.ruleId === 'create-only-property-change')).toEqual([]);
  }, 120_000);
});
