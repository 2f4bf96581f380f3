import { it } from 'vitest';
import { lintDiff } from '../helpers/diff';
const B = `
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: { CidrBlock: 10.0.0.0/16 }
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: { VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/24 }
  Subnet2:
    Type: AWS::EC2::Subnet
    Properties: { VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24 }
  Group:
    Type: AWS::RDS::DBSubnetGroup
    Properties: { DBSubnetGroupDescription: x, SubnetIds: [!Ref Subnet, !Ref Subnet2] }
  Db:
    Type: AWS::RDS::DBInstance
    Properties: { Engine: postgres, DBInstanceClass: db.t4g.micro, DBSubnetGroupName: !Ref Group, MultiAZ: false, StorageEncrypted: false }
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: orders
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
  Bucket:
    Type: AWS::S3::Bucket
  Old:
    Type: AWS::SQS::Queue
`;
const N = B.replace('10.0.0.0/16', '10.1.0.0/16')
  .replace('MultiAZ: false', 'MultiAZ: true')
  .replace('AttributeName: pk', 'AttributeName: id')
  .replace('  Bucket:', '  Bucket2:')
  .replace(/  Old:\n.*\n/, '');
it('smoke', () => {
  const r = lintDiff(B, N);
  for (const f of r.findings) console.log(f.ruleId, f.severity, f.logicalId, f.file, f.line, '\n   ', f.message);
  console.log(r.errors, r.unknowns);
});
