import { defineRule } from '../../src/engine/rule';
import { NAME_PROPERTIES, NEW_ADDRESS_TYPES, STATEFUL_TYPES } from '../../src/data/stateful';
import {
  dataRole,
  deferredTo,
  describeChanges,
  kindOf,
  quoteList,
  recordDiffUnknowns,
} from '../../src/diff/rule-support';
import type { PropertyChange } from '../../src/diff/types';

const ID = 'create-only-property-change';

function addressOf(type: string): string {
  return type === 'AWS::EC2::EIP' || type === 'AWS::EC2::NatGateway'
    ? 'IP address'
    : type === 'AWS::EC2::Instance'
      ? 'instance id and IP addresses'
      : 'DNS name';
}

function label(c: PropertyChange): string {
  return c.subPath ? [c.property, ...c.subPath].join('.') : c.property;
}

export default defineRule({
  id: ID,
  title: 'Know which changes replace resources or cannot be applied',
  severity: 'error',
  pillar: ['reliability', 'operations'],
  tier: 'H',
  scope: 'diff',
  rationale:
    'A property that can only be set at creation cannot be changed in place. CloudFormation then replaces the resource (a new physical resource, new identifiers and addresses, and everything that refers to it through a create-only property is replaced with it), or the update fails and rolls back. Custom-named resources cannot be replaced at all.',
  remediation:
    'Avoid the change, use the documented migration path, or give explicitly named resources a new name in the same change. For a VPC that needs more addresses, add an AWS::EC2::VPCCidrBlock instead of changing CidrBlock. Review a change set before deploying.',
  citations: [
    'notes/001_599d008610d64701.txt:2789',
    'notes/000_93fa618f25815812.txt:418',
    'notes/000_93fa618f25815812.txt:1443',
    'notes/000_93fa618f25815812.txt:727',
    'notes/000_93fa618f25815812.txt:738',
    'notes/001_599d008610d64701.txt:1806',
    'notes/002_67d0d92d551be2b8.txt:8032',
    'notes/000_93fa618f25815812.txt:4074',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html',
    'https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-schema.html',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-name.html',
  ],
  checkTemplate(ctx) {
    const base = ctx.baseline;
    if (!base) return;
    const d = base.diff;

    recordDiffUnknowns(ctx, base, false);

    for (const t of d.typeChanges) {
      if (STATEFUL_TYPES.has(t.old.type)) continue; // stateful-resource-replacement reports it
      ctx.report(t.new, {
        path: ['Type'],
        key: 'not-supported',
        related: [
          { logicalId: t.logicalId, path: ['Type'], message: `deployed type: ${t.old.type}`, model: base.model },
        ],
        message: `'${t.logicalId}' changes type from ${t.old.type} to ${t.new.type}. CloudFormation rejects an update that changes the type of an existing logical id ("Update of resource type is not permitted"), so the update fails. Give the new resource a new logical id.`,
      });
    }

    // Resources replaced through another resource's cascade are listed in that cascade's finding.
    const inCascade = new Set<string>();
    for (const c of d.cascades.values()) for (const id of c.replaced) inCascade.add(id);

    for (const pair of d.pairs.values()) {
      const r = pair.new;
      const kind = kindOf(pair.type);
      const role = dataRole(ctx, r);
      const holdsData = role === 'data' || role === 'replica';
      const changes = pair.changes.filter((c) => !deferredTo(pair.type, c));
      const related = (c: PropertyChange) => [
        { logicalId: pair.logicalId, path: c.baselinePath, message: `deployed value: ${c.old}`, model: base.model },
      ];

      for (const c of changes) {
        if (c.status === 'unknown') {
          ctx.unknown(r, { path: c.path, why: `whether ${label(c)} changes: ${c.why}` });
          continue;
        }
        if (c.behaviour === 'NotSupported' && c.status === 'changed') {
          ctx.report(r, {
            path: c.path,
            key: `not-supported:${label(c)}`,
            related: related(c),
            message: `Changing ${label(c)} of ${pair.type} '${pair.logicalId}' (${c.old} → ${c.new}) cannot be applied: ${c.note ?? 'the update is not supported'}. CloudFormation fails the update and rolls back.`,
          });
        }
      }

      const own = d.replacements.get(pair.logicalId);
      const causes = own ? own.causes.filter((c) => !deferredTo(pair.type, c)) : [];
      if (causes.length && !changes.some((c) => c.behaviour === 'NotSupported' && c.status === 'changed')) {
        if (!holdsData && typeof role !== 'object') {
          const first = causes[0]!;
          const what = `Changing ${describeChanges(causes)} of ${pair.type} '${pair.logicalId}'`;
          const nameProp = NAME_PROPERTIES[pair.type];
          const named = nameProp && r.properties[nameProp] !== undefined ? d.compare(pair, nameProp) : undefined;
          const cascade = d.cascades.get(pair.logicalId);
          if (named?.status === 'unknown') {
            ctx.unknown(r, { path: ['Properties', nameProp!], why: `custom name: ${named.why}` });
          } else if (named && (named.status === 'same' || named.status === 'textual')) {
            ctx.report(r, {
              path: first.path,
              key: 'custom-name-conflict',
              related: related(first),
              message: `${what} requires replacing it, but its custom name ${nameProp} (${d.show('new', r, nameProp!)}) stays the same. CloudFormation cannot update a stack when a custom-named resource requires replacing, so the update fails and rolls back. Give ${nameProp} a new value in the same change, or remove it.`,
            });
          } else if (inCascade.has(pair.logicalId)) {
            // reported with the anchor of the cascade
          } else if (cascade) {
            const holds = (id: string): boolean => {
              const p = d.pairs.get(id);
              const role2 = p ? dataRole(ctx, p.new) : 'none';
              return role2 === 'data' || role2 === 'replica';
            };
            const data = [
              ...cascade.replaced.filter(holds).map((id) => `'${id}' (replaced)`),
              ...cascade.stranded
                .filter((s) => holds(s.logicalId))
                .map((s) => `'${s.logicalId}' (cannot follow: ${s.reason})`),
            ];
            const others = cascade.stranded
              .filter((s) => !holds(s.logicalId))
              .map((s) => ` '${s.logicalId}' cannot follow: ${s.reason}.`)
              .join('');
            const n = cascade.replaced.length;
            ctx.report(r, {
              path: first.path,
              key: 'replacement-cascade',
              severity: data.length ? 'error' : 'warning',
              related: related(first),
              message: `${what} replaces it (update behaviour: Replacement), and that forces replacement of ${n} dependent resource${n === 1 ? '' : 's'}${n ? `: ${quoteList(cascade.replaced)}` : ''}.${others}${
                data.length
                  ? ` ${data.length} of the affected resources ${data.length === 1 ? 'holds' : 'hold'} data: ${data.join('; ')}.`
                  : ''
              }${NEW_ADDRESS_TYPES.has(pair.type) ? ` The new ${kind} also gets a new ${addressOf(pair.type)}; clients, allow-lists and DNS records that do not refer to it through Ref/GetAtt break.` : ''} Avoid the change.${pair.type === 'AWS::EC2::VPC' ? ' For a VPC that needs more addresses, add an AWS::EC2::VPCCidrBlock.' : ''}`,
            });
          } else if (NEW_ADDRESS_TYPES.has(pair.type)) {
            const address = addressOf(pair.type);
            ctx.report(r, {
              path: first.path,
              key: 'replacement-new-address',
              severity: 'warning',
              related: related(first),
              message: `${what} replaces it, and the new ${kind} gets a new ${address}. Clients, allow-lists and DNS records that do not refer to it through Ref/GetAtt break.`,
            });
          } else {
            ctx.report(r, {
              path: first.path,
              key: 'replacement',
              severity: 'info',
              related: related(first),
              message: `${what} replaces it: CloudFormation creates a new ${kind} with a new physical id, repoints references, then deletes the old one.`,
            });
          }
        }
      }
      if (own) continue; // replaced anyway: conditional and textual changes do not matter

      for (const c of changes) {
        if (c.behaviour === 'Conditional' && c.status === 'changed') {
          ctx.report(r, {
            path: c.path,
            key: `conditional:${label(c)}`,
            severity: 'warning',
            related: related(c),
            message: `Changing ${label(c)} of ${pair.type} '${pair.logicalId}' (${c.old} → ${c.new}) may replace it (update behaviour: conditional${c.note ? `; ${c.note}` : ''}). Confirm with a change set (Replacement: Conditional or True) before deploying.`,
          });
        } else if (c.status === 'textual' && c.behaviour !== 'InPlace') {
          ctx.report(r, {
            path: c.path,
            key: `textual-only:${label(c)}`,
            severity: 'warning',
            related: related(c),
            message: `${label(c)} of ${pair.type} '${pair.logicalId}' changes only in form (${c.old} → ${c.new}; ${c.textual}). CloudFormation compares the template values of create-only properties, so a change set may still show a replacement. Keep the deployed form, or confirm with a change set.`,
          });
        }
      }
    }
  },
});
