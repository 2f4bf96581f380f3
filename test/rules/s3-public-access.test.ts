import { describe, expect, it } from 'vitest';
import { hits, lintYaml } from '../helpers/rule';

const ID = 's3-public-access';
const BPA = `      PublicAccessBlockConfiguration:\n        BlockPublicAcls: true\n        IgnorePublicAcls: true\n        BlockPublicPolicy: true\n        RestrictPublicBuckets: true\n`;
const bucket = (props: string, extra = '') =>
  `Resources:\n  B:\n    Type: AWS::S3::Bucket\n    DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain\n    Properties:\n${props}${extra}`;
const policy = (statement: string) =>
  `  P:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: !Ref B\n      PolicyDocument:\n        Statement:\n${statement}`;

describe(ID, () => {
  it('public canned ACLs', () => {
    expect(hits(lintYaml(bucket(`      AccessControl: AuthenticatedRead\n${BPA}`)), ID)).toEqual([
      ['B', 7],
      ['B', 7],
    ]);
  });
  it('AccessControl with BucketOwnerEnforced (explicit or default) fails deployment', () => {
    const r = lintYaml(bucket(`      AccessControl: LogDeliveryWrite\n${BPA}`));
    expect(r.findings.filter((f) => f.ruleId === ID).map((f) => f.message)).toEqual([
      expect.stringMatching(/ACLs are disabled/),
    ]);
    const ok = lintYaml(
      bucket(
        `      AccessControl: LogDeliveryWrite\n      OwnershipControls:\n        Rules:\n          - ObjectOwnership: BucketOwnerPreferred\n${BPA}`,
      ),
    );
    expect(ok.findings.filter((f) => f.ruleId === ID && f.severity !== 'info')).toEqual([]);
  });
  it('an open bucket policy without a restricting condition', () => {
    const r = lintYaml(
      bucket(BPA) +
        policy(
          `          - Effect: Allow\n            Principal: { AWS: '*' }\n            Action: s3:GetObject\n            Resource: '*'\n`,
        ),
    );
    expect(hits(r, ID)).toEqual([['P', 19]]);
    expect(r.findings.find((f) => f.ruleId === ID)!.related![0]).toMatchObject({ logicalId: 'B', line: 2 });
  });
  it.each([
    ['aws:SourceVpce', `            Condition:\n              StringEquals: { 'aws:SourceVpce': vpce-1 }\n`],
    ['aws:PrincipalOrgID', `            Condition:\n              StringEquals: { 'aws:PrincipalOrgID': o-1 }\n`],
  ])('a policy restricted by %s is fine', (_n, cond) => {
    const r = lintYaml(
      bucket(BPA) +
        policy(
          `          - Effect: Allow\n            Principal: '*'\n            Action: s3:GetObject\n            Resource: '*'\n${cond}`,
        ),
    );
    expect(hits(r, ID)).toEqual([]);
  });
  it('aws:Referer alone does not restrict', () => {
    const r = lintYaml(
      bucket(BPA) +
        policy(
          `          - Effect: Allow\n            Principal: '*'\n            Action: s3:GetObject\n            Resource: '*'\n            Condition:\n              StringLike: { 'aws:Referer': 'https://example.com/*' }\n`,
        ),
    );
    expect(hits(r, ID)).toEqual([['P', 19]]);
  });
  it('buckets tagged archlint:public=true may be public', () => {
    const r = lintYaml(
      bucket(`      Tags:\n        - { Key: 'archlint:public', Value: 'true' }\n`) +
        policy(
          `          - Effect: Allow\n            Principal: '*'\n            Action: s3:GetObject\n            Resource: '*'\n`,
        ),
    );
    expect(hits(r, ID)).toEqual([]);
  });
  it('Block Public Access flags off or missing', () => {
    expect(
      hits(lintYaml(bucket(`      PublicAccessBlockConfiguration:\n        BlockPublicAcls: true\n`)), ID),
    ).toEqual([['B', 7]]);
    expect(hits(lintYaml(bucket(`      Tags: []\n`)), ID)).toEqual([['B', 2]]);
  });
  it('Block Public Access flags from a parameter without a value are unknown', () => {
    const t =
      `Parameters:\n  Block: { Type: String }\n` +
      bucket(
        `      PublicAccessBlockConfiguration:\n        BlockPublicAcls: !Ref Block\n        IgnorePublicAcls: true\n        BlockPublicPolicy: true\n        RestrictPublicBuckets: true\n`,
      );
    expect(hits(lintYaml(t), ID)).toEqual([]);
    expect(hits(lintYaml(t, { parameters: { Block: 'false' } }), ID)).toEqual([['B', 9]]);
  });
  it('a policy on a bucket outside the template is unknown', () => {
    const r = lintYaml(
      `Resources:\n  P:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: other-bucket\n      PolicyDocument:\n        Statement:\n          - { Effect: Allow, Principal: '*', Action: 's3:*', Resource: '*' }\n`,
    );
    expect(hits(r, ID)).toEqual([]);
    expect(r.unknowns.some((u) => u.ruleId === ID)).toBe(true);
  });
});
