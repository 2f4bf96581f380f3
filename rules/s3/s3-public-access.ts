import { defineRule } from '../../src/engine/rule';
import { alternatives, refTarget, toBool } from '../../src/model/values';
import { isRecord } from '../../src/parse/parse';
import type { Resource } from '../../src/model/template';
import type { RuleContext } from '../../src/engine/context';

const PUBLIC_ACLS = new Set(['PublicRead', 'PublicReadWrite', 'AuthenticatedRead']);
/** Canned ACLs that S3 still accepts when ACLs are disabled (BucketOwnerEnforced). */
const ACLS_ALLOWED_WHEN_ENFORCED = new Set(['Private', 'BucketOwnerFullControl']);
const BPA_FLAGS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;
const RESTRICTING_KEYS = new Set([
  'aws:sourcevpce',
  'aws:sourcevpc',
  'aws:principalorgid',
  'aws:sourcearn',
  'aws:sourceaccount',
  'aws:sourceip',
]);

/** Whether the bucket is tagged archlint:public=true (intentionally public); undefined when unknown. */
function taggedPublic(ctx: RuleContext, bucket: Resource): boolean | undefined {
  const tags = ctx.value(bucket, ['Properties', 'Tags']);
  if (tags.kind === 'missing') return false;
  if (tags.kind !== 'known' || !Array.isArray(tags.value)) {
    // A tag list with one unknown value: look at the literal keys.
    const raw = bucket.properties.Tags;
    if (Array.isArray(raw) && !raw.some((t) => isRecord(t) && t.Key === 'archlint:public')) return false;
    return undefined;
  }
  return tags.value.some((t) => isRecord(t) && t.Key === 'archlint:public' && toBool(t.Value) === true);
}

function principalIsPublic(p: unknown): boolean {
  if (p === '*') return true;
  if (isRecord(p)) {
    const aws = p.AWS;
    return aws === '*' || (Array.isArray(aws) && aws.includes('*'));
  }
  return false;
}

function hasRestrictingCondition(cond: unknown): boolean {
  if (!isRecord(cond)) return false;
  for (const block of Object.values(cond)) {
    if (!isRecord(block)) continue;
    for (const key of Object.keys(block)) if (RESTRICTING_KEYS.has(key.toLowerCase())) return true;
  }
  return false;
}

function checkBucket(r: Resource, ctx: RuleContext): void {
  const acl = ctx.value(r, ['Properties', 'AccessControl']);
  const ownership = ownershipOf(ctx, r);
  if (acl.kind === 'known' && typeof acl.value === 'string') {
    if (PUBLIC_ACLS.has(acl.value)) {
      ctx.report(r, {
        path: ['Properties', 'AccessControl'],
        key: 'acl',
        message: `S3 bucket '${r.logicalId}' grants a public canned ACL (AccessControl: ${acl.value}).`,
      });
    }
    if (!ACLS_ALLOWED_WHEN_ENFORCED.has(acl.value) && ownership === 'BucketOwnerEnforced') {
      const explicit = r.properties.OwnershipControls !== undefined;
      ctx.report(r, {
        path: ['Properties', 'AccessControl'],
        key: 'acl-enforced',
        message: `S3 bucket '${r.logicalId}' sets AccessControl: ${acl.value} while ACLs are disabled (ObjectOwnership: BucketOwnerEnforced${
          explicit ? '' : ', the default for new buckets since April 2023'
        }); S3 rejects the ACL and the deployment fails.`,
      });
    }
  }

  const pub = taggedPublic(ctx, r);
  if (pub === undefined) {
    ctx.unknown(r, { path: ['Properties', 'Tags'], why: 'tags depend on unknown values' });
  } else if (!pub) {
    const bpa = r.properties.PublicAccessBlockConfiguration;
    if (bpa === undefined) {
      ctx.report(r, {
        path: [],
        severity: 'warning',
        key: 'bpa',
        message: `S3 bucket '${r.logicalId}' does not declare PublicAccessBlockConfiguration; declare all four Block Public Access flags so that no later policy or ACL change can make it public (tag it archlint:public=true if it is meant to be public).`,
      });
    } else {
      const off: string[] = [];
      let unknown = false;
      for (const flag of BPA_FLAGS) {
        const alts = alternatives(ctx.value(r, ['Properties', 'PublicAccessBlockConfiguration', flag]));
        if (!alts) unknown = true;
        else if (alts.every((a) => toBool(a) !== true)) off.push(flag);
        else if (alts.some((a) => toBool(a) !== true)) unknown = true;
      }
      if (off.length) {
        ctx.report(r, {
          path: ['Properties', 'PublicAccessBlockConfiguration'],
          severity: 'warning',
          key: 'bpa',
          message: `S3 bucket '${r.logicalId}' leaves Block Public Access off for ${off.join(', ')} (false or not set); tag it archlint:public=true if it is meant to be public.`,
        });
      } else if (unknown) {
        ctx.unknown(r, {
          path: ['Properties', 'PublicAccessBlockConfiguration'],
          why: 'a Block Public Access flag is unknown',
        });
      }
    }
  }

  if (ownership !== undefined && ownership !== 'BucketOwnerEnforced' && r.properties.OwnershipControls !== undefined) {
    ctx.report(r, {
      path: ['Properties', 'OwnershipControls'],
      severity: 'info',
      key: 'ownership',
      message: `S3 bucket '${r.logicalId}' uses ObjectOwnership: ${ownership}, so ACLs stay active; use BucketOwnerEnforced unless a legacy log delivery needs ACLs.`,
    });
  }
}

/** Effective ObjectOwnership: explicit rule, else BucketOwnerEnforced (default since April 2023); undefined when unknown. */
function ownershipOf(ctx: RuleContext, r: Resource): string | undefined {
  if (r.properties.OwnershipControls === undefined) return 'BucketOwnerEnforced';
  const v = ctx.value(r, ['Properties', 'OwnershipControls', 'Rules', 0, 'ObjectOwnership']);
  return v.kind === 'known' && typeof v.value === 'string' ? v.value : undefined;
}

function checkPolicy(p: Resource, ctx: RuleContext): void {
  const statements = p.properties.PolicyDocument;
  const stmts = isRecord(statements) ? statements.Statement : undefined;
  const list = Array.isArray(stmts) ? stmts : stmts !== undefined ? [stmts] : [];
  let bucket: Resource | undefined;
  const target = refTarget(p.properties.Bucket);
  if (target) bucket = ctx.model.resources.get(target);
  else {
    const name = ctx.value(p, ['Properties', 'Bucket']);
    if (name.kind === 'known' && typeof name.value === 'string') {
      for (const b of ctx.model.byType.get('AWS::S3::Bucket') ?? []) {
        const bn = ctx.value(b, ['Properties', 'BucketName']);
        if (bn.kind === 'known' && bn.value === name.value) bucket = b;
      }
    }
  }
  list.forEach((_, i) => {
    const base = Array.isArray(stmts)
      ? ['Properties', 'PolicyDocument', 'Statement', i]
      : ['Properties', 'PolicyDocument', 'Statement'];
    const effect = ctx.value(p, [...base, 'Effect']);
    if (effect.kind !== 'known' || effect.value !== 'Allow') return;
    const principal = ctx.value(p, [...base, 'Principal']);
    if (principal.kind !== 'known') return;
    if (!principalIsPublic(principal.value)) return;
    const condition = ctx.value(p, [...base, 'Condition']);
    if (condition.kind === 'unknown') {
      ctx.unknown(p, { path: [...base, 'Condition'], why: condition.why });
      return;
    }
    if (condition.kind === 'known' && hasRestrictingCondition(condition.value)) return;
    if (!bucket) {
      ctx.unknown(p, { path: base, why: 'the bucket is outside the template, so its archlint:public tag is unknown' });
      return;
    }
    const pub = taggedPublic(ctx, bucket);
    if (pub !== false) return;
    ctx.report(p, {
      path: [...base, 'Principal'],
      key: String(i),
      message: `Bucket policy '${p.logicalId}' allows everyone (Principal "*") on bucket '${bucket.logicalId}' without a restricting condition (aws:SourceVpce, aws:SourceVpc, aws:PrincipalOrgID, aws:SourceArn, aws:SourceAccount or aws:SourceIp).`,
      related: [{ logicalId: bucket.logicalId, message: `bucket '${bucket.logicalId}'` }],
    });
  });
}

export default defineRule({
  id: 's3-public-access',
  title: 'Keep S3 buckets private unless they are declared public',
  severity: 'error',
  pillar: 'security',
  tier: '1',
  scope: 'graph',
  resourceTypes: ['AWS::S3::Bucket', 'AWS::S3::BucketPolicy'],
  rationale:
    'Buckets are private by default, and public exposure through ACLs or an open bucket policy is nearly always a mistake that leaks data. Block Public Access is the guard rail that stops a later policy or ACL change from making a bucket public.',
  remediation:
    'Keep all four Block Public Access flags on, use bucket policies instead of ACLs (ObjectOwnership: BucketOwnerEnforced), scope policies with conditions such as aws:SourceVpce or aws:PrincipalOrgID, and serve public content through CloudFront with origin access control. Tag intentionally public buckets archlint:public=true.',
  citations: [
    'notes/000_93fa618f25815812.txt:1871',
    'notes/000_93fa618f25815812.txt:1881',
    'notes/000_93fa618f25815812.txt:5501',
    'notes/001_599d008610d64701.txt:1170',
    'notes/001_599d008610d64701.txt:1178',
    'notes/001_599d008610d64701.txt:1200',
    'notes/001_599d008610d64701.txt:1214',
    'notes/002_67d0d92d551be2b8.txt:4578',
    'notes/002_67d0d92d551be2b8.txt:5155',
    'notes/003_13f8bda642d7e66e.txt:587',
    'https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html',
    'https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html',
  ],
  check(r, ctx) {
    if (r.type === 'AWS::S3::Bucket') checkBucket(r, ctx);
    else checkPolicy(r, ctx);
  },
});
