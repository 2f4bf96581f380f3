/**
 * Elastic Load Balancing v2 facts kept as data (catalog 1.3, 2.4). AWS changes these lists; update them from the
 * CloudFormation schema and the ELB API reference. A value that is in none of the lists is unknown to archlint, and
 * rules treat it as Unknown rather than as a failure.
 */

export type LbType = 'application' | 'network' | 'gateway';
export const LB_TYPES: readonly LbType[] = ['application', 'network', 'gateway'];

export const LB_TYPE_NAME: Readonly<Record<LbType, string>> = {
  application: 'Application Load Balancer',
  network: 'Network Load Balancer',
  gateway: 'Gateway Load Balancer',
};

/** `AWS::ElasticLoadBalancingV2::Listener` `Protocol` values per load balancer type (gateway: none, GENEVE is implicit). */
export const LISTENER_PROTOCOLS: Readonly<Record<LbType, readonly string[]>> = {
  application: ['HTTP', 'HTTPS'],
  network: ['TCP', 'TLS', 'UDP', 'TCP_UDP', 'QUIC', 'TCP_QUIC'],
  gateway: [],
};

/** `AWS::ElasticLoadBalancingV2::TargetGroup` `Protocol` values per load balancer type. */
export const TARGET_GROUP_PROTOCOLS: Readonly<Record<LbType, readonly string[]>> = {
  application: ['HTTP', 'HTTPS'],
  network: ['TCP', 'TLS', 'UDP', 'TCP_UDP', 'QUIC', 'TCP_QUIC'],
  gateway: ['GENEVE'],
};

/** `HealthCheckProtocol` values accepted per load balancer type. */
export const HEALTH_CHECK_PROTOCOLS: Readonly<Record<LbType, readonly string[]>> = {
  application: ['HTTP', 'HTTPS'],
  network: ['TCP', 'HTTP', 'HTTPS'],
  gateway: ['TCP', 'HTTP', 'HTTPS'],
};

/** Every protocol name ELBv2 knows (listener, target group or health check); anything else is unrecognised. */
export const KNOWN_PROTOCOLS: ReadonlySet<string> = new Set([
  'HTTP',
  'HTTPS',
  'TCP',
  'TLS',
  'UDP',
  'TCP_UDP',
  'QUIC',
  'TCP_QUIC',
  'GENEVE',
]);

/** Protocols that carry UDP datagrams (client IP is always preserved, health checks default to TCP). */
export const UDP_PROTOCOLS: ReadonlySet<string> = new Set(['UDP', 'TCP_UDP', 'QUIC', 'TCP_QUIC']);
export const QUIC_PROTOCOLS: ReadonlySet<string> = new Set(['QUIC', 'TCP_QUIC']);

/** GENEVE: the encapsulation a Gateway Load Balancer uses towards its appliances. */
export const GENEVE_PORT = 6081;

/** Listener action types that exist only on Application Load Balancers. */
export const ALB_ONLY_ACTIONS: ReadonlySet<string> = new Set([
  'redirect',
  'fixed-response',
  'authenticate-oidc',
  'authenticate-cognito',
]);
export const AUTHENTICATE_ACTIONS: ReadonlySet<string> = new Set(['authenticate-oidc', 'authenticate-cognito']);
export const KNOWN_ACTIONS: ReadonlySet<string> = new Set(['forward', ...ALB_ONLY_ACTIONS]);

const ALL: readonly LbType[] = LB_TYPES;
const ALB_NLB: readonly LbType[] = ['application', 'network'];
const ALB: readonly LbType[] = ['application'];
const NLB: readonly LbType[] = ['network'];
const GWLB: readonly LbType[] = ['gateway'];

/**
 * `LoadBalancerAttributes` keys and the load balancer types that accept them (CloudFormation reference,
 * LoadBalancerAttribute.Key; ELB API ModifyLoadBalancerAttributes).
 */
export const LOAD_BALANCER_ATTRIBUTES: Readonly<Record<string, readonly LbType[]>> = {
  'deletion_protection.enabled': ALL,
  'load_balancing.cross_zone.enabled': ALL,
  'access_logs.s3.enabled': ALB_NLB,
  'access_logs.s3.bucket': ALB_NLB,
  'access_logs.s3.prefix': ALB_NLB,
  'ipv6.deny_all_igw_traffic': ALB_NLB,
  'zonal_shift.config.enabled': ALB_NLB,
  'minimum_load_balancer_capacity.capacity_units': ALB_NLB,
  'idle_timeout.timeout_seconds': ALB,
  'client_keep_alive.seconds': ALB,
  'connection_logs.s3.enabled': ALB,
  'connection_logs.s3.bucket': ALB,
  'connection_logs.s3.prefix': ALB,
  'health_check_logs.s3.enabled': ALB,
  'health_check_logs.s3.bucket': ALB,
  'health_check_logs.s3.prefix': ALB,
  'routing.http.desync_mitigation_mode': ALB,
  'routing.http.drop_invalid_header_fields.enabled': ALB,
  'routing.http.preserve_host_header.enabled': ALB,
  'routing.http.x_amzn_tls_version_and_cipher_suite.enabled': ALB,
  'routing.http.xff_client_port.enabled': ALB,
  'routing.http.xff_header_processing.mode': ALB,
  'routing.http2.enabled': ALB,
  'waf.fail_open.enabled': ALB,
  'dns_record.client_routing_policy': NLB,
  'secondary_ips.auto_assigned.per_subnet': NLB,
};

/**
 * `TargetGroupAttributes` keys and the load balancer types whose target groups accept them (CloudFormation
 * reference, TargetGroupAttribute.Key). The type of a target group follows from its protocol.
 */
export const TARGET_GROUP_ATTRIBUTES: Readonly<Record<string, readonly LbType[]>> = {
  'deregistration_delay.timeout_seconds': ALL,
  'stickiness.enabled': ALL,
  'stickiness.type': ALL,
  'load_balancing.cross_zone.enabled': ALB_NLB,
  'target_group_health.dns_failover.minimum_healthy_targets.count': ALB_NLB,
  'target_group_health.dns_failover.minimum_healthy_targets.percentage': ALB_NLB,
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.count': ALB_NLB,
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage': ALB_NLB,
  'load_balancing.algorithm.type': ALB,
  'load_balancing.algorithm.anomaly_mitigation': ALB,
  'slow_start.duration_seconds': ALB,
  'stickiness.app_cookie.cookie_name': ALB,
  'stickiness.app_cookie.duration_seconds': ALB,
  'stickiness.lb_cookie.duration_seconds': ALB,
  'lambda.multi_value_headers.enabled': ALB,
  'deregistration_delay.connection_termination.enabled': NLB,
  'preserve_client_ip.enabled': NLB,
  'proxy_protocol_v2.enabled': NLB,
  'target_health_state.unhealthy.connection_termination.enabled': NLB,
  'target_health_state.unhealthy.draining_interval_seconds': NLB,
  'target_failover.on_deregistration': GWLB,
  'target_failover.on_unhealthy': GWLB,
};

/** `stickiness.type` values per load balancer type. */
export const STICKINESS_TYPES: Readonly<Record<string, readonly LbType[]>> = {
  lb_cookie: ALB,
  app_cookie: ALB,
  source_ip: NLB,
  source_ip_dest_ip: GWLB,
  source_ip_dest_ip_proto: GWLB,
};

/** Normalise a load balancer `Type` value; undefined when it is not one of the three known types. */
export function lbTypeOf(v: unknown): LbType | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.trim().toLowerCase();
  return (LB_TYPES as readonly string[]).includes(s) ? (s as LbType) : undefined;
}

/** Normalise a protocol value to upper case; undefined for non-strings. */
export function protocolOf(v: unknown): string | undefined {
  return typeof v === 'string' ? v.trim().toUpperCase() : undefined;
}

/**
 * The load balancer type a target group protocol belongs to (HTTP/HTTPS: ALB; TCP...: NLB; GENEVE: GWLB);
 * undefined for an unrecognised protocol.
 */
export function lbTypeOfTargetProtocol(protocol: string | undefined): LbType | undefined {
  if (!protocol) return undefined;
  for (const t of LB_TYPES) if (TARGET_GROUP_PROTOCOLS[t].includes(protocol)) return t;
  return undefined;
}

/** Human name of the traffic a non-HTTP protocol carries, for messages. */
export function describeProtocol(protocol: string): string {
  switch (protocol) {
    case 'UDP':
      return 'UDP';
    case 'TCP_UDP':
      return 'TCP and UDP on one port';
    case 'TLS':
      return 'TLS pass-through or termination at layer 4';
    case 'QUIC':
    case 'TCP_QUIC':
      return 'QUIC pass-through';
    default:
      return 'raw TCP';
  }
}
