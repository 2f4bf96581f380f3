import { defineRule } from '../../src/engine/rule';
import { networkView } from '../../src/model/network';
import { analyseReturnTraffic, resolveOptions } from '../../src/model/nacl-flows';

export default defineRule({
  id: 'nacl-ephemeral-return-traffic',
  title: 'Every allowed NACL flow needs a return path on the client ephemeral ports',
  severity: 'error',
  severityNote:
    'error (no return, or a partial return for NAT gateways, load balancers, Lambda and declared client classes); warning for returns that fail only some clients or addresses',
  pillar: ['reliability', 'security'],
  tier: 'H',
  scope: 'graph',
  rationale:
    'Network ACLs are stateless: a request that one entry allows gets no automatic permission for its reply. Replies go to the ' +
    "client's ephemeral port, so every allowed flow needs an ALLOW in the opposite direction that covers the client's ephemeral " +
    'range. When it is missing, denied first by a lower-numbered DENY, or too narrow, deployments succeed and connections time ' +
    'out, sometimes only for some clients. NAT gateways, load balancer nodes and Lambda ENIs pick source ports across ' +
    '1024–65535, so a Linux-only (32768–60999) or Windows-only (49152–65535) return range breaks a random share of their ' +
    'connections.',
  remediation:
    'Add a return ALLOW for ports 1024–65535 to (outbound) or from (inbound) the peer CIDR, for the same protocol (or -1), with a ' +
    'rule number lower than any DENY that matches the return traffic. Declare client ephemeral ranges in the archlint config ' +
    'when they are controlled (docs/nacl.md).',
  citations: [
    'notes/000_93fa618f25815812.txt:1528-1534',
    'notes/000_93fa618f25815812.txt:1547',
    'notes/000_93fa618f25815812.txt:1555-1556',
    'notes/001_599d008610d64701.txt:175',
    'notes/001_599d008610d64701.txt:177',
    'notes/001_599d008610d64701.txt:275',
    'notes/004_de69dd7c5fb67669.txt:971',
    'https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html',
    'https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html',
    'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-update-security-groups.html',
  ],
  checkTemplate(ctx) {
    const types = ctx.model.byType;
    if (!types.has('AWS::EC2::NetworkAclEntry') && !types.has('AWS::EC2::SubnetNetworkAclAssociation')) return;
    const { options, problems } = resolveOptions(ctx.options);
    for (const why of problems) ctx.unknown(undefined, { why: `rule option ignored: ${why}` });
    const result = analyseReturnTraffic(ctx, ctx.view(networkView), options);
    for (const u of result.unknowns) ctx.unknown(u.resource, { path: u.path, why: u.why });
    for (const f of result.findings) {
      ctx.report(f.resource, {
        path: f.path,
        message: f.message,
        severity: f.severity,
        related: f.related,
        key: f.key,
      });
    }
  },
});
