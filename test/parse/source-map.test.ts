import { describe, expect, it } from 'vitest';
import { SourceLocator } from '../../src/parse/source-map';

const yaml = `AWSTemplateFormatVersion: '2010-09-09'
# comment
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      Description: |
        Properties: not a key
        Type: nor this
      "Quoted Key": 1
      Tags:
      - Key: a
        Value: b
      - Key: c
        Value: d
      List:
        - - nested
          - second
      Inline: { a: 1 }
      Sub: !Sub
        - x
        - y
  Other:
    Type: AWS::SNS::Topic
`;

describe('YAML locations', () => {
  const loc = new SourceLocator(yaml, 'yaml');
  it.each([
    [['Resources'], 3, 1],
    [['Resources', 'Bucket'], 4, 3],
    [['Resources', 'Bucket', 'Type'], 5, 5],
    [['Resources', 'Bucket', 'Properties', 'Quoted Key'], 10, 7],
    [['Resources', 'Bucket', 'Properties', 'Tags'], 11, 7],
    [['Resources', 'Bucket', 'Properties', 'Tags', 0], 12, 7],
    [['Resources', 'Bucket', 'Properties', 'Tags', 1, 'Value'], 15, 9],
    [['Resources', 'Bucket', 'Properties', 'List', 0, 1], 18, 11],
    [['Resources', 'Bucket', 'Properties', 'Inline', 'a'], 19, 7],
    [['Resources', 'Bucket', 'Properties', 'Sub', 'Fn::Sub', 1], 20, 7],
    [['Resources', 'Other', 'Type'], 24, 5],
    [['Resources', 'Missing'], 3, 1],
  ])('%j -> %i:%i', (path, line, column) => {
    const r = loc.locate(path);
    expect([r.line, r.column]).toEqual([line, column]);
  });
  it('end column is the end of the line content', () => {
    const r = loc.locate(['Resources', 'Bucket', 'Type']);
    expect(r.endColumn).toBe('    Type: AWS::S3::Bucket'.length + 1);
  });
});

describe('JSON locations', () => {
  const json = `{
  "Resources": {
    "A": { "Type": "AWS::SNS::Topic" },
    "B": {
      "Type": "AWS::S3::Bucket",
      "Properties": {
        "Tags": [
          { "Key": "a", "Value": "x\\"y" },
          { "Key": "b", "Value": "z" }
        ]
      }
    }
  }
}`;
  const loc = new SourceLocator(json, 'json');
  it.each([
    [['Resources', 'A'], 3, 5],
    [['Resources', 'B', 'Type'], 5, 7],
    [['Resources', 'B', 'Properties', 'Tags', 1], 9, 11],
    [['Resources', 'B', 'Properties', 'Tags', 1, 'Value'], 9, 25],
    [['Resources', 'B', 'Nope'], 4, 5],
  ])('%j -> %i:%i', (path, line, column) => {
    const r = loc.locate(path);
    expect([r.line, r.column]).toEqual([line, column]);
  });
});
