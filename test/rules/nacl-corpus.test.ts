import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lint } from '../../src/api';
import { ROOT } from '../helpers/examples';

/**
 * The findings of the NACL family on the corpus templates that have NACL entries, each read and checked by hand
 * (see docs/nacl.md, "Corpus"). Any change here must be reviewed the same way.
 */
const EXPECTED: Record<string, string[]> = {
  'acft__VPC__VPC_With_Managed_NAT_And_Private_Subnet.yaml': [
    'nacl-subnet-association PrivateSubnet0:94 info',
    'nacl-subnet-association PrivateSubnet1:119 info',
  ],
  'cfnlint__quickstart__nist_vpc_production.yaml': [
    'nacl-entry-validity-and-order rNACLRuleAllowALLfromPrivEgress:400 info',
    'nacl-entry-validity-and-order rNACLRuleAllowEgressReturnTCP:463 info',
  ],
  'cfnlint__quickstart__vpc.json': [],
  'iac-eval__cloudformation__ec2-networkaclentry.yaml': ['nacl-entry-validity-and-order InboundSSHRule:72 info'],
  'prx__spire__templates__shared-vpc__private-network-acl.yml': [
    'nacl-entry-validity-and-order InboudIpV4TcpAwsLambdaEphemeralPortsNetworkAclEntry:90 info',
    'nacl-entry-validity-and-order InboudIpV6TcpAwsLambdaEphemeralPortsNetworkAclEntry:102 info',
    'nacl-entry-validity-and-order InboundIpV4AuroraNetworkAclEntry:117 info',
    'nacl-entry-validity-and-order InboundIpV6AuroraNetworkAclEntry:129 info',
    'nacl-entry-validity-and-order InboundIpV4PostgresqlNetworkAclEntry:144 info',
    'nacl-entry-validity-and-order InboundIpV6PostgresqlNetworkAclEntry:156 info',
    'nacl-entry-validity-and-order InboundIpV4RedisNetworkAclEntry:173 info',
    'nacl-entry-validity-and-order InboundIpV6RedisNetworkAclEntry:185 info',
    'nacl-entry-validity-and-order InboundIpV4MemcachedNetworkAclEntry:202 info',
    'nacl-entry-validity-and-order InboundIpV6MemcachedNetworkAclEntry:214 info',
    'nacl-entry-validity-and-order InboundIpV4ElasticsearchNetworkAclEntry:231 info',
    'nacl-entry-validity-and-order InboundIpV6ElasticsearchNetworkAclEntry:243 info',
    'nacl-entry-validity-and-order InboundIpV4SphinxNetworkAclEntry:284 info',
    'nacl-entry-validity-and-order InboundIpV6SphinxNetworkAclEntry:296 info',
  ],
  'prx__spire__templates__shared-vpc__public-network-acl.yml': [
    'nacl-entry-validity-and-order InboudIpV4TcpAmazonLinuxEphemeralPortsNetworkAclEntry:148 info',
    'nacl-entry-validity-and-order InboudIpV6TcpAmazonLinuxEphemeralPortsNetworkAclEntry:160 info',
    'nacl-ephemeral-return-traffic InboundIpV4NtpNetworkAclEntry:219 warning',
    'nacl-ephemeral-return-traffic InboundIpV6NtpNetworkAclEntry:231 warning',
    'nacl-entry-validity-and-order OutboundIpV4MysqlNetworkAclEntry:328 info',
    'nacl-entry-validity-and-order OutboundIpV6MysqlNetworkAclEntry:340 info',
    'nacl-entry-validity-and-order OutboundIpV4PostgresqlNetworkAclEntry:357 info',
    'nacl-entry-validity-and-order OutboundIpV6PostgresqlNetworkAclEntry:369 info',
    'nacl-entry-validity-and-order OutboundIpV4RedisNetworkAclEntry:385 info',
    'nacl-entry-validity-and-order OutboundIpV6RedisNetworkAclEntry:397 info',
    'nacl-entry-validity-and-order OutboundIpV4MemcachedNetworkAclEntry:414 info',
    'nacl-entry-validity-and-order OutboundIpV6MemcachedNetworkAclEntry:426 info',
    'nacl-entry-validity-and-order OutboundIpV4ElasticsearchNetworkAclEntry:443 info',
    'nacl-entry-validity-and-order OutboundIpV6ElasticsearchNetworkAclEntry:455 info',
    'nacl-entry-validity-and-order OutboundIpV4SphinxNetworkAclEntry:472 info',
    'nacl-entry-validity-and-order OutboundIpV6SphinxNetworkAclEntry:484 info',
    'nacl-entry-validity-and-order OutboundIpV4SolrNetworkAclEntry:501 info',
    'nacl-entry-validity-and-order OutboundIpV6SolrNetworkAclEntry:513 info',
    'nacl-ephemeral-return-traffic OutboundIpV4NtpNetworkAclEntry:631 warning',
    'nacl-ephemeral-return-traffic OutboundIpV6NtpNetworkAclEntry:643 warning',
  ],
  'prx__theworld__terra__templates__shared-vpc__private-network-acl.yml': [
    'nacl-entry-validity-and-order InboundIpV4AuroraNetworkAclEntry:118 info',
    'nacl-entry-validity-and-order InboundIpV6AuroraNetworkAclEntry:130 info',
    'nacl-entry-validity-and-order InboundIpV4RedisNetworkAclEntry:147 info',
    'nacl-entry-validity-and-order InboundIpV6RedisNetworkAclEntry:159 info',
  ],
  'prx__theworld__terra__templates__shared-vpc__public-network-acl.yml': [
    'nacl-entry-validity-and-order InboudIpV4TcpAmazonLinuxEphemeralPortsNetworkAclEntry:149 info',
    'nacl-entry-validity-and-order InboudIpV6TcpAmazonLinuxEphemeralPortsNetworkAclEntry:161 info',
    'nacl-ephemeral-return-traffic InboundIpV4NtpNetworkAclEntry:193 warning',
    'nacl-ephemeral-return-traffic InboundIpV6NtpNetworkAclEntry:205 warning',
    'nacl-entry-validity-and-order OutboundIpV4MysqlNetworkAclEntry:302 info',
    'nacl-entry-validity-and-order OutboundIpV6MysqlNetworkAclEntry:314 info',
    'nacl-entry-validity-and-order OutboundIpV4RedisNetworkAclEntry:330 info',
    'nacl-entry-validity-and-order OutboundIpV6RedisNetworkAclEntry:342 info',
    'nacl-ephemeral-return-traffic OutboundIpV4NtpNetworkAclEntry:489 warning',
    'nacl-ephemeral-return-traffic OutboundIpV6NtpNetworkAclEntry:501 warning',
  ],
  'qs-vpc__templates__aws-vpc.template.yaml': [],
  'widdix__vpc__vpc-2azs.yaml': [],
  'widdix__vpc__vpc-3azs.yaml': [],
  'widdix__vpc__vpc-4azs.yaml': [],
};

const corpus = join(ROOT, '..', 'shared', 'corpus', 'templates');

describe.skipIf(!existsSync(corpus))('NACL family on the corpus (skipped: ../shared/corpus is absent)', () => {
  for (const [file, expected] of Object.entries(EXPECTED)) {
    it(file, () => {
      const path = join(corpus, file);
      const r = lint({ file: path, text: readFileSync(path, 'utf8') });
      expect(r.errors).toEqual([]);
      const got = r.findings
        .filter((f) => f.ruleId.startsWith('nacl-') || f.ruleId.startsWith('archlint-'))
        .map((f) => `${f.ruleId} ${f.logicalId}:${f.line} ${f.severity}`);
      expect(got).toEqual(expected);
    });
  }
});
