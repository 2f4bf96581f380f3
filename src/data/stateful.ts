/** Data tables about stateful resource types (catalog 2.5.3), shared by the deletion-policy and diff rules. */

/** Types that hold data which a replacement or deletion destroys. */
export const STATEFUL_TYPES: ReadonlySet<string> = new Set([
  'AWS::RDS::DBInstance',
  'AWS::RDS::DBCluster',
  'AWS::RDS::GlobalCluster',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::S3::Bucket',
  'AWS::EFS::FileSystem',
  'AWS::EC2::Volume',
  'AWS::FSx::FileSystem',
  'AWS::ElastiCache::ReplicationGroup',
  'AWS::ElastiCache::CacheCluster',
  'AWS::ElastiCache::ServerlessCache',
  'AWS::MemoryDB::Cluster',
  'AWS::Redshift::Cluster',
  'AWS::DocDB::DBCluster',
  'AWS::Neptune::DBCluster',
  'AWS::OpenSearchService::Domain',
  'AWS::Elasticsearch::Domain',
  'AWS::Kinesis::Stream',
  'AWS::SQS::Queue',
  'AWS::MSK::Cluster',
  'AWS::AmazonMQ::Broker',
  'AWS::Logs::LogGroup',
  'AWS::KMS::Key',
  'AWS::Cognito::UserPool',
  'AWS::SecretsManager::Secret',
  'AWS::ECR::Repository',
  'AWS::Backup::BackupVault',
  'AWS::Timestream::Table',
  'AWS::Cassandra::Table',
  'AWS::QLDB::Ledger',
]);

/**
 * Types whose DeletionPolicy / UpdateReplacePolicy may be Snapshot: the CloudFormation documentation's list, plus
 * DocumentDB clusters, which are built on the RDS cluster APIs and take final snapshots in practice (kept here so
 * that a Snapshot policy on them is never reported as unsupported).
 */
export const SNAPSHOT_CAPABLE_TYPES: ReadonlySet<string> = new Set([
  'AWS::DocDB::DBCluster',
  'AWS::EC2::Volume',
  'AWS::ElastiCache::CacheCluster',
  'AWS::ElastiCache::ReplicationGroup',
  'AWS::Neptune::DBCluster',
  'AWS::RDS::DBCluster',
  'AWS::RDS::DBInstance',
  'AWS::Redshift::Cluster',
]);

/** Database and table types: "error for databases/tables in prod" in cfn-stateful-deletion-policy. */
export const DATABASE_TYPES: ReadonlySet<string> = new Set([
  'AWS::RDS::DBInstance',
  'AWS::RDS::DBCluster',
  'AWS::RDS::GlobalCluster',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::Redshift::Cluster',
  'AWS::DocDB::DBCluster',
  'AWS::Neptune::DBCluster',
  'AWS::Timestream::Table',
  'AWS::Cassandra::Table',
  'AWS::QLDB::Ledger',
  'AWS::MemoryDB::Cluster',
]);

/** Explicit physical-name property per type (custom-name conflicts, rename identity). */
export const NAME_PROPERTIES: Readonly<Record<string, string>> = {
  'AWS::S3::Bucket': 'BucketName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::DynamoDB::GlobalTable': 'TableName',
  'AWS::RDS::DBInstance': 'DBInstanceIdentifier',
  'AWS::RDS::DBCluster': 'DBClusterIdentifier',
  'AWS::RDS::GlobalCluster': 'GlobalClusterIdentifier',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::ECR::Repository': 'RepositoryName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::Group': 'GroupName',
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::ElasticLoadBalancingV2::LoadBalancer': 'Name',
  'AWS::ElasticLoadBalancingV2::TargetGroup': 'Name',
  'AWS::ElastiCache::ReplicationGroup': 'ReplicationGroupId',
  'AWS::ElastiCache::CacheCluster': 'ClusterName',
  'AWS::ElastiCache::ServerlessCache': 'ServerlessCacheName',
  'AWS::MemoryDB::Cluster': 'ClusterName',
  'AWS::Redshift::Cluster': 'ClusterIdentifier',
  'AWS::DocDB::DBCluster': 'DBClusterIdentifier',
  'AWS::Neptune::DBCluster': 'DBClusterIdentifier',
  'AWS::OpenSearchService::Domain': 'DomainName',
  'AWS::Elasticsearch::Domain': 'DomainName',
  'AWS::Kinesis::Stream': 'Name',
  'AWS::MSK::Cluster': 'ClusterName',
  'AWS::AmazonMQ::Broker': 'BrokerName',
  'AWS::Cognito::UserPool': 'UserPoolName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::Backup::BackupVault': 'BackupVaultName',
  'AWS::Timestream::Table': 'TableName',
  'AWS::Cassandra::Table': 'TableName',
  'AWS::QLDB::Ledger': 'Name',
  'AWS::EC2::SecurityGroup': 'GroupName',
};

/** A readable noun for messages: 'AWS::S3::Bucket' -> 'S3 bucket'. */
export function kindOf(type: string): string {
  const known: Record<string, string> = {
    'AWS::S3::Bucket': 'S3 bucket',
    'AWS::RDS::DBInstance': 'RDS DB instance',
    'AWS::RDS::DBCluster': 'RDS DB cluster',
    'AWS::DynamoDB::Table': 'DynamoDB table',
    'AWS::EC2::Volume': 'EBS volume',
    'AWS::EFS::FileSystem': 'EFS file system',
    'AWS::SQS::Queue': 'SQS queue',
    'AWS::Logs::LogGroup': 'CloudWatch Logs log group',
    'AWS::KMS::Key': 'KMS key',
  };
  return known[type] ?? type.replace(/^AWS::/, '').replace(/::/g, ' ');
}

/**
 * The DeletionPolicy CloudFormation applies when none is written: Snapshot for RDS DB clusters and for DB
 * instances that are not Aurora members, Delete for everything else.
 */
export function defaultDeletionPolicy(
  type: string,
  properties: Readonly<Record<string, unknown>>,
): 'Delete' | 'Snapshot' {
  if (type === 'AWS::RDS::DBCluster') return 'Snapshot';
  if (type === 'AWS::RDS::DBInstance' && properties.DBClusterIdentifier === undefined) return 'Snapshot';
  return 'Delete';
}

/** Properties naming the snapshot (or backup) a new resource is restored from, per type (catalog 2.5.3). */
export const SNAPSHOT_RESTORE_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  'AWS::RDS::DBInstance': ['DBSnapshotIdentifier', 'DBClusterSnapshotIdentifier'],
  'AWS::RDS::DBCluster': ['SnapshotIdentifier'],
  'AWS::EC2::Volume': ['SnapshotId'],
  'AWS::ElastiCache::ReplicationGroup': ['SnapshotName', 'SnapshotArns'],
  'AWS::ElastiCache::CacheCluster': ['SnapshotName', 'SnapshotArns'],
  'AWS::Redshift::Cluster': ['SnapshotIdentifier'],
  'AWS::DocDB::DBCluster': ['SnapshotIdentifier'],
  'AWS::Neptune::DBCluster': ['SnapshotIdentifier'],
};

const RDS_REMEDIATION =
  'Migrate through a snapshot instead: take a manual snapshot, copy it (with encryption if needed), point the snapshot identifier at the copy, and keep that identifier in the template permanently';

/** Type-specific remediation text for data at risk (catalog 2.5.3). */
export const DATA_REMEDIATION: Readonly<Record<string, string>> = {
  'AWS::RDS::DBInstance': RDS_REMEDIATION,
  'AWS::RDS::DBCluster': RDS_REMEDIATION,
  'AWS::RDS::GlobalCluster': RDS_REMEDIATION,
  'AWS::DocDB::DBCluster': RDS_REMEDIATION,
  'AWS::Neptune::DBCluster': RDS_REMEDIATION,
  'AWS::DynamoDB::Table':
    'A key schema change means a new table: export it to S3 or back it up first, then import or backfill the new table and switch over. A fixed TableName blocks the replacement outright',
  'AWS::DynamoDB::GlobalTable':
    'A key schema change means a new table: export it to S3 or back it up first, then import or backfill the new table and switch over. A fixed TableName blocks the replacement outright',
  'AWS::S3::Bucket': 'Copy the objects with S3 Batch Operations or DataSync',
  'AWS::EFS::FileSystem': 'Restore the data from AWS Backup, or copy it with DataSync',
  'AWS::EC2::Volume': 'Take a snapshot, then create the new volume from it (SnapshotId)',
  'AWS::ElastiCache::ReplicationGroup': 'Take a snapshot, then restore it into the new cache with SnapshotName',
  'AWS::ElastiCache::CacheCluster': 'Take a snapshot, then restore it into the new cache with SnapshotName',
  'AWS::KMS::Key':
    'Re-encrypt the data under the new key before removing the old key, and cancel the key deletion if this was unintended',
  'AWS::Cognito::UserPool':
    'Users cannot be exported with their passwords; plan a user-migration Lambda trigger on the new pool',
  'AWS::SQS::Queue': 'Drain the in-flight messages first',
  'AWS::Kinesis::Stream': 'Drain the in-flight records first',
  'AWS::ECR::Repository': 'Replicate the images to the new repository first',
  'AWS::Logs::LogGroup': 'Export the logs first, or accept their loss',
  'AWS::Redshift::Cluster': 'Take a snapshot, then restore the new cluster from it (SnapshotIdentifier)',
};

/** Replacing these gives the resource a new DNS name or IP address (create-only-property-change). */
export const NEW_ADDRESS_TYPES: ReadonlySet<string> = new Set([
  'AWS::ElasticLoadBalancingV2::LoadBalancer',
  'AWS::ElasticLoadBalancing::LoadBalancer',
  'AWS::EC2::EIP',
  'AWS::EC2::NatGateway',
  'AWS::EC2::Instance',
]);

/** Subnet-group types and their subnet property: a group in use cannot move its subnets to another VPC. */
export const SUBNET_GROUP_TYPES: Readonly<Record<string, string>> = {
  'AWS::RDS::DBSubnetGroup': 'SubnetIds',
  'AWS::DocDB::DBSubnetGroup': 'SubnetIds',
  'AWS::Neptune::DBSubnetGroup': 'SubnetIds',
  'AWS::ElastiCache::SubnetGroup': 'SubnetIds',
  'AWS::Redshift::ClusterSubnetGroup': 'SubnetIds',
  'AWS::DAX::SubnetGroup': 'SubnetIds',
  'AWS::MemoryDB::SubnetGroup': 'SubnetIds',
};
