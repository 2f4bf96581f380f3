import { defineRule } from '../../src/engine/rule';
import type { RelatedInput, RuleContext } from '../../src/engine/context';
import { ALB_ONLY_ACTIONS, protocolOf } from '../../src/data/elb';
import {
  actionTypeOf,
  existingPath,
  isSet,
  itemCount,
  knownNumber,
  knownString,
  loadBalancingView,
  maybeExisting,
  refOf,
  targetTypeOf,
  typeOf,
  type LoadBalancer,
  type LoadBalancingView,
  type TargetGroup,
} from '../../src/model/loadbalancing';
import { isRecord } from '../../src/parse/parse';
import type { PathSegment } from '../../src/types';
import type { Resource } from '../../src/model/template';
import { alternatives, ResourceRef, toBool } from '../../src/model/values';

const REQUIRES_TAG = 'archlint:requires';

/** Tags of a resource as key -> { value, path }, or undefined when the tag list is unknown. */
function tagsOf(
  ctx: RuleContext,
  r: Resource,
): Map<string, { value: string | undefined; path: PathSegment[] }> | undefined {
  const out = new Map<string, { value: string | undefined; path: PathSegment[] }>();
  const count = itemCount(ctx, r, ['Properties', 'Tags']);
  if (!count.items) return undefined;
  for (const i of count.items) {
    const key = knownString(ctx.value(r, ['Properties', 'Tags', i, 'Key']));
    if (key === undefined) return undefined;
    out.set(key, {
      value: knownString(ctx.value(r, ['Properties', 'Tags', i, 'Value'])),
      path: ['Properties', 'Tags', i, 'Value'],
    });
  }
  return out;
}

/** The needs declared with the tag archlint:requires (comma/space separated), or undefined when unknown. */
function requires(ctx: RuleContext, r: Resource): { needs: Set<string>; path?: PathSegment[] } | undefined {
  const tags = tagsOf(ctx, r);
  if (!tags) return undefined;
  const tag = tags.get(REQUIRES_TAG);
  if (!tag) return { needs: new Set() };
  if (tag.value === undefined) return undefined;
  return {
    needs: new Set(
      tag.value
        .toLowerCase()
        .split(/[\s,;|]+/)
        .filter(Boolean),
    ),
    path: tag.path,
  };
}

/** Every target group the load balancer's listeners (default actions and rules) forward to; undefined if unknown. */
function forwardedTargetGroups(ctx: RuleContext, lb: LoadBalancer): TargetGroup[] | undefined {
  const out = new Set<TargetGroup>();
  for (const l of lb.listeners) {
    if (maybeExisting(ctx, [l.resource])) return undefined;
    for (const list of [l.defaultActions, ...l.rules.map((r) => r.actions)]) {
      if (!list.items) return undefined;
      for (const a of list.items) {
        if (!a.forwards.items) return undefined;
        for (const f of a.forwards.items) {
          if (!f.targetGroup.target) return undefined;
          out.add(f.targetGroup.target);
        }
      }
    }
  }
  return [...out];
}

/** Signal 1: an NLB that fronts what looks like a plain HTTP application. */
function httpAppOnNlb(ctx: RuleContext, lb: LoadBalancer): void {
  if (!lb.listeners.length || !lb.subnetMappings.items) return;
  for (const l of lb.listeners) {
    const p = protocolOf(knownString(l.protocol));
    const port = knownNumber(l.port);
    if (!((p === 'TCP' && (port === 80 || port === 443)) || (p === 'TLS' && port === 443))) return;
  }
  for (const m of lb.subnetMappings.items) {
    if (isSet(m.allocationId) !== false || isSet(m.privateIPv4Address) !== false) return;
  }
  if (lb.endpointServices.length || lb.acceleratorEndpoints.length) return;
  const req = requires(ctx, lb.resource);
  if (!req || req.needs.has('static-ip') || req.needs.has('tls-passthrough')) return;
  const tgs = forwardedTargetGroups(ctx, lb);
  if (!tgs || !tgs.length) return;
  for (const tg of tgs) {
    if (targetTypeOf(tg) !== 'instance' && targetTypeOf(tg) !== 'ip') return; // alb targets: the sanctioned NLB -> ALB.
    const hc = protocolOf(knownString(tg.healthCheck.protocol));
    if ((hc !== 'HTTP' && hc !== 'HTTPS') || isSet(tg.healthCheck.path) !== true) return;
  }
  ctx.report(lb.resource, {
    path: existingPath(lb.resource, ['Properties', 'Type']),
    key: 'http-app-on-nlb',
    related: tgs.map((tg) => ({
      logicalId: tg.id,
      path: ['Properties', 'HealthCheckPath'],
      message: `target group ${tg.id} health-checks an HTTP path`,
    })),
    message: `NLB '${lb.id}' fronts what looks like an HTTP application. An ALB would add host/path routing, HTTP\u2192HTTPS redirects, WAF, built-in authentication and Lambda targets. Keep the NLB if you need static IPs, TLS pass-through to targets, PrivateLink, or UDP (tag it ${REQUIRES_TAG}=static-ip or tls-passthrough to record that).`,
  });
}

/** Signal 2: a static IP requested on an ALB. */
function staticIpOnAlb(ctx: RuleContext, lb: LoadBalancer): void {
  const req = requires(ctx, lb.resource);
  const configured = Array.isArray(ctx.options.staticIp) && ctx.options.staticIp.includes(lb.id);
  if (!req || (!req.needs.has('static-ip') && !configured)) return;
  if (lb.targetOf.length || lb.acceleratorEndpoints.length) return; // Already behind an NLB or an accelerator.
  ctx.report(lb.resource, {
    path: req.needs.has('static-ip') && req.path ? req.path : existingPath(lb.resource, ['Properties', 'Type']),
    key: 'static-ip-on-alb',
    message: `ALB '${lb.id}' is expected to have static IP addresses (${req.needs.has('static-ip') ? `tag ${REQUIRES_TAG}=static-ip` : 'archlint config'}), but an Application Load Balancer's IP addresses change over time and cannot be pinned. Put an NLB with Elastic IPs in front of it (an NLB target group of TargetType alb pointing at this ALB) or use Global Accelerator.`,
  });
}

/** Signal 4: an NLB -> ALB hop whose ALB adds nothing (no rules, no WAF, plain forwards). */
function redundantAlbHop(ctx: RuleContext, view: LoadBalancingView, nlb: LoadBalancer): void {
  if (view.unresolvedListeners.length || view.unresolvedRules.length) return;
  const tgs = forwardedTargetGroups(ctx, nlb);
  for (const tg of tgs ?? []) {
    if (targetTypeOf(tg) !== 'alb' || !tg.targets.items) continue;
    for (const t of tg.targets.items) {
      const alb = view.loadBalancers.get(refOf(t.id) ?? '');
      if (!alb || typeOf(alb).type !== 'application' || maybeExisting(ctx, [alb.resource])) continue;
      if (alb.webAclAssociations.length || !alb.listeners.length) continue;
      let plain = true;
      for (const l of alb.listeners) {
        if (l.rules.length || !l.defaultActions.items) plain = false;
        for (const a of l.defaultActions.items ?? []) {
          const type = actionTypeOf(a);
          if (type !== 'forward' || !a.forwards.items || a.forwards.items.length !== 1) plain = false;
          for (const f of a.forwards.items ?? []) {
            const target = f.targetGroup.target;
            if (!target || targetTypeOf(target) === 'lambda') plain = false;
          }
          if (type && ALB_ONLY_ACTIONS.has(type)) plain = false;
        }
      }
      const req = requires(ctx, alb.resource);
      if (!plain || !req || req.needs.size) continue;
      const related: RelatedInput[] = [
        { logicalId: nlb.id, path: [], message: `NLB ${nlb.id}` },
        { logicalId: alb.id, path: [], message: `ALB ${alb.id} has no listener rules, no WAF and only plain forwards` },
      ];
      ctx.report(tg.resource, {
        path: ['Properties', 'TargetType'],
        key: `redundant-hop-${alb.id}`,
        related,
        message: `NLB '${nlb.id}' forwards to ALB '${alb.id}' through target group '${tg.id}', but the ALB adds no layer-7 feature: no listener rules, no WAF, no redirect, authentication or Lambda targets. The double hop adds cost and latency; check whether the NLB alone suffices (forward to the ALB's targets directly, TLS on the NLB if needed).`,
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------- signal 3

function words(s: string): string[] {
  return s
    .split(/[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** A NAT instance is an appliance for which the advice is a NAT gateway, not a GWLB. */
function looksLikeNat(ctx: RuleContext, r: Resource): boolean {
  const texts: string[] = [r.logicalId];
  const name = tagsOf(ctx, r)?.get('Name')?.value;
  if (name) texts.push(name);
  const desc = knownString(ctx.value(r, ['Properties', 'Description']));
  if (desc) texts.push(desc);
  const image = r.properties.ImageId;
  if (isRecord(image)) texts.push(JSON.stringify(image));
  if (texts.some((t) => words(t).includes('nat'))) return true;
  return /MASQUERADE/.test(JSON.stringify(r.properties.UserData ?? ''));
}

/** The appliance (instance or ENI with SourceDestCheck false) a route certainly sends traffic to. */
function applianceOf(ctx: RuleContext, route: Resource, view: Map<string, Resource | null>): Resource | undefined {
  for (const prop of ['InstanceId', 'NetworkInterfaceId']) {
    const alts = alternatives(ctx.value(route, ['Properties', prop]));
    if (!alts || !alts.length) continue;
    const first = alts[0];
    if (
      !(first instanceof ResourceRef) ||
      !alts.every((a) => a instanceof ResourceRef && a.logicalId === first.logicalId)
    )
      continue;
    const id = first.logicalId;
    if (!view.has(id)) {
      const r = ctx.model.resources.get(id);
      const ok =
        r &&
        (r.type === 'AWS::EC2::Instance' || r.type === 'AWS::EC2::NetworkInterface') &&
        ctx.exists(r) === 'yes' &&
        alternatives(ctx.value(r, ['Properties', 'SourceDestCheck']))?.every((v) => toBool(v) === false) &&
        !looksLikeNat(ctx, r);
      view.set(id, ok ? r! : null);
    }
    return view.get(id) ?? undefined;
  }
  return undefined;
}

function handRoutedAppliances(ctx: RuleContext): void {
  const appliances = new Map<string, Resource | null>();
  const routesByAppliance = new Map<Resource, Resource[]>();
  const tables = new Set<string>();
  for (const route of ctx.model.byType.get('AWS::EC2::Route') ?? []) {
    if (ctx.exists(route) !== 'yes') continue;
    const dest = knownString(ctx.value(route, ['Properties', 'DestinationCidrBlock']));
    if (dest?.trim() !== '0.0.0.0/0') continue;
    const appliance = applianceOf(ctx, route, appliances);
    if (!appliance) continue;
    // Two routes for 0.0.0.0/0 cannot share a route table, so each route is a distinct route table.
    tables.add(route.logicalId);
    const list = routesByAppliance.get(appliance) ?? [];
    list.push(route);
    routesByAppliance.set(appliance, list);
  }
  if (tables.size < 2) return;
  for (const [appliance, routes] of routesByAppliance) {
    ctx.report(appliance, {
      path: ['Properties', 'SourceDestCheck'],
      key: 'hand-routed-appliance',
      related: routes.map((r) => ({
        logicalId: r.logicalId,
        path: ['Properties', 'DestinationCidrBlock'],
        message: `route ${r.logicalId} sends 0.0.0.0/0 to ${appliance.logicalId}`,
      })),
      message: `Inline appliances routed by ENI are a single point of failure: ${tables.size} route tables send 0.0.0.0/0 to appliances such as '${appliance.logicalId}' (SourceDestCheck false). A Gateway Load Balancer (GENEVE, UDP 6081) with GWLB endpoints gives health-checked, scalable insertion.`,
    });
  }
}

export default defineRule({
  id: 'elb-type-selection-advice',
  title: 'Pick the load balancer type the template shows a need for',
  severity: 'info',
  pillar: ['performance', 'security', 'cost'],
  tier: 'H',
  scope: 'graph',
  resourceTypes: ['AWS::ElasticLoadBalancingV2::LoadBalancer'],
  rationale:
    'Choose an NLB for non-HTTP protocols, UDP, static or Elastic IPs, PrivateLink and TLS pass-through; an ALB for host/path routing, redirects, authentication, Lambda targets and WAF; a GWLB for inline appliances. This rule speaks only when the template shows a need the chosen type does not serve: an NLB fronting a plain HTTP application, a static IP expected from an ALB, appliances routed by hand, or an NLB -> ALB hop whose ALB adds nothing. An NLB forwarding to an ALB that does layer-7 work is the sanctioned way to get static IPs plus layer 7 and is never flagged.',
  remediation:
    'Follow the decision table: ALB for HTTP features, NLB for layer 4, static IPs, PrivateLink and UDP (with the ALB as its `alb` target when you need both), GWLB with GWLB endpoints for appliances. Record an intent the template cannot show with the tag archlint:requires=static-ip or tls-passthrough.',
  citations: [
    'notes/001_599d008610d64701.txt:748-756',
    'notes/000_93fa618f25815812.txt:853-856',
    'notes/000_93fa618f25815812.txt:878-882',
    'notes/000_93fa618f25815812.txt:886-887',
    'notes/002_67d0d92d551be2b8.txt:3530-3541',
    'notes/001_599d008610d64701.txt:743',
    'notes/001_599d008610d64701.txt:746',
    'https://aws.amazon.com/elasticloadbalancing/features/',
    'https://docs.aws.amazon.com/elasticloadbalancing/latest/network/application-load-balancer-target.html',
    'https://docs.aws.amazon.com/elasticloadbalancing/latest/gateway/introduction.html',
  ],
  check(r, ctx) {
    const view = ctx.view(loadBalancingView);
    const lb = view.loadBalancers.get(r.logicalId);
    if (!lb) return;
    const t = typeOf(lb);
    if (t.type === 'network') {
      httpAppOnNlb(ctx, lb);
      redundantAlbHop(ctx, view, lb);
    } else if (t.type === 'application') {
      staticIpOnAlb(ctx, lb);
    }
  },
  checkTemplate(ctx) {
    handRoutedAppliances(ctx);
  },
});
