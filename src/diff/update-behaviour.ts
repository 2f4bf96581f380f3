/**
 * The update-behaviour table of catalog 2.5.1: what CloudFormation does when a property changes.
 *
 * Sources, merged so that the most severe verdict wins (NotSupported > Replacement > Conditional > InPlace):
 * 1. the generated table (update-table.generated.ts, from the CloudFormation service specification: registry
 *    `createOnlyProperties` and the template reference's "Update requires: Replacement" are R, conditional ones C);
 * 2. at run time, the replacement impact that @aws-cdk/cloudformation-diff reads from the installed
 *    specification (src/diff/cfn-diff.ts), which may be newer than the generated table;
 * 3. the curated list below: properties the specification marks as updatable although the service cannot
 *    apply the change (effectively immutable), and conditional properties whose condition archlint can decide
 *    from the values (for example removing SourceDBInstanceIdentifier promotes a read replica).
 */
import { isRecord } from '../parse/parse';
import { UPDATE_TABLE } from './update-table.generated';
import { toBool, toNumber, type Value } from '../model/values';

export type Behaviour = 'NotSupported' | 'Replacement' | 'Conditional' | 'InPlace';

export const BEHAVIOUR_RANK: Record<Behaviour, number> = {
  NotSupported: 3,
  Replacement: 2,
  Conditional: 1,
  InPlace: 0,
};

export function moreSevere(a: Behaviour, b: Behaviour): Behaviour {
  return BEHAVIOUR_RANK[a] >= BEHAVIOUR_RANK[b] ? a : b;
}

export interface TypeBehaviour {
  /** Top-level properties whose change replaces the resource. */
  readonly replacement: ReadonlySet<string>;
  /** Top-level properties whose change may replace the resource. */
  readonly conditional: ReadonlySet<string>;
  /** Nested paths (split on '.', '*' = any item) with their behaviour, below a top-level property. */
  readonly nested: ReadonlyMap<string, readonly { path: readonly string[]; behaviour: Behaviour }[]>;
}

const EMPTY: TypeBehaviour = { replacement: new Set(), conditional: new Set(), nested: new Map() };
let parsed: Map<string, TypeBehaviour> | undefined;

function table(): Map<string, TypeBehaviour> {
  if (parsed) return parsed;
  parsed = new Map();
  for (const line of UPDATE_TABLE.split('\n')) {
    if (!line) continue;
    const [type, ...parts] = line.split(' ');
    const replacement = new Set<string>();
    const conditional = new Set<string>();
    const nested = new Map<string, { path: string[]; behaviour: Behaviour }[]>();
    for (const part of parts) {
      const behaviour: Behaviour = part.startsWith('R:') ? 'Replacement' : 'Conditional';
      for (const p of part.slice(2).split(',')) {
        if (!p.includes('.')) (behaviour === 'Replacement' ? replacement : conditional).add(p);
        else {
          const [top, ...rest] = p.split('.');
          const list = nested.get(top!) ?? [];
          list.push({ path: rest, behaviour });
          nested.set(top!, list);
        }
      }
    }
    parsed.set(type!, { replacement, conditional, nested });
  }
  return parsed;
}

/** The specification's update behaviour of one resource type (generated table). */
export function specBehaviour(type: string): TypeBehaviour {
  return table().get(type) ?? EMPTY;
}

/** Behaviour of a change of a top-level property according to the generated table. */
export function specPropertyBehaviour(type: string, property: string): Behaviour {
  const t = specBehaviour(type);
  return t.replacement.has(property) ? 'Replacement' : t.conditional.has(property) ? 'Conditional' : 'InPlace';
}

/** Every resource type listed in the generated table. */
export function tableTypes(): string[] {
  return [...table().keys()];
}

// ------------------------------------------------------------------------------------------------ curated

/** The values a curated judgement looks at: evaluated top-level properties of both sides. */
export interface CuratedInput {
  readonly property: string;
  readonly old: Value;
  readonly new: Value;
  /** Another top-level property of the old (baseline) or new resource. */
  oldProp(name: string): Value;
  newProp(name: string): Value;
}

export type CuratedVerdict =
  | { behaviour: Behaviour; note: string; event?: 'promotion' | 'snapshot-restore' }
  | { behaviour: 'Unknown'; why: string };

export interface CuratedEntry {
  readonly type: string;
  readonly properties: readonly string[];
  /** Called only when the property's value changed; undefined = no opinion (the specification decides). */
  judge(input: CuratedInput): CuratedVerdict | undefined;
  /** 'override' replaces the specification's verdict (a condition decided); 'merge' keeps the most severe. */
  readonly mode: 'merge' | 'override';
}

const kv = (v: Value): unknown => (v.kind === 'known' ? v.value : undefined);
const isEmptyList = (v: Value): boolean =>
  v.kind === 'missing' || (v.kind === 'known' && Array.isArray(v.value) && v.value.length === 0);

function indexNames(v: Value): Set<string> | undefined {
  if (v.kind === 'missing') return new Set();
  if (v.kind !== 'known' || !Array.isArray(v.value)) return undefined;
  const out = new Set<string>();
  for (const item of v.value) {
    if (!isRecord(item) || typeof item.IndexName !== 'string') return undefined;
    out.add(item.IndexName);
  }
  return out;
}

/** Default retention of an S3 Object Lock configuration, as { mode, days }. */
function retention(v: Value): { mode?: string; days?: number } | undefined {
  if (v.kind === 'missing') return {};
  if (v.kind !== 'known' || !isRecord(v.value)) return undefined;
  const rule = isRecord(v.value.Rule) ? v.value.Rule : undefined;
  const dr = rule && isRecord(rule.DefaultRetention) ? rule.DefaultRetention : undefined;
  if (!dr) return {};
  const days = toNumber(dr.Days);
  const years = toNumber(dr.Years);
  return {
    mode: typeof dr.Mode === 'string' ? dr.Mode : undefined,
    days: days ?? (years !== undefined ? years * 365 : undefined),
  };
}

function ebLoadBalancerType(v: Value): string | undefined | null {
  if (v.kind === 'missing') return undefined;
  if (v.kind !== 'known' || !Array.isArray(v.value)) return null;
  for (const o of v.value) {
    if (
      isRecord(o) &&
      o.Namespace === 'aws:elasticbeanstalk:environment' &&
      o.OptionName === 'LoadBalancerType' &&
      typeof o.Value === 'string'
    )
      return o.Value.toLowerCase();
  }
  return undefined;
}

const RDS_MODIFIABLE =
  'ModifyDBInstance changes this setting on the existing instance (the registry lists it as conditionally create-only)';

/** Catalog 2.5.1, "effectively immutable", plus conditions archlint can decide. */
export const CURATED: readonly CuratedEntry[] = [
  {
    type: 'AWS::EC2::Volume',
    properties: ['Encrypted', 'KmsKeyId', 'SnapshotId', 'AvailabilityZone'],
    mode: 'merge',
    judge: ({ property }) => ({
      behaviour: 'Replacement',
      note: `EBS cannot change ${property} of an existing volume (the registry schema declares no create-only properties for this type)`,
    }),
  },
  {
    type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
    properties: ['SecurityGroups'],
    mode: 'merge',
    judge: (i) => {
      if (!isEmptyList(i.old) || isEmptyList(i.new)) return undefined;
      const t = i.newProp('Type');
      if (t.kind === 'unknown') return { behaviour: 'Unknown', why: `load balancer type: ${t.why}` };
      if (kv(t) !== 'network') return undefined;
      return {
        behaviour: 'NotSupported',
        note: 'security groups can only be attached to a Network Load Balancer when it is created',
      };
    },
  },
  {
    type: 'AWS::DynamoDB::Table',
    properties: ['LocalSecondaryIndexes'],
    mode: 'merge',
    judge: () => ({
      behaviour: 'NotSupported',
      note: 'local secondary indexes exist only from table creation; they cannot be added, removed or changed',
    }),
  },
  {
    type: 'AWS::DynamoDB::Table',
    properties: ['GlobalSecondaryIndexes'],
    mode: 'merge',
    judge: (i) => {
      const a = indexNames(i.old);
      const b = indexNames(i.new);
      if (!a || !b) return undefined;
      const created = [...b].filter((n) => !a.has(n));
      const deleted = [...a].filter((n) => !b.has(n));
      if (created.length + deleted.length <= 1) return undefined;
      return {
        behaviour: 'NotSupported',
        note: `CloudFormation creates or deletes only one global secondary index per update, and this update ${[
          created.length ? `creates ${created.join(', ')}` : '',
          deleted.length ? `deletes ${deleted.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join(' and ')}`,
      };
    },
  },
  {
    type: 'AWS::S3::Bucket',
    properties: ['ObjectLockEnabled'],
    mode: 'merge',
    judge: (i) =>
      toBool(kv(i.old)) === true && toBool(kv(i.new)) !== true && i.new.kind !== 'unknown'
        ? { behaviour: 'NotSupported', note: 'S3 Object Lock cannot be disabled once it is enabled on a bucket' }
        : undefined,
  },
  {
    type: 'AWS::S3::Bucket',
    properties: ['ObjectLockConfiguration'],
    mode: 'merge',
    judge: (i) => {
      const a = retention(i.old);
      const b = retention(i.new);
      if (!a || a.mode !== 'COMPLIANCE') return undefined;
      if (!b) return { behaviour: 'Unknown', why: 'the new Object Lock configuration is not known' };
      if (b.mode === 'GOVERNANCE' || b.mode === undefined)
        return {
          behaviour: 'NotSupported',
          note: 'a COMPLIANCE-mode Object Lock retention cannot be switched to GOVERNANCE or removed',
        };
      if (a.days !== undefined && b.days !== undefined && b.days < a.days)
        return { behaviour: 'NotSupported', note: 'a COMPLIANCE-mode Object Lock retention cannot be shortened' };
      return undefined;
    },
  },
  {
    type: 'AWS::ElasticBeanstalk::Environment',
    properties: ['OptionSettings'],
    mode: 'merge',
    judge: (i) => {
      const a = ebLoadBalancerType(i.old);
      const b = ebLoadBalancerType(i.new);
      if (a === b) return undefined;
      if (a === null || b === null) return { behaviour: 'Unknown', why: 'the option settings are not known' };
      if (a === undefined || b === undefined)
        return {
          behaviour: 'Unknown',
          why: 'LoadBalancerType is set on one side only; its default depends on the platform',
        };
      return {
        behaviour: 'NotSupported',
        note: `the load balancer type of an Elastic Beanstalk environment cannot be changed (${a} → ${b}); build a new environment and swap CNAMEs`,
      };
    },
  },
  {
    type: 'AWS::ElastiCache::ReplicationGroup',
    properties: ['TransitEncryptionEnabled'],
    mode: 'merge',
    judge: () => ({
      behaviour: 'Conditional',
      note: 'in place only for engine versions that support TransitEncryptionMode migration',
    }),
  },
  {
    type: 'AWS::SSM::Parameter',
    properties: ['Tier'],
    mode: 'merge',
    judge: (i) =>
      kv(i.old) === 'Advanced' && kv(i.new) !== 'Advanced' && i.new.kind !== 'unknown'
        ? { behaviour: 'NotSupported', note: 'an Advanced parameter cannot be changed back to Standard' }
        : undefined,
  },
  {
    type: 'AWS::KMS::Key',
    properties: ['KeySpec', 'KeyUsage', 'MultiRegion'],
    mode: 'merge',
    judge: ({ property }) => ({
      behaviour: 'NotSupported',
      note: `changing ${property} of an existing KMS key makes the update fail, whatever the UpdateReplacePolicy`,
    }),
  },
  // RDS: restores. Reported by rds-snapshot-identifier-change; a new database is created either way.
  {
    type: 'AWS::RDS::DBInstance',
    properties: ['DBSnapshotIdentifier', 'DBClusterSnapshotIdentifier'],
    mode: 'override',
    judge: ({ property }) => ({
      behaviour: 'Replacement',
      note: `a change of ${property} creates a new database, restored from the snapshot or empty`,
      event: 'snapshot-restore',
    }),
  },
  {
    type: 'AWS::RDS::DBCluster',
    properties: ['SnapshotIdentifier'],
    mode: 'override',
    judge: () => ({
      behaviour: 'Replacement',
      note: 'a change of SnapshotIdentifier creates a new cluster, restored from the snapshot or empty',
      event: 'snapshot-restore',
    }),
  },
  // RDS: removing the source promotes a read replica; pointing it at another source replaces it.
  {
    type: 'AWS::RDS::DBInstance',
    properties: ['SourceDBInstanceIdentifier'],
    mode: 'override',
    judge: (i) =>
      i.new.kind === 'missing'
        ? { behaviour: 'InPlace', note: 'removing the source promotes the read replica', event: 'promotion' }
        : { behaviour: 'Replacement', note: 'a read replica cannot change its source' },
  },
  ...['MultiAZ', 'AutoMinorVersionUpgrade', 'PreferredMaintenanceWindow', 'BackupRetentionPeriod', 'StorageType'].map(
    (p): CuratedEntry => ({
      type: 'AWS::RDS::DBInstance',
      properties: [p],
      mode: 'override',
      judge: () => ({ behaviour: 'InPlace', note: RDS_MODIFIABLE }),
    }),
  ),
  {
    type: 'AWS::RDS::DBInstance',
    properties: ['DBParameterGroupName'],
    mode: 'override',
    judge: () => ({ behaviour: 'InPlace', note: `${RDS_MODIFIABLE}; the instance may need a reboot` }),
  },
];

const curatedByType = new Map<string, CuratedEntry[]>();
for (const c of CURATED) {
  const list = curatedByType.get(c.type) ?? [];
  list.push(c);
  curatedByType.set(c.type, list);
}

/** Curated entries that concern a property of a type. */
export function curatedFor(type: string, property: string): CuratedEntry[] {
  return (curatedByType.get(type) ?? []).filter((c) => c.properties.includes(property));
}

/** Top-level properties of a type that the curated list looks at. */
export function curatedProperties(type: string): string[] {
  return [...new Set((curatedByType.get(type) ?? []).flatMap((c) => c.properties))];
}

// ------------------------------------------------------------------------------------------------ defaults

/**
 * Documented defaults of create-only properties, for `textual-only` changes (Absent ↔ explicit default).
 * CloudFormation compares template values, so even such a change may show as a replacement.
 */
export const DOCUMENTED_DEFAULTS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  'AWS::RDS::DBInstance': { StorageEncrypted: false },
  'AWS::RDS::DBCluster': { StorageEncrypted: false },
  'AWS::DocDB::DBCluster': { StorageEncrypted: false },
  'AWS::Neptune::DBCluster': { StorageEncrypted: false },
  'AWS::EFS::FileSystem': { Encrypted: false, PerformanceMode: 'generalPurpose' },
  'AWS::EC2::Volume': { Encrypted: false },
  'AWS::S3::Bucket': { ObjectLockEnabled: false },
  'AWS::ElasticLoadBalancingV2::LoadBalancer': { Type: 'application', Scheme: 'internet-facing' },
  'AWS::EC2::VPC': { InstanceTenancy: 'default' },
  'AWS::EC2::Instance': { Tenancy: 'default' },
  'AWS::ElastiCache::ReplicationGroup': { AtRestEncryptionEnabled: false, TransitEncryptionEnabled: false },
  'AWS::SQS::Queue': { FifoQueue: false },
  'AWS::SNS::Topic': { FifoTopic: false },
  'AWS::Lambda::Function': { PackageType: 'Zip' },
};
