import { defineRule } from '../../src/engine/rule';
import { alternatives, refTarget, toNumber, type Evaluator } from '../../src/model/values';
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

type Verdict =
  | { kind: 'open'; ports: string[]; field: 'CidrIp' | 'CidrIpv6' }
  | { kind: 'closed' }
  | { kind: 'unknown'; why: string };

/** Judge one ingress rule under one scenario (every Fn::If condition known or kept as branches). */
function judgeWith(ev: Evaluator, r: Resource, base: PathSegment[]): Verdict {
  const whys: string[] = [];
  const get = (k: string) => {
    const v = ev.at(r, [...base, k]);
    const alts = alternatives(v);
    if (!alts && v.kind === 'unknown') whys.push(`${k}: ${v.why}`);
    return alts;
  };
  const unknownVerdict = (): Verdict => ({
    kind: 'unknown',
    why: whys.length ? whys.join('; ') : 'the protocol, ports or source of this ingress rule depend on a condition',
  });
  const protos = get('IpProtocol');
  const tcp = every(protos, protocolCoversTcp);
  if (tcp === false) return { kind: 'closed' };
  const open4 = every(get('CidrIp'), (v) => typeof v === 'string' && OPEN_V4.has(v.trim()));
  const open6 = every(get('CidrIpv6'), (v) => typeof v === 'string' && isOpenV6(v));
  if (open4 === false && open6 === false) return { kind: 'closed' };
  const allProto = every(protos, isAllProtocols);
  const froms = get('FromPort');
  const tos = get('ToPort');
  if (tcp === undefined || (open4 !== true && open6 !== true) || !froms || !tos || allProto === undefined) {
    return unknownVerdict();
  }
  const ports: string[] = [];
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
    if (all) ports.push(`${port} (${name})`);
    else if (!none) return unknownVerdict();
  }
  return ports.length ? { kind: 'open', ports, field: open4 === true ? 'CidrIp' : 'CidrIpv6' } : { kind: 'closed' };
}

/**
 * Judge one ingress rule whose fields are read from `base`. Unknown Fn::If conditions are enumerated, so that
 * correlated branches are judged together; the rule reports only when every scenario opens an admin port.
 */
function judge(ctx: RuleContext, r: Resource, base: PathSegment[]): void {
  const node = ctx.evaluator.navigateRaw(r.node, base);
  const scenarios = ctx.evaluator.scenarios(node) ?? [{ assumptions: {}, evaluator: ctx.evaluator }];
  const verdicts = scenarios.map((s) => judgeWith(s.evaluator, r, base));
  const unknownOne = verdicts.find((v) => v.kind === 'unknown');
  if (verdicts.every((v) => v.kind === 'closed')) return;
  if (unknownOne || !verdicts.every((v) => v.kind === 'open')) {
    ctx.unknown(r, {
      path: base,
      why: unknownOne?.kind === 'unknown' ? unknownOne.why : 'opens an administration port only under some conditions',
    });
    return;
  }
  const open = verdicts as Extract<Verdict, { kind: 'open' }>[];
  const ports = [...new Set(open.flatMap((v) => v.ports))];
  const field = open[0]!.field;
  const conditional =
    scenarios.length > 1 ? ` under every value of condition ${Object.keys(scenarios[1]!.assumptions).join(', ')}` : '';
  ctx.report(r, {
    path: [...base, field],
    key: base.join('/'),
    message: `Security group rule in '${r.logicalId}' opens port${ports.length > 1 ? 's' : ''} ${ports.join(', ')} to the whole internet (${
      field === 'CidrIp' ? '0.0.0.0/0' : '::/0'
    })${conditional}.`,
  });
}

const SSM_CORE = /AmazonSSMManagedInstanceCore$/;

/**
 * info: an instance with a key pair whose instance profile role lacks AmazonSSMManagedInstanceCore.
 * Session Manager would remove the need for an inbound SSH/RDP port.
 */
function checkSessionManager(ctx: RuleContext, r: Resource): void {
  const key = ctx.value(r, ['Properties', 'KeyName']);
  if (key.kind !== 'known' || typeof key.value !== 'string' || !key.value) return;
  const profileRef = refTarget(r.properties.IamInstanceProfile);
  const profile = profileRef ? ctx.model.resources.get(profileRef) : undefined;
  let roles: Resource[] = [];
  if (r.properties.IamInstanceProfile !== undefined) {
    if (!profile || profile.type !== 'AWS::IAM::InstanceProfile') {
      ctx.unknown(r, {
        path: ['Properties', 'IamInstanceProfile'],
        why: 'the instance profile is outside the template',
      });
      return;
    }
    const list = profile.properties.Roles;
    const ids = Array.isArray(list) ? list.map(refTarget) : [];
    if (!ids.length || ids.some((id) => !id || ctx.model.resources.get(id)?.type !== 'AWS::IAM::Role')) {
      ctx.unknown(r, {
        path: ['Properties', 'IamInstanceProfile'],
        why: 'the instance profile role is outside the template',
      });
      return;
    }
    roles = ids.map((id) => ctx.model.resources.get(id!)!);
  }
  for (const role of roles) {
    const arns = ctx.value(role, ['Properties', 'ManagedPolicyArns']);
    if (arns.kind === 'unknown') {
      // A literal suffix is enough even when the partition is a pseudo parameter.
      const raw = JSON.stringify(role.properties.ManagedPolicyArns ?? '');
      if (/AmazonSSMManagedInstanceCore/.test(raw)) return;
      ctx.unknown(r, {
        path: ['Properties', 'IamInstanceProfile'],
        why: `managed policies of ${role.logicalId}: ${arns.why}`,
      });
      return;
    }
    if (
      arns.kind === 'known' &&
      Array.isArray(arns.value) &&
      arns.value.some((a) => typeof a === 'string' && SSM_CORE.test(a))
    ) {
      return;
    }
  }
  ctx.report(r, {
    path: ['Properties', 'KeyName'],
    severity: 'info',
    key: 'ssm',
    message: `Instance '${r.logicalId}' uses key pair ${key.value} but ${
      roles.length
        ? `its role ${roles.map((x) => `'${x.logicalId}'`).join(', ')} lacks`
        : 'has no instance profile with'
    } AmazonSSMManagedInstanceCore; with Session Manager it would need no inbound SSH or RDP port.`,
  });
}

export default defineRule({
  id: 'sg-admin-ports-open-to-internet',
  title: 'Do not open administration ports to the internet',
  severity: 'error',
  pillar: 'security',
  tier: '1',
  scope: 'resource',
  resourceTypes: ['AWS::EC2::SecurityGroup', 'AWS::EC2::SecurityGroupIngress', 'AWS::EC2::Instance'],
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
    if (r.type === 'AWS::EC2::Instance') {
      checkSessionManager(ctx, r);
      return;
    }
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
