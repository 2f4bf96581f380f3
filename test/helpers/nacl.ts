/** Helpers for the NACL rule tests: templates written in long form (JSON flow style inside YAML). */
import { expect } from 'vitest';
import { lint, type ApiOptions } from '../../src/api';
import type { Finding, LintResult, UnknownOutcome } from '../../src/types';

export type Props = Record<string, unknown>;

/** One resource block: `  Id:` then Type, optional Condition and the properties as one JSON line. */
export function res(id: string, type: string, props: Props = {}, extra: Props = {}): string {
  const lines = [`  ${id}:`, `    Type: ${type}`];
  for (const [k, v] of Object.entries(extra)) lines.push(`    ${k}: ${JSON.stringify(v)}`);
  lines.push(`    Properties: ${JSON.stringify(props)}`);
  return lines.join('\n') + '\n';
}

/** A NACL entry of NACL `Acl` unless `NetworkAclId` is given. Shorthands: n, out, proto, action, cidr, v6, ports. */
export function entry(
  id: string,
  o: {
    n: unknown;
    out?: unknown;
    proto?: unknown;
    action?: unknown;
    cidr?: unknown;
    v6?: unknown;
    ports?: [number | string, number | string];
    acl?: unknown;
    more?: Props;
    condition?: string;
  },
): string {
  const p: Props = {
    NetworkAclId: o.acl ?? { Ref: 'Acl' },
    RuleNumber: o.n,
    Protocol: o.proto ?? 6,
    RuleAction: o.action ?? 'allow',
  };
  if (o.out !== undefined) p.Egress = o.out;
  if (o.v6 !== undefined) p.Ipv6CidrBlock = o.v6;
  else p.CidrBlock = o.cidr ?? '0.0.0.0/0';
  if (o.ports) p.PortRange = { From: o.ports[0], To: o.ports[1] };
  Object.assign(p, o.more ?? {});
  return res(id, 'AWS::EC2::NetworkAclEntry', p, o.condition ? { Condition: o.condition } : {});
}

/** VPC 10.0.0.0/16, subnet Web 10.0.1.0/24 associated with custom NACL Acl, plus `body`. */
export function template(body: string, head = '', opts: { ipv6?: boolean; associate?: boolean } = {}): string {
  const web: Props = { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.0.1.0/24' };
  if (opts.ipv6) web.Ipv6CidrBlock = '2001:db8:0:1::/64';
  return (
    `AWSTemplateFormatVersion: '2010-09-09'\n${head}Resources:\n` +
    res('Vpc', 'AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' }) +
    (opts.ipv6
      ? res('VpcIpv6', 'AWS::EC2::VPCCidrBlock', { VpcId: { Ref: 'Vpc' }, AmazonProvidedIpv6CidrBlock: true })
      : '') +
    res('Web', 'AWS::EC2::Subnet', web) +
    res('Acl', 'AWS::EC2::NetworkAcl', { VpcId: { Ref: 'Vpc' } }) +
    (opts.associate === false
      ? ''
      : res('WebAcl', 'AWS::EC2::SubnetNetworkAclAssociation', {
          SubnetId: { Ref: 'Web' },
          NetworkAclId: { Ref: 'Acl' },
        })) +
    body
  );
}

export function run(text: string, options: ApiOptions = {}): LintResult {
  const r = lint({ file: 'test.yaml', text }, options);
  expect(r.errors).toEqual([]);
  expect(r.findings.filter((f) => f.ruleId.startsWith('archlint-'))).toEqual([]);
  return r;
}

/** 1-based line of `  <id>:` (a resource), or of `    <key>:` inside it. */
export function lineOf(text: string, id: string, key?: string): number {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l === `  ${id}:`);
  if (start < 0) throw new Error(`no resource ${id}`);
  if (!key) return start + 1;
  for (let i = start + 1; i < lines.length && lines[i]!.startsWith('    '); i++) {
    if (lines[i]!.trimStart().startsWith(`${key}:`)) return i + 1;
  }
  throw new Error(`no ${key} in ${id}`);
}

export interface Seen {
  id: string | undefined;
  line: number;
  severity: string;
  message: string;
}

export function findingsOf(r: LintResult, ruleId: string): Seen[] {
  return r.findings
    .filter((f: Finding) => f.ruleId === ruleId)
    .map((f) => ({ id: f.logicalId, line: f.line, severity: f.severity, message: f.message }));
}

export function unknownsOf(r: LintResult, ruleId: string): UnknownOutcome[] {
  return r.unknowns.filter((u) => u.ruleId === ruleId);
}
