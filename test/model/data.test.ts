import { describe, expect, it } from 'vitest';
import { lint } from '../../src/api';
import type { TemplateContext } from '../../src/engine/context';
import {
  dataView,
  effectiveEncryption,
  instanceClassRank,
  parseRdsArn,
  replicaHa,
  type Encryption,
} from '../../src/model/data';

/** The template context of one inline template (no rules run). */
function contextOf(text: string, config?: Record<string, unknown>): TemplateContext {
  let captured: TemplateContext | undefined;
  const result = lint({ file: 'inline.yaml', text }, { rules: [], config, extendContext: (c) => (captured = c) });
  expect(result.errors).toEqual([]);
  return captured!;
}

const tpl = (resources: string, extra = '') =>
  `AWSTemplateFormatVersion: '2010-09-09'\n${extra}Resources:\n${resources}`;

function enc(text: string, id: string, config?: Record<string, unknown>): Encryption {
  const ctx = contextOf(text, config);
  return effectiveEncryption(ctx, ctx.model.resources.get(id)!);
}

const PRIMARY = `
  Primary:
    Type: AWS::RDS::DBInstance
    Properties:
      DBInstanceIdentifier: orders-primary
      Engine: mysql
      DBInstanceClass: db.m6g.large
      StorageEncrypted: true
`;

describe('data view: DB instance roles', () => {
  it('classifies primaries, Aurora members, replicas and restores', () => {
    const ctx = contextOf(
      tpl(`${PRIMARY}
  Cluster:
    Type: AWS::RDS::DBCluster
    Properties:
      DBClusterIdentifier: catalog
      Engine: aurora-mysql
  MemberByRef:
    Type: AWS::RDS::DBInstance
    Properties:
      DBClusterIdentifier: !Ref Cluster
      Engine: aurora-mysql
  MemberByName:
    Type: AWS::RDS::DBInstance
    Properties:
      DBClusterIdentifier: CATALOG
      Engine: aurora-mysql
  ReplicaByRef:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: !Ref Primary
  ReplicaByArnAttr:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: !GetAtt Primary.DBInstanceArn
  ReplicaByName:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: orders-primary
  ReplicaBySubArn:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: !Sub 'arn:\${AWS::Partition}:rds:\${AWS::Region}:\${AWS::AccountId}:db:\${Primary}'
  Pitr:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: !Ref Primary
      UseLatestRestorableTime: 'true'
  NotPitr:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: !Ref Primary
      UseLatestRestorableTime: false
  Restored:
    Type: AWS::RDS::DBInstance
    Properties:
      DBSnapshotIdentifier: snap-1
`),
    );
    const v = ctx.view(dataView);
    const role = (id: string) => v.instance(id)!.role;
    expect(role('Primary').kind).toBe('primary');
    for (const id of ['MemberByRef', 'MemberByName']) {
      const r = role(id);
      expect(r.kind).toBe('aurora-member');
      expect(r.kind === 'aurora-member' && r.cluster.kind === 'resource' && r.cluster.resource.logicalId).toBe(
        'Cluster',
      );
    }
    for (const id of ['ReplicaByRef', 'ReplicaByArnAttr', 'ReplicaByName', 'ReplicaBySubArn', 'NotPitr']) {
      const r = role(id);
      expect(r.kind, id).toBe('replica');
      if (r.kind !== 'replica') continue;
      expect(r.edge.source.kind === 'resource' && r.edge.source.resource.logicalId, id).toBe('Primary');
      expect(r.edge.region, id).toBe('same');
    }
    expect(role('Pitr').kind).toBe('restore');
    const restored = role('Restored');
    expect(restored.kind === 'restore' && restored.restore.id).toBe('snap-1');
    expect(
      v
        .replicasOf('Primary')
        .map((e) => e.replica.logicalId)
        .sort(),
    ).toEqual(['NotPitr', 'ReplicaByArnAttr', 'ReplicaByName', 'ReplicaByRef', 'ReplicaBySubArn']);
    expect(v.membersOf('Cluster').definite.map((m) => m.logicalId)).toEqual(['MemberByRef', 'MemberByName']);
  });

  it('treats an instance with an aurora engine as a member even without DBClusterIdentifier', () => {
    const ctx = contextOf(
      tpl(`
  Lonely:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: aurora-postgresql
`),
    );
    expect(ctx.view(dataView).instance('Lonely')!.role.kind).toBe('aurora-member');
  });

  it('enumerates AllowedValues of a parameter without a value (Engine through Fn::FindInMap)', () => {
    const ctx = contextOf(
      tpl(
        `
  Cluster:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: !FindInMap [EngineMap, !Ref Engine, Engine]
`,
        `Parameters:
  Engine:
    Type: String
    AllowedValues: [mysql8, pg15]
Mappings:
  EngineMap:
    mysql8: { Engine: aurora-mysql }
    pg15: { Engine: aurora-postgresql }
`,
      ),
    );
    const c = ctx.view(dataView).cluster('Cluster')!;
    expect(c.engines).toEqual(['aurora-mysql', 'aurora-postgresql']);
    expect(c.aurora).toBe(true);
  });

  it('makes a role unknown when a condition decides whether the instance is a replica', () => {
    const ctx = contextOf(
      tpl(
        `${PRIMARY}
  Maybe:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: !If [IsReplica, !Ref Primary, !Ref AWS::NoValue]
`,
        `Parameters:
  Mode:
    Type: String
Conditions:
  IsReplica: !Equals [!Ref Mode, replica]
`,
      ),
    );
    expect(ctx.view(dataView).instance('Maybe')!.role.kind).toBe('unknown');
  });

  it('resolves a source through both branches when they agree', () => {
    const ctx = contextOf(
      tpl(
        `${PRIMARY}
  Replica:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: !If [UseArn, !GetAtt Primary.DBInstanceArn, !Ref Primary]
`,
        `Parameters:
  Mode:
    Type: String
Conditions:
  UseArn: !Equals [!Ref Mode, arn]
`,
      ),
    );
    const role = ctx.view(dataView).instance('Replica')!.role;
    expect(role.kind === 'replica' && role.edge.source.kind === 'resource' && role.edge.source.resource.logicalId).toBe(
      'Primary',
    );
  });
});

describe('data view: Region of replicas', () => {
  const replica = (props: string) =>
    tpl(`${PRIMARY}
  Replica:
    Type: AWS::RDS::DBInstance
    Properties:
${props}`);
  const region = { pseudoParameters: { region: 'eu-west-1' } };
  const rel = (text: string, config?: Record<string, unknown>) => {
    const role = contextOf(text, config).view(dataView).instance('Replica')!.role;
    return role.kind === 'replica' ? role.edge : undefined;
  };

  it.each([
    ['a Ref', '      SourceDBInstanceIdentifier: !Ref Primary\n', undefined, 'same'],
    ['a plain identifier', '      SourceDBInstanceIdentifier: elsewhere\n', undefined, 'same'],
    [
      'an ARN in the stack Region',
      '      SourceDBInstanceIdentifier: arn:aws:rds:eu-west-1:111122223333:db:orders-primary\n',
      region,
      'same',
    ],
    [
      'an ARN in another Region',
      '      SourceDBInstanceIdentifier: arn:aws:rds:us-east-1:111122223333:db:orders-primary\n',
      region,
      'cross',
    ],
    [
      'an ARN when the stack Region is not configured',
      '      SourceDBInstanceIdentifier: arn:aws:rds:us-east-1:111122223333:db:orders-primary\n',
      undefined,
      'unknown',
    ],
    [
      'SourceRegion differing from the stack Region',
      '      SourceDBInstanceIdentifier: arn:aws:rds:us-east-1:111122223333:db:other\n      SourceRegion: us-east-1\n',
      region,
      'cross',
    ],
    [
      'SourceRegion equal to ${AWS::Region}',
      '      SourceDBInstanceIdentifier: !Ref Primary\n      SourceRegion: !Ref AWS::Region\n',
      undefined,
      'same',
    ],
  ])('%s', (_name, props, config, expected) => {
    expect(rel(replica(props), config)?.region).toBe(expected);
  });

  it('resolves the ARN that the CDK writes with Fn::Join (same Region)', () => {
    const e = rel(
      replica(
        "      SourceDBInstanceIdentifier: !Join ['', ['arn:', !Ref AWS::Partition, ':rds:', !Ref AWS::Region, ':', !Ref AWS::AccountId, ':db:', !Ref Primary]]\n",
      ),
    );
    expect(e?.source.kind === 'resource' && e.source.resource.logicalId).toBe('Primary');
    expect(e?.region).toBe('same');
  });

  it('takes the literal Region of an ARN built from a reference to this template as the stack Region', () => {
    const props =
      "      SourceDBInstanceIdentifier: !Join ['', ['arn:aws:rds:eu-west-1:111122223333:db:', !Ref Primary]]\n";
    expect(rel(replica(props))?.region).toBe('same');
    expect(rel(replica(props), { pseudoParameters: { region: 'us-east-1' } })?.region).toBe('cross');
  });

  it('matches an ARN in another Region to the in-template database of that name', () => {
    const e = rel(
      replica('      SourceDBInstanceIdentifier: arn:aws:rds:us-east-1:111122223333:db:ORDERS-PRIMARY\n'),
      region,
    );
    expect(e?.source.kind === 'resource' && e.source.resource.logicalId).toBe('Primary');
  });

  it('keeps a source outside the template external, and an unknown one unknown', () => {
    expect(rel(replica('      SourceDBInstanceIdentifier: some-other-db\n'))?.source.kind).toBe('external');
    const text = tpl(
      `${PRIMARY}
  Replica:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: !Ref SourceParam
`,
      'Parameters:\n  SourceParam:\n    Type: String\n',
    );
    expect(rel(text)?.source.kind).toBe('unknown');
  });
});

describe('data view: chains, clusters, scaling, global clusters, subnet groups', () => {
  it('records replica chains and cluster members with conditions', () => {
    const ctx = contextOf(
      tpl(
        `${PRIMARY}
  Hop1:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: !Ref Primary
  Hop2:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: !Ref Hop1
  Cluster:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-postgresql
  Writer:
    Type: AWS::RDS::DBInstance
    Properties:
      DBClusterIdentifier: !Ref Cluster
  Reader:
    Type: AWS::RDS::DBInstance
    Condition: WithReader
    Properties:
      DBClusterIdentifier: !Ref Cluster
  Scaling:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: rds
      ScalableDimension: rds:cluster:ReadReplicaCount
      ResourceId: !Sub cluster:\${Cluster}
      MinCapacity: 1
      MaxCapacity: 4
  Global:
    Type: AWS::RDS::GlobalCluster
    Properties:
      GlobalClusterIdentifier: orders-global
      SourceDBClusterIdentifier: !Ref Cluster
  Secondary:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-postgresql
      GlobalClusterIdentifier: orders-global
  SubnetA:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: vpc-123
      CidrBlock: 10.0.0.0/24
  Group:
    Type: AWS::RDS::DBSubnetGroup
    Properties:
      DBSubnetGroupDescription: db
      SubnetIds: [!Ref SubnetA, subnet-0abc]
`,
        `Parameters:
  Reader:
    Type: String
Conditions:
  WithReader: !Equals [!Ref Reader, 'yes']
`,
      ),
    );
    const v = ctx.view(dataView);
    expect(v.replicasOf('Hop1').map((e) => e.replica.logicalId)).toEqual(['Hop2']);
    const hop1 = v.instance('Hop2')!.role;
    expect(hop1.kind === 'replica' && hop1.edge.source.kind === 'resource' && hop1.edge.source.resource.logicalId).toBe(
      'Hop1',
    );
    const members = v.membersOf('Cluster');
    expect(members.definite.map((m) => m.logicalId)).toEqual(['Writer']);
    expect(members.maybe.map((m) => m.logicalId)).toEqual(['Reader']);
    expect(v.readerScalingOf('Cluster').map((s) => s.target.logicalId)).toEqual(['Scaling']);
    expect(v.cluster('Cluster')!.role.kind).toBe('primary'); // it seeds the global cluster
    const sec = v.cluster('Secondary')!.role;
    expect(sec.kind === 'global-member' && sec.global.kind === 'resource' && sec.global.resource.logicalId).toBe(
      'Global',
    );
    expect(v.globalMembersOf('Global').map((r) => r.logicalId)).toEqual(['Secondary']);
    const group = v.subnetGroups[0]!;
    expect(Array.isArray(group.subnets) && group.subnets.map((s) => s.kind)).toEqual(['resource', 'external']);
  });
});

describe('effective encryption E(r)', () => {
  const instance = (props: string, extra = '') =>
    tpl(
      `
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
${props}`,
      extra,
    );

  it.each([
    ['StorageEncrypted: true', '      StorageEncrypted: true\n', 'encrypted', 'flag'],
    ["string 'true'", "      StorageEncrypted: 'true'\n", 'encrypted', 'flag'],
    ['StorageEncrypted: false', '      StorageEncrypted: false\n', 'unencrypted', 'flag'],
    ['nothing set (RDS default)', '', 'unencrypted', 'default'],
    ['KmsKeyId without the flag', '      KmsKeyId: alias/orders\n', 'encrypted', 'key-without-flag'],
    [
      'false with a KmsKeyId (contradiction)',
      '      StorageEncrypted: false\n      KmsKeyId: alias/orders\n',
      'unknown',
      undefined,
    ],
  ])('%s', (_name, props, kind, basis) => {
    const e = enc(instance(props), 'Db');
    expect(e.kind).toBe(kind);
    if (e.kind !== 'unknown') expect(e.basis).toBe(basis);
  });

  it('uses parameter defaults and stays unknown without them', () => {
    const withDefault = instance(
      '      StorageEncrypted: !Ref Encrypt\n',
      'Parameters:\n  Encrypt:\n    Type: String\n    Default: "true"\n',
    );
    expect(enc(withDefault, 'Db').kind).toBe('encrypted');
    const without = instance('      StorageEncrypted: !Ref Encrypt\n', 'Parameters:\n  Encrypt:\n    Type: String\n');
    expect(enc(without, 'Db')).toMatchObject({ kind: 'unknown', why: expect.stringContaining('Encrypt') });
  });

  it('is unknown when an unknown condition gives different branches, known when they agree', () => {
    const cond = 'Parameters:\n  Env:\n    Type: String\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\n';
    expect(enc(instance('      StorageEncrypted: !If [IsProd, true, false]\n', cond), 'Db').kind).toBe('unknown');
    expect(enc(instance("      StorageEncrypted: !If [IsProd, true, 'true']\n", cond), 'Db').kind).toBe('encrypted');
  });

  it('judges StorageEncrypted and KmsKeyId chosen by the same condition together', () => {
    const cond = 'Parameters:\n  Env:\n    Type: String\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\n';
    const text = instance(
      '      StorageEncrypted: !If [IsProd, true, !Ref AWS::NoValue]\n      KmsKeyId: !If [IsProd, !Ref AWS::NoValue, alias/orders]\n',
      cond,
    );
    // Either the flag or the key is set in every scenario: encrypted, although not every combination is.
    expect(enc(text, 'Db').kind).toBe('encrypted');
  });

  it('reports the key: the AWS managed key, a customer key, or alias/aws/rds', () => {
    expect(enc(instance('      StorageEncrypted: true\n'), 'Db')).toMatchObject({ key: { kind: 'aws-managed' } });
    expect(enc(instance('      StorageEncrypted: true\n      KmsKeyId: alias/aws/rds\n'), 'Db')).toMatchObject({
      key: { kind: 'aws-managed' },
    });
    expect(enc(instance('      StorageEncrypted: true\n      KmsKeyId: alias/orders\n'), 'Db')).toMatchObject({
      key: { kind: 'key', value: 'alias/orders' },
    });
  });

  it('gives Aurora members the encryption of their cluster, and unknown for a cluster outside the template', () => {
    const text = tpl(`
  Cluster:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-mysql
      StorageEncrypted: true
  Member:
    Type: AWS::RDS::DBInstance
    Properties:
      DBClusterIdentifier: !Ref Cluster
      StorageEncrypted: false
  Outside:
    Type: AWS::RDS::DBInstance
    Properties:
      DBClusterIdentifier: some-cluster
      Engine: aurora-mysql
`);
    expect(enc(text, 'Member')).toMatchObject({ kind: 'encrypted', basis: 'cluster' });
    expect(enc(text, 'Outside').kind).toBe('unknown');
  });

  it('makes replicas follow their source, with cycles unknown', () => {
    const text = tpl(`
  Plain:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: mysql
  Replica:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: !Ref Plain
      StorageEncrypted: true
  LoopA:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: !Ref LoopB
  LoopB:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: !Ref LoopA
`);
    expect(enc(text, 'Replica')).toMatchObject({ kind: 'unencrypted', basis: 'source' });
    expect(enc(text, 'LoopA').kind).toBe('unknown');
  });

  it('keeps restores unknown unless config declares the snapshot (by id or ARN)', () => {
    const text = instance('      DBSnapshotIdentifier: arn:aws:rds:eu-west-1:111122223333:snapshot:orders-2024\n');
    expect(enc(text, 'Db').kind).toBe('unknown');
    expect(enc(text, 'Db', { facts: { snapshots: { 'orders-2024': { encrypted: true } } } })).toMatchObject({
      kind: 'encrypted',
      basis: 'snapshot',
    });
    expect(
      enc(text, 'Db', {
        facts: { snapshots: { 'arn:aws:rds:eu-west-1:111122223333:snapshot:orders-2024': { encrypted: false } } },
      }),
    ).toMatchObject({ kind: 'unencrypted', basis: 'snapshot' });
    // StorageEncrypted + KmsKeyId on a restore of an unencrypted snapshot is not proof of encryption.
    const flagged = instance(
      '      DBSnapshotIdentifier: orders-2024\n      StorageEncrypted: true\n      KmsKeyId: alias/orders\n',
    );
    expect(enc(flagged, 'Db', { facts: { snapshots: { 'orders-2024': { encrypted: false } } } }).kind).toBe('unknown');
  });

  it('encrypts Aurora Serverless v1 always, and a cluster snapshot restore with KmsKeyId', () => {
    const text = tpl(`
  V1:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-mysql
      EngineMode: serverless
      StorageEncrypted: false
  Restore:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-mysql
      SnapshotIdentifier: old-unencrypted
      KmsKeyId: alias/orders
  RestoreNoKey:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-mysql
      SnapshotIdentifier: old-unencrypted
`);
    expect(enc(text, 'V1')).toMatchObject({ kind: 'encrypted', basis: 'serverless-v1' });
    expect(enc(text, 'Restore')).toMatchObject({ kind: 'encrypted', basis: 'snapshot' });
    expect(enc(text, 'RestoreNoKey').kind).toBe('unknown');
  });

  it('gives global secondaries the global cluster encryption', () => {
    const text = tpl(`
  Global:
    Type: AWS::RDS::GlobalCluster
    Properties:
      GlobalClusterIdentifier: orders
      Engine: aurora-mysql
      StorageEncrypted: true
  Member:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-mysql
      GlobalClusterIdentifier: !Ref Global
  ExternalMember:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-mysql
      GlobalClusterIdentifier: somewhere-else
`);
    expect(enc(text, 'Member')).toMatchObject({ kind: 'encrypted', basis: 'global' });
    expect(enc(text, 'ExternalMember').kind).toBe('unknown');
  });
});

describe('replica HA summary and helpers', () => {
  it('classifies the replicas of a primary', () => {
    const ctx = contextOf(
      tpl(`${PRIMARY}
  Local:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: !Ref Primary
`),
    );
    const ha = replicaHa(ctx, ctx.model.resources.get('Primary')!);
    expect(ha.outcome).toBe('replicas-instead-of-multi-az');
    expect(ha.same.map((e) => e.replica.logicalId)).toEqual(['Local']);
  });

  it('parses ARNs and ranks instance classes', () => {
    expect(parseRdsArn('arn:aws:rds:us-east-1:111122223333:cluster:orders')).toEqual({
      region: 'us-east-1',
      account: '111122223333',
      type: 'cluster',
      name: 'orders',
    });
    expect(parseRdsArn('orders')).toBeUndefined();
    expect(instanceClassRank('db.t3.micro')!).toBeLessThan(instanceClassRank('db.r6g.large')!);
    expect(instanceClassRank('db.r6g.large')!).toBeLessThan(instanceClassRank('db.r6g.2xlarge')!);
    expect(instanceClassRank('db.r6g.2xlarge')!).toBeLessThan(instanceClassRank('db.r6g.16xlarge')!);
    expect(instanceClassRank('db.serverless')).toBeUndefined();
  });
});
