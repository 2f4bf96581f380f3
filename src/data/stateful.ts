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
    'AWS::Logs::LogGroup': 'log group',
    'AWS::KMS::Key': 'KMS key',
  };
  return known[type] ?? type.replace(/^AWS::/, '').replace(/::/g, ' ');
}
