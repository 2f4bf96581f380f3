import { defineRule } from '../../src/engine/rule';
import type { RuleContext } from '../../src/engine/context';
import type { Resource } from '../../src/model/template';
import { deepEqual } from '../../src/model/values';
import {
  entryDirection,
  entryDirections,
  networkView,
  sameTarget,
  subnetLabel,
  type NaclInfo,
  type NetworkView,
  type RefTarget,
} from '../../src/model/network';

/** Whether two VpcId properties name the same VPC: true, false, or undefined when unknown. */
function sameVpc(view: NetworkView, rawA: unknown, rawB: unknown, a?: RefTarget, b?: RefTarget): boolean | undefined {
  if (rawA !== undefined && deepEqual(rawA, rawB)) return true;
  return sameTarget(a ?? view.resolve(rawA), b ?? view.resolve(rawB));
}

function naclVpcRaw(nacl: NaclInfo): unknown {
  return nacl.isDefault ? { Ref: nacl.resource.logicalId } : nacl.resource.properties.VpcId;
}

function checkAssociation(r: Resource, ctx: RuleContext): void {
  const view = ctx.view(networkView);
  const subnetT = view.resolve(r.properties.SubnetId);
  const naclT = view.resolve(r.properties.NetworkAclId);
  if (subnetT.kind !== 'resource' || !view.subnets.has(subnetT.logicalId)) return;
  const subnet = view.subnets.get(subnetT.logicalId)!;

  // Two or more associations for one subnet.
  const all = subnet.naclAssociations;
  if (all.length > 1) {
    const order = [...ctx.model.resources.keys()];
    const sorted = [...all].sort((a, b) => order.indexOf(a.logicalId) - order.indexOf(b.logicalId));
    const first = sorted[0]!;
    if (first !== r) {
      if (ctx.exists(first) !== 'yes') {
        ctx.unknown(r, {
          why: `association ${first.logicalId} for the same subnet exists only when condition ${first.condition} holds`,
        });
      } else {
        ctx.report(r, {
          path: ['Properties', 'SubnetId'],
          key: 'duplicate',
          message: `Subnet ${subnetLabel(subnet)} is associated with a NACL ${all.length} times (${all.map((a) => a.logicalId).join(', ')}); a subnet has exactly one NACL, so the associations replace each other and the effective NACL depends on deployment order. Keep one association.`,
          related: [
            { logicalId: first.logicalId, message: `${first.logicalId} associates the same subnet` },
            { logicalId: subnet.resource.logicalId, message: `subnet ${subnet.resource.logicalId}` },
          ],
        });
      }
    }
  }

  // NACL and subnet in different VPCs.
  let naclVpc: RefTarget | undefined;
  let naclRaw: unknown;
  if (naclT.kind === 'resource' && view.nacls.has(naclT.logicalId)) {
    const n = view.nacls.get(naclT.logicalId)!;
    naclVpc = n.vpc;
    naclRaw = naclVpcRaw(n);
  } else if (naclT.kind === 'default-nacl') {
    naclVpc = { kind: 'resource', logicalId: naclT.vpc };
    naclRaw = { Ref: naclT.vpc };
  } else return;
  const same = sameVpc(view, naclRaw, subnet.resource.properties.VpcId, naclVpc, subnet.vpc);
  if (same === false) {
    const name = naclT.kind === 'resource' ? naclT.logicalId : `the default NACL of VPC ${naclT.vpc}`;
    ctx.report(r, {
      path: ['Properties', 'NetworkAclId'],
      key: 'vpc',
      message: `Association ${r.logicalId} puts subnet ${subnetLabel(subnet)} under NACL ${name}, which belongs to a different VPC; a subnet can only use a NACL of its own VPC, so the deployment fails.`,
      related: [
        {
          logicalId: subnet.resource.logicalId,
          path: ['Properties', 'VpcId'],
          message: `subnet ${subnet.resource.logicalId} is in this VPC`,
        },
        ...(naclT.kind === 'resource'
          ? [
              {
                logicalId: naclT.logicalId,
                path: ['Properties', 'VpcId'],
                message: `NACL ${naclT.logicalId} is in this VPC`,
              },
            ]
          : []),
      ],
    });
  } else if (same === undefined) {
    ctx.unknown(r, { path: ['Properties', 'NetworkAclId'], why: 'the VPC of the subnet or of the NACL is unknown' });
  }
}

function checkNacl(r: Resource, ctx: RuleContext): void {
  const view = ctx.view(networkView);
  const nacl = view.nacls.get(r.logicalId);
  if (!nacl) return;
  const assocs = nacl.associations.filter((a) => ctx.exists(a) !== 'no');
  if (!assocs.length) {
    if (nacl.exported) {
      ctx.unknown(r, {
        why: `NACL ${r.logicalId} is an output of this template, so it may be associated with subnets in another stack`,
      });
      return;
    }
    ctx.report(r, {
      key: 'unassociated',
      severity: 'info',
      message: `NACL ${r.logicalId} is not associated with any subnet, so its entries affect nothing. Associate it with the subnets it is meant to protect (AWS::EC2::SubnetNetworkAclAssociation) or remove it.`,
    });
    return;
  }
  if (!assocs.some((a) => ctx.exists(a) === 'yes')) {
    ctx.unknown(r, { why: `the associations of NACL ${r.logicalId} depend on conditions` });
    return;
  }
  // A black hole: no ALLOW at all in one direction.
  const missing: string[] = [];
  for (const dir of ['inbound', 'outbound'] as const) {
    const candidates = nacl.entries.filter((e) => entryDirections(e).includes(dir));
    const mayAllow = candidates.filter((e) => e.action.state !== 'known' || e.action.value === 'allow');
    if (!mayAllow.length) missing.push(dir);
    else if (
      !mayAllow.some(
        (e) =>
          e.action.state === 'known' &&
          e.exists === 'yes' &&
          entryDirection(e) === dir &&
          e.nacls.some((n) => n.key === nacl.key && n.certain),
      )
    )
      ctx.unknown(r, {
        why: `whether NACL ${r.logicalId} allows any ${dir} traffic depends on ${mayAllow.map((e) => e.resource.logicalId).join(', ')}`,
      });
  }
  if (missing.length) {
    const subnets = [
      ...new Set(
        assocs.map((a) => {
          const t = view.resolve(a.properties.SubnetId);
          return t.kind === 'resource' ? t.logicalId : `the subnet of ${a.logicalId}`;
        }),
      ),
    ];
    const both = missing.length === 2;
    ctx.report(r, {
      key: 'black-hole',
      message: `NACL ${r.logicalId} is associated with subnet${subnets.length > 1 ? 's' : ''} ${subnets.join(', ')} but has no ${both ? 'ALLOW entry in either direction' : `${missing[0]} ALLOW entry`}: a custom NACL denies everything it does not allow, so all ${both ? '' : `${missing[0]} `}traffic of ${subnets.length > 1 ? 'these subnets' : 'this subnet'} is dropped. Add ${both ? 'inbound and outbound' : missing[0]} ALLOW entries (with their return paths).`,
      related: assocs.map((a) => ({ logicalId: a.logicalId, message: `${a.logicalId} associates this NACL` })),
    });
  }
}

function checkEntry(r: Resource, ctx: RuleContext): void {
  const view = ctx.view(networkView);
  const e = view.naclEntries.get(r.logicalId);
  if (!e || e.naclRef.kind !== 'default-nacl') return;
  const vpc = view.vpcs.get(e.naclRef.vpc);
  if (!vpc) return;
  const n = e.ruleNumber.state === 'known' ? e.ruleNumber.value : undefined;
  const act = e.action.state === 'known' ? e.action.value : undefined;
  const base = `NACL entry ${r.logicalId} modifies the default NACL of VPC ${vpc.resource.logicalId}, whose built-in rule 100 allows all IPv4 traffic${vpc.ipv6 === 'yes' ? ' (rule 101 all IPv6 traffic)' : ''} and cannot be removed.`;
  const collides = n === 100 || (n === 101 && vpc.ipv6 === 'yes');
  if (collides) {
    ctx.report(r, {
      path: ['Properties', 'RuleNumber'],
      key: 'default-collision',
      severity: 'error',
      message: `${base} Its rule number ${n} collides with that built-in rule, so the deployment fails. Use a custom NACL instead.`,
      related: [{ logicalId: vpc.resource.logicalId, message: `VPC ${vpc.resource.logicalId}` }],
    });
    return;
  }
  let effect: string;
  if (n === undefined || act === undefined) effect = 'Entries added to it are easy to misread.';
  else if (act === 'allow')
    effect =
      n > 100
        ? `This ALLOW (rule ${n}) never applies, because rule 100 already allows everything.`
        : `This ALLOW (rule ${n}) is redundant: rule 100 allows everything anyway.`;
  else
    effect =
      n > 100
        ? `This DENY (rule ${n}) never applies, because rule 100 allows everything first.`
        : `This DENY (rule ${n}) takes effect, but every other subnet on the default NACL silently shares it.`;
  ctx.report(r, {
    path: ['Properties', 'NetworkAclId'],
    key: 'default-nacl',
    severity: 'warning',
    message: `${base} ${effect} Leave the default NACL unmodified; create a custom NACL with explicit entries and associate the subnets with it.`,
    related: [{ logicalId: vpc.resource.logicalId, message: `VPC ${vpc.resource.logicalId}` }],
  });
}

function checkSubnet(r: Resource, ctx: RuleContext): void {
  const view = ctx.view(networkView);
  const subnet = view.subnets.get(r.logicalId);
  if (!subnet || subnet.naclAssociations.length) return;
  // Custom NACLs of the same VPC: the template uses NACLs, and this subnet was left on the allow-all default.
  const customs = [...view.nacls.values()].filter(
    (n) =>
      !n.isDefault &&
      n.exists === 'yes' &&
      sameVpc(view, n.resource.properties.VpcId, r.properties.VpcId, n.vpc, subnet.vpc) === true,
  );
  if (!customs.length) return;
  ctx.report(r, {
    key: 'default-nacl',
    severity: 'info',
    message: `Subnet ${subnetLabel(subnet)} has no NACL association, so it uses the VPC's default NACL, which allows all traffic, while this template defines custom NACL${customs.length > 1 ? 's' : ''} ${customs.map((n) => n.key).join(', ')} in the same VPC. Associate the subnet with the NACL meant for its tier.`,
    related: customs.map((n) => ({ logicalId: n.resource.logicalId, message: `custom NACL ${n.key}` })),
  });
}

export default defineRule({
  id: 'nacl-subnet-association',
  title: 'Associate each subnet with exactly one NACL of its VPC, and leave the default NACL alone',
  severity: 'error',
  severityNote:
    'error for conflicting, cross-VPC or black-hole associations; warning for entries on the default NACL; info for unassociated NACLs and subnets',
  pillar: ['reliability', 'security'],
  tier: '1',
  scope: 'graph',
  resourceTypes: [
    'AWS::EC2::SubnetNetworkAclAssociation',
    'AWS::EC2::NetworkAcl',
    'AWS::EC2::NetworkAclEntry',
    'AWS::EC2::Subnet',
  ],
  rationale:
    'Each subnet has exactly one NACL. A custom NACL denies everything it does not explicitly allow, while the default NACL ' +
    'allows everything through built-in rules that a template cannot remove. Competing associations, cross-VPC associations and ' +
    'entries bolted onto the default NACL do not do what they seem to do.',
  remediation:
    'Associate each subnet exactly once with a custom NACL of its own VPC, give each direction explicit ALLOW entries, and leave ' +
    'the default NACL unmodified.',
  citations: [
    'notes/000_93fa618f25815812.txt:1514',
    'notes/000_93fa618f25815812.txt:1520',
    'notes/000_93fa618f25815812.txt:1525-1526',
    'notes/001_599d008610d64701.txt:183',
    'notes/001_599d008610d64701.txt:186',
    'notes/004_de69dd7c5fb67669.txt:972',
    'https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html',
    'https://docs.aws.amazon.com/vpc/latest/userguide/default-network-acl.html',
  ],
  check(r, ctx) {
    switch (r.type) {
      case 'AWS::EC2::SubnetNetworkAclAssociation':
        return checkAssociation(r, ctx);
      case 'AWS::EC2::NetworkAcl':
        return checkNacl(r, ctx);
      case 'AWS::EC2::NetworkAclEntry':
        return checkEntry(r, ctx);
      default:
        return checkSubnet(r, ctx);
    }
  },
});
