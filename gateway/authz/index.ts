/**
 * Authorization of every forwarded API with Kafka's ACL semantics, and ACL administration through
 * CreateAcls / DescribeAcls / DeleteAcls. (Issue #5: being built; until then no per-API filter.)
 */
import type { GatewayExtensions } from '../gateway.js';

export function aclExtensions(): GatewayExtensions {
  return {};
}
