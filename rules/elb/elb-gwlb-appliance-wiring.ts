import { defineRule } from '../../src/engine/rule';
import type { RelatedInput, RuleContext } from '../../src/engine/context';
import { GENEVE_PORT, protocolOf } from '../../src/data/elb';
import {
  existingPath,
  isSet,
  knownNumber,
  knownString,
  loadBalancingView,
  maybeExisting,
  refOf,
  typeOf,
  type LoadBalancer,
  type TargetGroup,
} from '../../src/model/loadbalancing';
import {
  cidrContains,
  cidrOverlaps,
  computeNetwork,
  coversPort,
  naclAllowedPorts,
  naclEntries,
  naclOfSubnet,
  parseCidr4,
  securityGroupRules,
  type Cidr4,
} from '../../src/model/elb-network';
import type { Resource } from '../../src/model/template';
import { isRecord } from '../../src/parse/parse';
import type { Value } from '../../src/model/values';

const UDP = 17;

interface Subnet {
  id: string;
  cidr: Cidr4;
  text: string;
}

/** The in-template subnets of the GWLB with their CIDRs, or undefined when any is unknown. */
function gwlbSubnets(ctx: RuleContext, lb: LoadBalancer): Subnet[] | undefined {
  if (!lb.subnets.items || !lb.subnets.items.length) return undefined;
  const out: Subnet[] = [];
  for (const s of lb.subnets.items) {
    const id = refOf(s.value);
    const subnet = id ? ctx.model.resources.get(id) : undefined;
    if (!subnet || subnet.type !== 'AWS::EC2::Subnet' || ctx.exists(subnet) !== 'yes') return undefined;
    const text = knownString(ctx.value(subnet, ['Properties', 'CidrBlock']));
    const cidr = parseCidr4(text);
    if (!cidr || !text) return undefined;
    out.push({ id: subnet.logicalId, cidr, text });
  }
  return out;
}

/** The target groups of the GWLB's listeners (certain paths only). */
function targetGroupsOf(ctx: RuleContext, lb: LoadBalancer): TargetGroup[] {
  const out = new Set<TargetGroup>();
  for (const l of lb.listeners) {
    if (maybeExisting(ctx, [l.resource])) continue;
    for (const a of l.defaultActions.items ?? []) {
      for (const f of a.forwards.items ?? []) {
        const tg = f.targetGroup.target;
        if (tg && !maybeExisting(ctx, [tg.resource])) out.add(tg);
      }
    }
  }
  return [...out];
}

function checkGeneve(ctx: RuleContext, lb: LoadBalancer, tg: TargetGroup): boolean {
  const r = tg.resource;
  const related: RelatedInput[] = [{ logicalId: lb.id, path: [], message: `Gateway Load Balancer ${lb.id}` }];
  let ok = true;
  const protocolSet = isSet(tg.protocol);
  const protocol = protocolOf(knownString(tg.protocol));
  if (protocolSet === false || (protocol !== undefined && protocol !== 'GENEVE')) {
    ok = false;
    ctx.report(r, {
      path: protocolSet === false ? existingPath(r, ['Properties']) : ['Properties', 'Protocol'],
      key: 'geneve-protocol',
      related,
      message: `Target group '${tg.id}' of Gateway Load Balancer '${lb.id}' ${protocolSet === false ? 'has no Protocol' : `uses protocol ${protocol}`}. A GWLB talks to its appliances only with GENEVE on UDP 6081; set Protocol: GENEVE and Port: 6081 (create a new target group: Protocol cannot change).`,
    });
  }
  const portSet = isSet(tg.port);
  const port = knownNumber(tg.port);
  if (portSet === false || (port !== undefined && port !== GENEVE_PORT)) {
    ok = false;
    ctx.report(r, {
      path: portSet === false ? existingPath(r, ['Properties']) : ['Properties', 'Port'],
      key: 'geneve-port',
      related,
      message: `Target group '${tg.id}' of Gateway Load Balancer '${lb.id}' ${portSet === false ? 'has no Port' : `uses port ${port}`}. GENEVE target groups must use port 6081, the port the appliances receive encapsulated traffic on; set Port: 6081.`,
    });
  }
  return ok;
}

/** Whether the appliance's security groups admit UDP 6081 from every GWLB subnet. */
function checkApplianceGroups(
  ctx: RuleContext,
  lb: LoadBalancer,
  tg: TargetGroup,
  appliance: Resource,
  groups: readonly string[],
  subnets: Subnet[] | undefined,
): void {
  const rules = [];
  for (const g of groups) {
    const set = securityGroupRules(ctx, g, 'ingress');
    if (!set) {
      ctx.unknown(appliance, { path: [], why: `the inbound rules of security group ${g} are unknown` });
      return;
    }
    rules.push(...set.rules);
  }
  const sources: Cidr4[] = [];
  let unknown = false;
  for (const rule of rules) {
    const c = coversPort(rule, 'udp', GENEVE_PORT);
    if (c === false) continue;
    if (c === undefined) {
      unknown = true;
      continue;
    }
    if (rule.prefixList.kind !== 'missing') unknown = true;
    if (rule.cidrIp.kind === 'missing') continue; // IPv6 or security-group sources never match GWLB traffic.
    const cidr = parseCidr4(knownString(rule.cidrIp));
    if (!cidr) unknown = true;
    else sources.push(cidr);
  }
  let missing: string[];
  if (subnets) {
    missing = [];
    for (const s of subnets) {
      if (sources.some((c) => cidrContains(c, s.cidr))) continue;
      if (sources.some((c) => cidrOverlaps(c, s.cidr))) unknown = true;
      else missing.push(`${s.text} (${s.id})`);
    }
  } else {
    missing = sources.length ? [] : ['the GWLB subnets'];
  }
  if (unknown || !missing.length) {
    if (unknown)
      ctx.unknown(appliance, { path: [], why: 'a security-group rule for UDP 6081 depends on unknown values' });
    return;
  }
  const sg = ctx.model.resources.get(groups[0] ?? '');
  if (!sg) return;
  ctx.report(sg, {
    path: existingPath(sg, ['Properties', 'SecurityGroupIngress']),
    key: `geneve-sg-${lb.id}`,
    related: [
      {
        logicalId: appliance.logicalId,
        path: [],
        message: `appliance ${appliance.logicalId} in target group ${tg.id}`,
      },
      { logicalId: lb.id, path: existingPath(lb.resource, ['Properties', 'Subnets']), message: `subnets of ${lb.id}` },
    ],
    message: `Security group${groups.length > 1 ? 's' : ''} ${groups.map((g) => `'${g}'`).join(', ')} of appliance '${appliance.logicalId}' (target group '${tg.id}' of Gateway Load Balancer '${lb.id}') do${groups.length > 1 ? '' : 'es'} not admit UDP 6081 from ${missing.join(', ')}. The GWLB delivers every packet to the appliance as GENEVE on UDP 6081 from its subnet addresses, so nothing is inspected and traffic is dropped. Add an ingress rule for UDP 6081 from the GWLB subnet CIDRs.`,
  });
}

/** The appliance subnets' NACLs must admit UDP 6081 from the GWLB subnets and let the return out. */
function checkApplianceNacls(
  ctx: RuleContext,
  lb: LoadBalancer,
  appliance: Resource,
  subnetValues: readonly Value[] | undefined,
  subnets: Subnet[] | undefined,
  reported: Set<string>,
): void {
  if (!subnets || !subnetValues) return;
  for (const v of subnetValues) {
    const subnetId = refOf(v);
    const subnet = subnetId ? ctx.model.resources.get(subnetId) : undefined;
    if (!subnet || subnet.type !== 'AWS::EC2::Subnet') continue;
    const acl = naclOfSubnet(ctx, subnet.logicalId);
    if (acl === 'default') continue; // The default NACL allows all traffic.
    if (acl === undefined) {
      ctx.unknown(appliance, { path: [], why: `the NACL of subnet ${subnet.logicalId} is unknown` });
      continue;
    }
    const entries = naclEntries(ctx, acl);
    if (!entries) {
      ctx.unknown(appliance, { path: [], why: `an entry of NACL ${acl} is unknown` });
      continue;
    }
    const nacl = ctx.model.resources.get(acl)!;
    for (const peer of subnets) {
      if (peer.id === subnet.logicalId) continue; // Traffic inside one subnet is not filtered.
      const inbound = naclAllowedPorts(entries, false, UDP, peer.cidr, GENEVE_PORT, GENEVE_PORT);
      const outbound = naclAllowedPorts(entries, true, UDP, peer.cidr, 1024, 65535);
      if (!inbound || !outbound) {
        ctx.unknown(appliance, { path: [], why: `NACL ${acl} treats parts of ${peer.text} differently` });
        continue;
      }
      const problems: string[] = [];
      const fixes: string[] = [];
      if (!inbound.length) {
        problems.push(`inbound UDP 6081 from ${peer.text} is not allowed`);
        fixes.push(`an inbound ALLOW UDP 6081 from ${peer.text}`);
      }
      if (!outbound.length) fixes.push(`an outbound ALLOW UDP to ${peer.text} ports 1024-65535`);
      if (!outbound.length)
        problems.push(
          `outbound UDP to ${peer.text} (the GENEVE return to the GWLB) is not allowed on any port 1024-65535`,
        );
      if (!problems.length) continue;
      const key = `${acl}/${subnet.logicalId}/${peer.id}`;
      if (reported.has(key)) continue;
      reported.add(key);
      ctx.report(nacl, {
        path: [],
        key: `geneve-nacl-${subnet.logicalId}-${peer.id}`,
        related: [
          { logicalId: subnet.logicalId, path: [], message: `appliance subnet ${subnet.logicalId}` },
          {
            logicalId: peer.id,
            path: existingPath(ctx.model.resources.get(peer.id)!, ['Properties', 'CidrBlock']),
            message: `GWLB subnet ${peer.id}`,
          },
        ],
        message: `NACL '${acl}' of appliance subnet '${subnet.logicalId}' blocks the GENEVE traffic of Gateway Load Balancer '${lb.id}': ${problems.join('; ')}. NACLs are stateless, so the appliance '${appliance.logicalId}' never sees the traffic or cannot return it. Add ${fixes.join(' and ')}, numbered before any DENY that matches.`,
      });
    }
  }
}

/** Whether any output refers to a resource (consumers in other stacks). */
function exported(ctx: RuleContext, id: string): boolean {
  const refers = (node: unknown): boolean => {
    if (Array.isArray(node)) return node.some(refers);
    if (!isRecord(node)) return false;
    if (node.Ref === id) return true;
    const att = node['Fn::GetAtt'];
    if ((Array.isArray(att) && att[0] === id) || (typeof att === 'string' && att.split('.')[0] === id)) return true;
    const sub = node['Fn::Sub'];
    const tpl = typeof sub === 'string' ? sub : Array.isArray(sub) ? sub[0] : undefined;
    if (typeof tpl === 'string' && new RegExp(`\\$\\{${id}(\\.[^}]*)?\\}`).test(tpl)) return true;
    return Object.values(node).some(refers);
  };
  for (const o of ctx.model.outputs.values()) if (refers(o.value)) return true;
  return false;
}

/** A GWLB endpoint routed to, through an endpoint service that lists the GWLB. */
function checkEndpoints(ctx: RuleContext, lb: LoadBalancer): void {
  const r = lb.resource;
  const services = lb.endpointServices.filter((s) => s.property === 'GatewayLoadBalancerArns');
  const related: RelatedInput[] = [];
  let consumersElsewhere = exported(ctx, lb.id);
  for (const s of services) {
    if (ctx.exists(s.resource) !== 'yes') return;
    related.push({
      logicalId: s.resource.logicalId,
      path: s.path,
      message: `endpoint service ${s.resource.logicalId}`,
    });
    if (exported(ctx, s.resource.logicalId)) consumersElsewhere = true;
    for (const e of ctx.graph.referrers(s.resource.logicalId)) {
      const from = ctx.model.resources.get(e.from);
      if (from?.type === 'AWS::EC2::VPCEndpointServicePermissions') consumersElsewhere = true;
      if (from?.type !== 'AWS::EC2::VPCEndpoint' || ctx.exists(from) === 'no') continue;
      const type = knownString(ctx.value(from, ['Properties', 'VpcEndpointType']));
      if (type !== 'GatewayLoadBalancer') continue;
      if (exported(ctx, from.logicalId)) consumersElsewhere = true;
      for (const re of ctx.graph.referrers(from.logicalId)) {
        const route = ctx.model.resources.get(re.from);
        if (route?.type === 'AWS::EC2::Route' && re.path[1] === 'VpcEndpointId' && ctx.exists(route) !== 'no') return;
      }
      related.push({
        logicalId: from.logicalId,
        path: [],
        message: `GWLB endpoint ${from.logicalId} (no route uses it)`,
      });
    }
  }
  if (consumersElsewhere) {
    ctx.unknown(r, { path: [], why: 'the GWLB or its endpoint service is used by other stacks' });
    return;
  }
  const what = !services.length
    ? 'no VPC endpoint service lists it in GatewayLoadBalancerArns'
    : related.length > services.length
      ? 'its GWLB endpoints are not the target (VpcEndpointId) of any route'
      : 'no VPC endpoint of type GatewayLoadBalancer connects to its endpoint service';
  ctx.report(r, {
    path: existingPath(r, ['Properties', 'Type']),
    key: 'gwlb-unrouted',
    severity: 'warning',
    related,
    message: `Gateway Load Balancer '${lb.id}' is never in the traffic path: ${what}. A GWLB only inspects traffic that routes send to a GWLB endpoint (AWS::EC2::VPCEndpoint of type GatewayLoadBalancer) of an endpoint service that lists it. Create the endpoint service, the endpoints, and routes (including the IGW ingress route table) with VpcEndpointId.`,
  });
}

export default defineRule({
  id: 'elb-gwlb-appliance-wiring',
  title: 'Wire Gateway Load Balancer appliances with GENEVE and route through GWLB endpoints',
  severity: 'error',
  severityNote: 'error; warning when no route sends traffic through a GWLB endpoint',
  pillar: ['reliability', 'security'],
  tier: '1',
  scope: 'graph',
  resourceTypes: ['AWS::ElasticLoadBalancingV2::LoadBalancer'],
  rationale:
    'A Gateway Load Balancer hands every packet to its appliances as GENEVE on UDP 6081, so its target groups must be GENEVE/6081 and the appliances\u2019 security groups and subnet NACLs must admit UDP 6081 from the GWLB subnets and let the return out. It only inspects traffic that route tables send to a GWLB endpoint of an endpoint service listing it; without such a route no traffic is ever steered through the appliances.',
  remediation:
    'Use Protocol GENEVE and Port 6081 on the target group, open UDP 6081 from the GWLB subnet CIDRs on the appliance security groups and NACLs (with the outbound return), and route traffic through GWLB endpoints (AWS::EC2::VPCEndpoint of type GatewayLoadBalancer, AWS::EC2::Route VpcEndpointId).',
  citations: [
    'notes/000_93fa618f25815812.txt:884-906',
    'notes/002_67d0d92d551be2b8.txt:3522',
    'notes/002_67d0d92d551be2b8.txt:3541',
    'https://docs.aws.amazon.com/elasticloadbalancing/latest/gateway/target-groups.html',
    'https://docs.aws.amazon.com/elasticloadbalancing/latest/gateway/getting-started.html',
    'https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-load-balancer-endpoints.html',
  ],
  check(r, ctx) {
    const view = ctx.view(loadBalancingView);
    const lb = view.loadBalancers.get(r.logicalId);
    if (!lb) return;
    const t = typeOf(lb);
    if (!t.type) {
      ctx.unknown(r, { path: existingPath(r, ['Properties', 'Type']), why: t.why });
      return;
    }
    if (t.type !== 'gateway') return;
    const subnets = gwlbSubnets(ctx, lb);
    const reported = new Set<string>();
    for (const tg of targetGroupsOf(ctx, lb)) {
      checkGeneve(ctx, lb, tg);
      const appliances: Resource[] = [];
      for (const target of tg.targets.items ?? []) {
        const id = refOf(target.id);
        const res = id ? ctx.model.resources.get(id) : undefined;
        if (res?.type === 'AWS::EC2::Instance' && ctx.exists(res) === 'yes') appliances.push(res);
      }
      for (const reg of tg.registrars) if (ctx.exists(reg.resource) === 'yes') appliances.push(reg.resource);
      for (const appliance of appliances) {
        const net = computeNetwork(ctx, appliance);
        if (net.groups) checkApplianceGroups(ctx, lb, tg, appliance, net.groups, subnets);
        else ctx.unknown(appliance, { path: [], why: 'the security groups of the appliance are unknown' });
        checkApplianceNacls(ctx, lb, appliance, net.subnets, subnets, reported);
      }
    }
    checkEndpoints(ctx, lb);
  },
});
