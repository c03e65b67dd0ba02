/**
 * What a live fuzz run needs around the gateway process: a low-privilege user whose ACLs allow
 * everything on resources prefixed `fuzz-` (so fuzzed requests reach the broker) and nothing else
 * (so no fuzzed request can harm what other tests use on a shared cluster).
 */
import kafkajs from 'kafkajs';
import type { TestUser } from '../../test/harness/gateway.js';
import { ADMIN } from '../../test/harness/gateway.js';
import { startGatewayProcess, type GatewayProcess } from '../../test/harness/gateway-process.js';

const { Kafka, logLevel, AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } =
  kafkajs;

export const FUZZ_USER: TestUser = { name: 'fuzzer', password: 'fuzzer-pw' };
export const FUZZ_PREFIX = 'fuzz-';
/** Names mixed into generated requests: allowed by the ACLs below. */
export const FUZZ_ENTITY_NAMES = Array.from({ length: 8 }, (_, i) => `${FUZZ_PREFIX}${i}`);

/**
 * The gateway process for fuzzing: authorization on (allow.everyone.if.no.acl.found false), short
 * failed-login delays and no lockout of the fuzz user (mutated logins must not lock it out), and
 * an authentication deadline long enough for a loaded machine.
 */
export async function startFuzzedGateway(upstream: string): Promise<GatewayProcess> {
  const gw = await startGatewayProcess({
    upstream,
    users: [FUZZ_USER],
    allowEveryoneIfNoAclFound: false,
    limits:
      '{ authTimeoutMs: 30000, failedAuth: { baseDelayMs: 1, maxDelayMs: 20, lockoutThreshold: 1000000, windowMs: 60000, lockoutMs: 1000 } }',
  });
  const admin = new Kafka({
    brokers: [gw.bootstrap],
    logLevel: logLevel.NOTHING,
    sasl: { mechanism: 'scram-sha-512', username: ADMIN.name, password: ADMIN.password },
  }).admin();
  try {
    await admin.connect();
    const allow = (resourceType: number) => ({
      resourceType,
      resourceName: FUZZ_PREFIX,
      resourcePatternType: ResourcePatternTypes.PREFIXED,
      principal: `User:${FUZZ_USER.name}`,
      host: '*',
      operation: AclOperationTypes.ALL,
      permissionType: AclPermissionTypes.ALLOW,
    });
    await admin.createAcls({
      acl: [
        allow(AclResourceTypes.TOPIC),
        allow(AclResourceTypes.GROUP),
        allow(AclResourceTypes.TRANSACTIONAL_ID),
      ],
    });
  } catch (e) {
    await gw.stop();
    throw e;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  return gw;
}
