import { defineRule } from '../../src/engine/rule';
import type { RuleContext } from '../../src/engine/context';
import type { Resource } from '../../src/model/template';
import type { PathSegment } from '../../src/types';
import { AddressSet, PortSet } from '../../src/model/cidr';
import { decide, hasPorts, icmpSet, protocolName, type Direction } from '../../src/model/nacl';
import { isCertain, naclRules, type NaclRule } from '../../src/model/nacl-rules';
import { isRecord } from '../../src/parse/parse';
import { entryDirection, networkView, type Field, type NaclEntry, type NaclInfo } from '../../src/model/network';

const P = (...k: PathSegment[]): PathSegment[] => ['Properties', ...k];

function show(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : (JSON.stringify(v) ?? String(v));
}

/** Report an unknown field once (catalog 1.2: unknown never produces a finding). */
function unknownField<T>(ctx: RuleContext, r: Resource, path: PathSegment[], name: string, f: Field<T>): void {
  if (f.state === 'unknown') ctx.unknown(r, { path, why: `${name} ${f.why}` });
}

function entryText(e: NaclEntry, rule: NaclRule): string {
  const dir = entryDirection(e) === 'outbound' ? 'outbound' : 'inbound';
  const ports = hasPorts(rule.protocol)
    ? ` ${rule.ports.size() === 1 ? 'port' : 'ports'} ${rule.ports.describe()}`
    : '';
  let peer = rule.addrs.describe(3);
  if (!e.rule) {
    const raw = e.cidr4.state !== 'missing' ? e.resource.properties.CidrBlock : e.resource.properties.Ipv6CidrBlock;
    const ref = isRecord(raw) && typeof raw.Ref === 'string' ? raw.Ref : undefined;
    peer = ref ? `the CIDR in parameter ${ref}` : 'a CIDR that is not known yet';
  }
  return `${dir} ${rule.action.toUpperCase()} ${protocolName(rule.protocol)}${ports} ${dir === 'outbound' ? 'to' : 'from'} ${peer}`;
}

function checkEntry(r: Resource, ctx: RuleContext): void {
  const view = ctx.view(networkView);
  const e = view.naclEntries.get(r.logicalId);
  if (!e) return;
  const err = (path: PathSegment[], message: string, key: string): void => ctx.report(r, { path, message, key });
  const id = r.logicalId;

  // RuleNumber 1-32766.
  const n = e.ruleNumber;
  if (n.state === 'missing')
    err(P(), `NACL entry ${id} has no RuleNumber; CloudFormation requires one (1–32766).`, 'number');
  else if (n.state === 'invalid')
    err(
      P('RuleNumber'),
      `NACL entry ${id} has RuleNumber ${show(n.raw)}, which is not an integer in 1–32766.`,
      'number',
    );
  else if (n.state === 'known' && (n.value < 1 || n.value > 32766))
    err(
      P('RuleNumber'),
      `NACL entry ${id} has RuleNumber ${n.value}, outside 1–32766 (32767 is the implicit final DENY); the deployment fails.`,
      'number',
    );
  unknownField(ctx, r, P('RuleNumber'), 'RuleNumber', n);

  // RuleAction allow | deny.
  const a = e.action;
  if (a.state === 'missing') err(P(), `NACL entry ${id} has no RuleAction; it must be allow or deny.`, 'action');
  else if (a.state === 'invalid')
    err(P('RuleAction'), `NACL entry ${id} has RuleAction ${show(a.raw)}; it must be allow or deny.`, 'action');
  unknownField(ctx, r, P('RuleAction'), 'RuleAction', a);

  // Egress must be a boolean.
  if (e.egress.state === 'invalid')
    err(P('Egress'), `NACL entry ${id} has Egress ${show(e.egress.raw)}; it must be true or false.`, 'egress');

  // Protocol: an integer, -1 for all.
  const pr = e.protocol;
  if (pr.state === 'missing')
    err(P(), `NACL entry ${id} has no Protocol; use a protocol number (6 TCP, 17 UDP, 1 ICMP, -1 all).`, 'protocol');
  else if (pr.state === 'invalid')
    err(
      P('Protocol'),
      `NACL entry ${id} has Protocol ${show(pr.raw)}; NACL entries take a protocol number (6 for TCP, 17 for UDP, 1 for ICMP, 58 for ICMPv6, -1 for all), not a name.`,
      'protocol',
    );
  unknownField(ctx, r, P('Protocol'), 'Protocol', pr);
  if (pr.state === 'known') {
    const p = pr.value;
    if (hasPorts(p)) {
      if (r.properties.PortRange === undefined)
        err(
          P('Protocol'),
          `NACL entry ${id} uses protocol ${p} (${protocolName(p)}) without PortRange; CloudFormation requires PortRange for TCP and UDP.`,
          'ports',
        );
      else {
        const f = e.portFrom;
        const t = e.portTo;
        for (const [name, v] of [
          ['From', f],
          ['To', t],
        ] as const) {
          if (v.state === 'missing') err(P('PortRange'), `NACL entry ${id} has no PortRange.${name}.`, `ports-${name}`);
          else if (v.state === 'invalid' || (v.state === 'known' && (v.value < 0 || v.value > 65535)))
            err(
              P('PortRange', name),
              `NACL entry ${id} has PortRange.${name} ${show(v.state === 'known' ? v.value : v.raw)}, outside 0–65535.`,
              `ports-${name}`,
            );
          unknownField(ctx, r, P('PortRange', name), `PortRange.${name}`, v);
        }
        if (f.state === 'known' && t.state === 'known' && f.value > t.value)
          err(
            P('PortRange'),
            `NACL entry ${id} has PortRange From ${f.value} greater than To ${t.value}; the range is empty and the deployment fails.`,
            'ports-order',
          );
      }
    }
    if (p === 1 && r.properties.Icmp === undefined)
      err(
        P('Protocol'),
        `NACL entry ${id} uses protocol 1 (ICMP) without Icmp; CloudFormation requires Icmp (Type and Code, -1 for all) for ICMP.`,
        'icmp',
      );
  }

  // Exactly one of CidrBlock and Ipv6CidrBlock.
  const has4 = e.cidr4.state !== 'missing';
  const has6 = e.cidr6.state !== 'missing';
  if (!has4 && !has6)
    err(P(), `NACL entry ${id} sets neither CidrBlock nor Ipv6CidrBlock; exactly one is required.`, 'cidr');
  else if (has4 && has6)
    err(
      P('Ipv6CidrBlock'),
      `NACL entry ${id} sets both CidrBlock and Ipv6CidrBlock; exactly one is allowed (use two entries).`,
      'cidr',
    );
  for (const [key, f, fam] of [
    ['CidrBlock', e.cidr4, 'IPv4'],
    ['Ipv6CidrBlock', e.cidr6, 'IPv6'],
  ] as const) {
    if (f.state === 'invalid' && typeof f.raw === 'string')
      err(P(key), `NACL entry ${id} has ${key} ${show(f.raw)}, which is not an ${fam} CIDR block.`, `cidr-${key}`);
    unknownField(ctx, r, P(key), key, f);
  }

  // Duplicates and shadowing, per NACL and direction.
  const dir = entryDirection(e);
  for (const { key, certain } of e.nacls) {
    const nacl = view.nacls.get(key)!;
    if (!certain || !dir) {
      ctx.unknown(r, { path: P('NetworkAclId'), why: `the NACL or direction of entry ${id} depends on a condition` });
      continue;
    }
    duplicates(ctx, e, nacl, dir);
    shadowing(ctx, e, nacl, dir);
  }
}

function duplicates(ctx: RuleContext, e: NaclEntry, nacl: NaclInfo, dir: Direction): void {
  if (e.ruleNumber.state !== 'known') return;
  const n = e.ruleNumber.value;
  const same = nacl.entries.filter(
    (x) => x !== e && entryDirection(x) === dir && x.ruleNumber.state === 'known' && x.ruleNumber.value === n,
  );
  if (!same.length) return;
  // Report on every entry after the first one written in the template.
  const order = [...ctx.model.resources.keys()];
  const first = [e, ...same].sort(
    (a, b) => order.indexOf(a.resource.logicalId) - order.indexOf(b.resource.logicalId),
  )[0]!;
  if (first === e) return;
  const sure = same.some(
    (x) => x === first && x.exists === 'yes' && x.nacls.some((k) => k.key === nacl.key && k.certain),
  );
  if (!sure) {
    ctx.unknown(e.resource, {
      path: P('RuleNumber'),
      why: `entry ${first.resource.logicalId} with the same rule number may not exist`,
    });
    return;
  }
  ctx.report(e.resource, {
    path: P('RuleNumber'),
    key: 'duplicate',
    message: `NACL entry ${e.resource.logicalId} reuses ${dir} rule number ${n} of ${nacl.label}, already taken by ${first.resource.logicalId}; rule numbers must be unique per NACL and direction, so the deployment fails.`,
    related: [
      {
        logicalId: first.resource.logicalId,
        path: P('RuleNumber'),
        message: `${first.resource.logicalId} uses ${dir} rule number ${n}`,
      },
    ],
  });
}

/** The widest rule an entry with only an unknown CIDR can stand for (to prove shadowing for every value). */
function widestRule(e: NaclEntry): NaclRule | undefined {
  if (e.rule) return { ...e.rule, source: { entry: e } };
  const num = e.ruleNumber.state === 'known' ? e.ruleNumber.value : undefined;
  const action = e.action.state === 'known' ? e.action.value : undefined;
  const protocol = e.protocol.state === 'known' ? e.protocol.value : undefined;
  if (num === undefined || !action || protocol === undefined) return undefined;
  let ports: PortSet | undefined = PortSet.all();
  if (hasPorts(protocol))
    ports =
      e.portFrom.state === 'known' && e.portTo.state === 'known' && e.portFrom.value <= e.portTo.value
        ? PortSet.range(e.portFrom.value, e.portTo.value)
        : undefined;
  else if (protocol === 1 || protocol === 58)
    ports =
      e.icmpType.state === 'known' && e.icmpCode.state === 'known'
        ? icmpSet(e.icmpType.value, e.icmpCode.value)
        : undefined;
  const has4 = e.cidr4.state !== 'missing';
  const has6 = e.cidr6.state !== 'missing';
  if (!ports || has4 === has6) return undefined;
  const f = has4 ? e.cidr4 : e.cidr6;
  if (f.state !== 'unknown') return undefined;
  const family = has4 ? 4 : 6;
  const addrs = f.options?.length ? f.options.reduce((x, y) => x.union(y)) : AddressSet.all(family);
  return { number: num, action, protocol, family, addrs, ports, source: { entry: e } };
}

function shadowing(ctx: RuleContext, e: NaclEntry, nacl: NaclInfo, dir: Direction): void {
  const view = ctx.view(networkView);
  const me = widestRule(e);
  if (!me) return;
  // Only certain, lower-numbered template entries (the default NACL's built-ins are the other rule's concern).
  const earlier = naclRules(view, nacl, dir, 'certain').rules.filter(
    (r) => r.source?.entry && r.source.entry !== e && r.number < me.number && isCertain(r.source.entry, nacl.key),
  );
  if (!earlier.length) return;
  const d = decide(earlier, me.protocol, me.addrs, me.ports);
  if (d.parts.some((p) => !p.rule)) return; // part of the entry's traffic reaches it
  const by = d.parts.map((p) => p.rule!);
  const opposite = by.filter((r) => r.action !== me.action);
  const names = [...new Set(by.map((r) => `${r.source!.entry!.resource.logicalId} (rule ${r.number}, ${r.action})`))];
  const what = entryText(e, me);
  const unknownCidr = !e.rule ? ' whatever its CIDR turns out to be' : '';
  const related = [...new Set(by)].map((r) => ({
    logicalId: r.source!.entry!.resource.logicalId,
    message: `rule ${r.number} (${r.action}) matches this traffic first`,
  }));
  if (opposite.length) {
    const never = me.action === 'deny' ? 'your block never applies' : 'your allow never applies';
    ctx.report(e.resource, {
      path: P('RuleNumber'),
      key: 'shadowed',
      severity: 'warning',
      message: `NACL entry ${e.resource.logicalId} (rule ${me.number}, ${what}) in ${nacl.label} is completely shadowed${unknownCidr}: lower-numbered ${names.length > 1 ? 'entries' : 'entry'} ${names.join(', ')} ${names.length > 1 ? 'decide' : 'decides'} all of its traffic first, so ${never}. Give it a number lower than ${Math.min(...opposite.map((r) => r.number))} or remove it.`,
      related,
    });
  } else {
    ctx.report(e.resource, {
      path: P('RuleNumber'),
      key: 'redundant',
      severity: 'info',
      message: `NACL entry ${e.resource.logicalId} (rule ${me.number}, ${what}) in ${nacl.label} is redundant${unknownCidr}: lower-numbered ${names.length > 1 ? 'entries' : 'entry'} ${names.join(', ')} already ${me.action}${names.length > 1 ? '' : 's'} all of its traffic.`,
      related,
    });
  }
}

/** Quota and numbering checks for one NACL (a NetworkAcl, or a VPC's default NACL). */
function checkNacl(r: Resource, ctx: RuleContext, nacl: NaclInfo): void {
  for (const dir of ['inbound', 'outbound'] as const) {
    const mine = nacl.entries.filter(
      (e) => entryDirection(e) === dir && e.nacls.some((k) => k.key === nacl.key && k.certain),
    );
    const sure = mine.filter((e) => e.exists === 'yes');
    const label = nacl.isDefault ? `The default NACL of VPC ${r.logicalId}` : `NACL ${r.logicalId}`;
    // The quota counts rules per direction and per IP family, the default deny rule (and the default NACL's
    // built-in allow rule) included.
    const builtins = nacl.isDefault
      ? naclRules(ctx.view(networkView), nacl, dir, 'certain').rules.filter((x) => x.source?.builtin)
      : [];
    for (const family of [4, 6] as const) {
      const isFamily = (e: NaclEntry): boolean =>
        family === 4 ? e.cidr4.state !== 'missing' : e.cidr6.state !== 'missing';
      const entries = sure.filter(isFamily).length;
      const maybe = mine.filter(isFamily).length - entries;
      if (!entries && !maybe) continue;
      const builtin = builtins.filter((x) => x.family === family).length;
      const count = entries + builtin + 1;
      const fam = family === 4 ? 'IPv4' : 'IPv6';
      const counted = `${entries} ${dir} ${fam} entries, which with the ${builtin ? 'built-in allow and ' : ''}default deny rule${builtin ? 's' : ''} make ${count} rules`;
      if (count > 40) {
        ctx.report(r, {
          key: `quota-${dir}-${family}`,
          severity: 'error',
          message: `${label} has ${counted}; a NACL takes at most 40 ${dir} ${fam} rules even with a raised quota (the default is 20), so the deployment fails. Consolidate entries or split the subnets across NACLs.`,
        });
      } else if (count > 20) {
        ctx.report(r, {
          key: `quota-${dir}-${family}`,
          severity: 'warning',
          message: `${label} has ${counted}, more than the default quota of 20 ${dir} ${fam} rules per NACL (counted per direction and IP family, default deny included); the deployment fails unless the account's quota was raised (up to 40). Consolidate entries or request the increase first.`,
        });
      } else if (count + maybe > 20) {
        ctx.unknown(r, { why: `${label} has more than 20 ${dir} ${fam} rules if the entries with conditions exist` });
      }
    }

    // Numbering without gaps between entries of the same family.
    const numbered = sure
      .filter((e) => e.rule)
      .map((e): NaclRule => ({ ...e.rule!, source: { entry: e } }))
      .sort((a, b) => a.number - b.number);
    const tight: Array<[NaclRule, NaclRule]> = [];
    for (let i = 1; i < numbered.length; i++) {
      const prev = numbered
        .slice(0, i)
        .reverse()
        .find((x) => x.family === numbered[i]!.family);
      if (prev && numbered[i]!.number - prev.number === 1 && numbered[i - 1] === prev) tight.push([prev, numbered[i]!]);
    }
    if (tight.length) {
      const [a, b] = tight[0]!;
      const more = tight.length > 1 ? ` (${tight.length} such pairs in this direction)` : '';
      ctx.report(b.source!.entry!.resource, {
        path: P('RuleNumber'),
        key: `gaps-${dir}`,
        severity: 'info',
        message: `${label}: ${dir} entries ${a.source!.entry!.resource.logicalId} (rule ${a.number}) and ${b.source!.entry!.resource.logicalId} (rule ${b.number}) are numbered without a gap${more}, so no entry can be inserted between them later without renumbering. AWS suggests numbering in steps of 100 (or at least 10).`,
        related: [
          { logicalId: a.source!.entry!.resource.logicalId, path: P('RuleNumber'), message: `rule ${a.number}` },
        ],
      });
    }
  }
}

export default defineRule({
  id: 'nacl-entry-validity-and-order',
  title: 'NACL entries must be valid, uniquely numbered and not shadowed',
  severity: 'error',
  severityNote:
    'error for invalid or duplicate entries; warning for shadowed entries and the 20-rule quota; info for redundant entries and numbering without gaps',
  pillar: ['security', 'operations'],
  tier: '1',
  scope: 'graph',
  resourceTypes: ['AWS::EC2::NetworkAclEntry', 'AWS::EC2::NetworkAcl', 'AWS::EC2::VPC'],
  rationale:
    'NACL entries are evaluated in ascending rule-number order and the first match wins. An entry that lower numbers already ' +
    'decide silently never applies (a block that does not block, an allow that does not allow), and invalid or duplicate ' +
    'entries fail the deployment. Each direction holds 20 rules by default (40 at most).',
  remediation:
    'Renumber in steps of 100, put specific DENYs before broad ALLOWs, give every entry a unique number per direction, a ' +
    'numeric protocol, a PortRange for TCP/UDP, Icmp for ICMP and exactly one of CidrBlock and Ipv6CidrBlock.',
  citations: [
    'notes/000_93fa618f25815812.txt:1516-1519',
    'notes/000_93fa618f25815812.txt:1548',
    'notes/000_93fa618f25815812.txt:1521',
    'notes/004_de69dd7c5fb67669.txt:973',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-networkaclentry.html',
    'https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html',
    'https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html',
  ],
  check(r, ctx) {
    if (r.type === 'AWS::EC2::NetworkAclEntry') return checkEntry(r, ctx);
    const view = ctx.view(networkView);
    const nacl =
      r.type === 'AWS::EC2::VPC' ? view.nacls.get(`${r.logicalId}.DefaultNetworkAcl`) : view.nacls.get(r.logicalId);
    if (nacl && nacl.entries.length) checkNacl(r, ctx, nacl);
  },
});
