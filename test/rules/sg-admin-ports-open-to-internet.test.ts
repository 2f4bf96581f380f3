import { describe, expect, it } from 'vitest';
import { hits, lintYaml } from '../helpers/rule';

const ID = 'sg-admin-ports-open-to-internet';
const sg = (ingress: string, params = '', conditions = '') => `${params ? `Parameters:\n${params}\n` : ''}${
  conditions ? `Conditions:\n${conditions}\n` : ''
}Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: test
      SecurityGroupIngress:
${ingress}`;

describe(ID, () => {
  it.each([
    [
      'ssh from 0.0.0.0/0',
      `        - IpProtocol: tcp\n          FromPort: 22\n          ToPort: 22\n          CidrIp: 0.0.0.0/0\n`,
      10,
    ],
    [
      'rdp inside a range',
      `        - IpProtocol: tcp\n          FromPort: 3000\n          ToPort: 4000\n          CidrIp: 0.0.0.0/0\n`,
      10,
    ],
    ['all protocols', `        - IpProtocol: '-1'\n          CidrIp: 0.0.0.0/0\n`, 8],
    [
      'protocol number 6 with string ports',
      `        - IpProtocol: '6'\n          FromPort: '5985'\n          ToPort: '5986'\n          CidrIp: 0.0.0.0/0\n`,
      10,
    ],
    [
      'IPv6 ::/0',
      `        - IpProtocol: tcp\n          FromPort: 22\n          ToPort: 22\n          CidrIpv6: ::/0\n`,
      10,
    ],
  ])('reports %s on the source line', (_n, ingress, line) => {
    expect(hits(lintYaml(sg(ingress)), ID)).toEqual([['Sg', line]]);
  });

  it.each([
    [
      'https only',
      `        - IpProtocol: tcp\n          FromPort: 443\n          ToPort: 443\n          CidrIp: 0.0.0.0/0\n`,
    ],
    [
      'ssh from a private range',
      `        - IpProtocol: tcp\n          FromPort: 22\n          ToPort: 22\n          CidrIp: 10.0.0.0/8\n`,
    ],
    ['udp', `        - IpProtocol: udp\n          FromPort: 22\n          ToPort: 22\n          CidrIp: 0.0.0.0/0\n`],
    [
      'a source security group',
      `        - IpProtocol: tcp\n          FromPort: 22\n          ToPort: 22\n          SourceSecurityGroupId: sg-123\n`,
    ],
  ])('is silent for %s', (_n, ingress) => {
    expect(hits(lintYaml(sg(ingress)), ID)).toEqual([]);
  });

  it('is unknown, not a finding, when the source is a parameter without a value', () => {
    const r = lintYaml(
      sg(
        `        - IpProtocol: tcp\n          FromPort: 22\n          ToPort: 22\n          CidrIp: !Ref Src\n`,
        '  Src: { Type: String }',
      ),
    );
    expect(hits(r, ID)).toEqual([]);
    expect(r.unknowns.find((u) => u.ruleId === ID)?.why).toMatch(/Src/);
  });

  it('uses the parameter default and supplied values', () => {
    const t = sg(
      `        - IpProtocol: tcp\n          FromPort: 22\n          ToPort: 22\n          CidrIp: !Ref Src\n`,
      '  Src: { Type: String, Default: 0.0.0.0/0 }',
    );
    expect(hits(lintYaml(t), ID)).toEqual([['Sg', 12]]);
    expect(hits(lintYaml(t, { parameters: { Src: '10.1.0.0/16' } }), ID)).toEqual([]);
  });

  it('reports when every branch of an unknown condition is open, stays unknown when one is not', () => {
    const both = sg(
      `        - IpProtocol: tcp\n          FromPort: !If [Big, 22, 3389]\n          ToPort: !If [Big, 22, 3389]\n          CidrIp: 0.0.0.0/0\n`,
      '  P: { Type: String }',
      '  Big: !Equals [!Ref P, big]',
    );
    expect(hits(lintYaml(both), ID)).toEqual([['Sg', 14]]);
    const one = sg(
      `        - IpProtocol: tcp\n          FromPort: 22\n          ToPort: 22\n          CidrIp: !If [Big, 0.0.0.0/0, 10.0.0.0/8]\n`,
      '  P: { Type: String }',
      '  Big: !Equals [!Ref P, big]',
    );
    expect(hits(lintYaml(one), ID)).toEqual([]);
  });

  it('judges standalone ingress resources', () => {
    const r = lintYaml(
      `Resources:\n  In:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties:\n      GroupId: sg-1\n      IpProtocol: tcp\n      FromPort: 0\n      ToPort: 65535\n      CidrIp: 0.0.0.0/0\n`,
    );
    expect(hits(r, ID)).toEqual([['In', 9]]);
  });

  it('info for a key pair without Session Manager, unknown when the profile is outside the template', () => {
    const r = lintYaml(
      `Resources:\n  Host:\n    Type: AWS::EC2::Instance\n    Properties:\n      KeyName: k\n      ImageId: ami-1\n`,
    );
    expect(r.findings.find((f) => f.ruleId === ID)).toMatchObject({ logicalId: 'Host', line: 5, severity: 'info' });
    const ext = lintYaml(
      `Resources:\n  Host:\n    Type: AWS::EC2::Instance\n    Properties:\n      KeyName: k\n      IamInstanceProfile: shared-profile\n`,
    );
    expect(hits(ext, ID)).toEqual([]);
  });
});
