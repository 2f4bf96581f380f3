import { defineRule } from '../../src/engine/rule';
import { alternatives, toNumber } from '../../src/model/values';
import type { Resource } from '../../src/model/template';
import type { RuleContext } from '../../src/engine/context';
import type { PathSegment } from '../../src/types';

const ADMIN_PORTS: ReadonlyArray<[number, string]> = [
  [22, 'SSH'],
  [3389, 'RDP'],
  [5985, 'WinRM'],
  [5986, 'WinRM over HTTPS'],
];

const OPEN_V4 = new Set(['0.0.0.0/0']);
function isOpenV6(s: string): boolean {
  return /^::(0)?\/0$/.test(s.trim()) || s.trim() === '0:0:0:0:0:0:0:0/0';
}

type Tri = boolean | undefined;

/** true when every alternative satisfies test, false when none does, undefined when mixed or unknown. */
function every(values: unknown[] | undefined, test: (v: unknown) => boolean): Tri {
  if (!values) return undefined;
  const results = values.map(test);
  if (results.every(Boolean)) return true;
  if (!results.some(Boolean)) return false;
  return undefined;
}

function protocolCoversTcp(p: unknown): boolean {
  if (p === undefined) return false;
  const s = String(p).toLowerCase();
  return s === 'tcp' || s === '6' || s === '-1' || s === 'all';
}

function isAllProtocols(p: unknown): boolean {
  const s = String(p).toLowerCase();
  return s === '-1' || s === 'all';
}

/** Judge one ingress rule whose fields are read from `base`. */
function judge(ctx: RuleContext, r: Resource, base: PathSegment[]): void {
  const whys: string[] = [];
  const get = (k: string) => {
    const v = ctx.value(r, [...base, k]);
    const alts = alternatives(v);
    if (!alts && v.kind === 'unknown') whys.push(`${k}: ${v.why}`);
    return alts;
  };
  const protos = get('IpProtocol');
  const tcp = every(protos, protocolCoversTcp);
  if (tcp === false) return;
  const v4 = get('CidrIp');
  const v6 = get('CidrIpv6');
  const open4 = every(v4, (v) => typeof v === 'string' && OPEN_V4.has(v.trim()));
  const open6 = every(v6, (v) => typeof v === 'string' && isOpenV6(v));
  if (open4 === false && open6 === false) return;
  const allProto = every(protos, isAllProtocols);
  const froms = get('FromPort');
  const tos = get('ToPort');
  if (tcp === undefined || (open4 !== true && open6 !== true) || !froms || !tos || allProto === undefined) {
    ctx.unknown(r, {
      path: base,
      why: whys.length ? whys.join('; ') : 'the protocol, ports or source of this ingress rule depend on a condition',
    });
    return;
  }
  const exposed: string[] = [];
  for (const [port, name] of ADMIN_PORTS) {
    let all = true;
    let none = true;
    for (const f of froms) {
      for (const t of tos) {
        const from = toNumber(f);
        const to = toNumber(t);
        const covers =
          allProto === true ||
          from === -1 ||
          (from !== undefined && to !== undefined && from <= port && port <= (to === -1 ? 65535 : to));
        if (covers) none = false;
        else all = false;
      }
    }
    if (all) exposed.push(`${port} (${name})`);
    else if (!none) {
      ctx.unknown(r, { path: base, why: 'the port range depends on a condition' });
      return;
    }
  }
  if (!exposed.length) return;
  const source = open4 === true ? '0.0.0.0/0' : '::/0';
  ctx.report(r, {
    path: [...base, open4 === true ? 'CidrIp' : 'CidrIpv6'],
    key: base.join('/'),
    message: `Security group rule in '${r.logicalId}' opens port${exposed.length > 1 ? 's' : ''} ${exposed.join(', ')} to the whole internet (${source}).`,
  });
}

export default defineRule({
  id: 'sg-admin-ports-open-to-internet',
  title: 'Do not open administration ports to the internet',
  severity: 'error',
  pillar: 'security',
  tier: '1',
  scope: 'resource',
  resourceTypes: ['AWS::EC2::SecurityGroup', 'AWS::EC2::SecurityGroupIngress'],
  rationale:
    'SSH, RDP and WinRM ports reachable from 0.0.0.0/0 or ::/0 are scanned and brute-forced continuously; one weak credential or unpatched service gives an attacker a shell inside the VPC.',
  remediation:
    'Use AWS Systems Manager Session Manager instead of inbound administration ports, or restrict the source to a bastion security group or a corporate CIDR.',
  citations: [
    'notes/000_93fa618f25815812.txt:1483',
    'notes/000_93fa618f25815812.txt:5734',
    'notes/004_de69dd7c5fb67669.txt:70',
    'notes/004_de69dd7c5fb67669.txt:916',
    'notes/002_67d0d92d551be2b8.txt:4394',
    'https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html',
    'https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html',
  ],
  check(r, ctx) {
    if (r.type === 'AWS::EC2::SecurityGroupIngress') {
      judge(ctx, r, ['Properties']);
      return;
    }
    const list = r.properties.SecurityGroupIngress;
    if (list === undefined) return;
    if (!Array.isArray(list)) {
      const v = ctx.value(r, ['Properties', 'SecurityGroupIngress']);
      if (v.kind === 'unknown') ctx.unknown(r, { path: ['Properties', 'SecurityGroupIngress'], why: v.why });
      return;
    }
    list.forEach((_, i) => judge(ctx, r, ['Properties', 'SecurityGroupIngress', i]));
  },
});
