/**
 * Assembles a running gateway from its configuration: security state (credentials, ACLs) replayed
 * from the upstream's security topic, the listeners, and the HTTP endpoints.
 */
import { createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { JSONWebKeySet } from 'jose';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { connectionWarnings } from '../client/cluster-connection.js';
import { ApiKey } from '../protocol/index.js';
import { withRetries } from '../client/retry.js';
import { AclAuthorizer, ACL_KEY_PREFIX, decodeAclRecord } from '../security/acl/index.js';
import { CredentialStore, SCRAM_KEY_PREFIX } from '../security/credentials/index.js';
import { createOAuthTokenValidator, parseOAuthBearerClientResponse } from '../security/sasl/index.js';
import { alterUserScramCredentials, describeUserScramCredentials } from './admin/scram-admin.js';
import { Audit } from './audit.js';
import { authorization } from './authz/index.js';
import { AuditTopicSink } from './audit-topic-sink.js';
import type { GatewayConfig } from './config/schema.js';
import { SecurityTopic } from './credentials/security-topic.js';
import { startRecordEncryption } from './encryption/index.js';
import { seedRecords } from './credentials/seed.js';
import { startHttp } from './http.js';
import { GatewayMetrics } from './metrics.js';
import { addressMapFor } from './net/address-map.js';
import { AuthFailureLimiter } from './net/auth-failure-limiter.js';
import { ConnectionLimiter } from './net/connection-limiter.js';
import { Listener } from './net/listener.js';
import { gssapiExchanges } from './sasl/gssapi.js';
import type { OAuthValidator } from './sasl/mechanisms.js';
import type { LocalApi, SessionDeps } from './session/client-session.js';
import { ClusterView } from './upstream/cluster-view.js';

/** Key of the shared secret behind fake SCRAM challenges (same on every instance). */
const FAKE_SECRET_KEY = 'secret:scram-fake-challenge';

export interface RunningGateway {
  readonly listeners: Listener[];
  readonly http: Server;
  readonly metrics: GatewayMetrics;
  readonly authorizer: AclAuthorizer;
  readonly credentials: CredentialStore;
  close(): Promise<void>;
}

/**
 * Authorization is not optional: the ACL filter and the ACL administration APIs are built here from
 * the configuration, so no caller can start a gateway that forwards without them.
 */
export async function startGateway(cfg: GatewayConfig, log: Logger): Promise<RunningGateway> {
  // What has been opened so far is closed again, newest first, when a later step fails: a gateway
  // that cannot start (a port taken, an unreadable security topic) leaves nothing running behind it.
  const opened: (() => unknown)[] = [];
  try {
    return await openGateway(cfg, log, opened);
  } catch (e) {
    for (const close of opened.reverse())
      await Promise.resolve()
        .then(close)
        .catch(() => undefined);
    throw e;
  }
}

async function openGateway(
  cfg: GatewayConfig,
  log: Logger,
  opened: (() => unknown)[],
): Promise<RunningGateway> {
  // Before any connection: a keytab that cannot be used stops the start with the config key named.
  const gssapi = cfg.kerberos ? gssapiExchanges(cfg.kerberos) : undefined;
  const metrics = new GatewayMetrics({ maxLabelValues: cfg.limits.maxLabelValues });
  // Opened first: a missing or unsafe keyring, or an absent token, stops the start at once.
  const encryption = cfg.encryption
    ? startRecordEncryption(cfg.encryption, log, { registry: metrics.registry })
    : undefined;
  if (encryption) opened.push(() => encryption.close());
  for (const warning of connectionWarnings(cfg.upstream)) log.warn({ key: 'upstream.tls' }, warning);
  const cluster = new ClusterView(cfg.upstream, cfg.limits.maxFrameBytes);
  const credentials = new CredentialStore();
  const authorizer = new AclAuthorizer({
    superUsers: cfg.authorization.superUsers,
    allowEveryoneIfNoAclFound: cfg.authorization.allowEveryoneIfNoAclFound,
  });
  await retryUntilUp(() => cluster.refresh(), log);
  log.info({ clusterId: cluster.clusterId, brokers: cluster.nodeIds() }, 'upstream cluster reachable');

  const auditSink = cfg.audit.topic ? new AuditTopicSink(cfg.upstream, cfg.audit.topic, log) : undefined;
  await auditSink?.start();
  if (auditSink) opened.push(() => auditSink.stop());
  const audit = new Audit({
    destination: cfg.audit.destination,
    sampleAllowed: cfg.audit.sampleAllowed,
    ...(auditSink ? { sink: auditSink.publish } : {}),
  });

  const topic = new SecurityTopic(cfg.upstream, cfg.credentials.topic, log);
  let fakeSecret: Buffer | undefined;
  topic.onRecord((key, value) => {
    if (key.startsWith(SCRAM_KEY_PREFIX)) credentials.applyRecord(key, value);
    else if (key.startsWith(ACL_KEY_PREFIX)) {
      const r = decodeAclRecord(key, value);
      if (r.op === 'put') authorizer.addAcl(r.acl);
      else authorizer.removeAcl(r.key);
    } else if (key === FAKE_SECRET_KEY && value) fakeSecret = value;
  });
  await topic.start();
  opened.push(() => topic.stop());
  if (!fakeSecret) await topic.write([{ key: FAKE_SECRET_KEY, value: randomBytes(32) }]);
  if (cfg.credentials.seedFile) {
    const seeds = seedRecords(cfg.credentials.seedFile, credentials, cfg.credentials.scramIterations);
    if (seeds.length > 0) {
      await topic.write(seeds);
      log.info({ credentials: seeds.length }, 'seeded administrator credentials');
    }
  }

  const authz = authorization({
    authorizer,
    audit,
    metrics,
    cluster,
    topic,
    reservedTopics: [cfg.credentials.topic, ...(cfg.audit.topic ? [cfg.audit.topic] : [])],
  });
  const localApis = new Map<number, LocalApi>([
    [
      ApiKey.DescribeUserScramCredentials,
      describeUserScramCredentials({ credentials, topic, authorizer, audit }),
    ],
    [ApiKey.AlterUserScramCredentials, alterUserScramCredentials({ credentials, topic, authorizer, audit })],
    ...authz.localApis,
  ]);
  const authLimiter = new AuthFailureLimiter(cfg.limits.failedAuth);
  const connectionLimiter = new ConnectionLimiter(cfg.limits.maxConnections, cfg.limits.maxConnectionsPerIp);
  const baseDeps: Omit<SessionDeps, 'listener' | 'addressMap'> = {
    limits: cfg.limits,
    cluster,
    mechanisms: {
      credentials,
      get fakeCredentialSecret() {
        return fakeSecret!;
      },
      fakeIterations: cfg.credentials.scramIterations,
      oauth: cfg.oauthbearer ? oauthValidator(cfg.oauthbearer) : undefined,
      gssapi,
    },
    metrics,
    authLimiter,
    log,
    localApis,
    authorization: {
      // Record encryption is a stage after authorization (gateway/encryption/filter.ts).
      filter: encryption ? encryption.filter(authz.filter, (id) => cluster.topicName(id)) : authz.filter,
      ruledVersions: authz.ruledVersions,
    },
  };

  const listeners: Listener[] = [];
  for (const l of cfg.listeners) {
    metrics.initListener(l.name, l.saslMechanisms);
    const map = addressMapFor(l);
    const listener = new Listener(l, map, { ...baseDeps, listener: l, addressMap: map }, connectionLimiter);
    await listener.start(cluster.nodeIds()).catch(async (e: unknown) => {
      await listener.close(); // its ports bound before the failure
      throw e;
    });
    listeners.push(listener);
    opened.push(() => listener.close());
  }
  // Brokers that join later get their ports as soon as any response mentions them.
  cluster.on('node-added', (nodeId) => {
    for (const l of listeners) {
      l.ensureNodePort(nodeId).catch((e: Error) =>
        log.error({ nodeId, err: e.message }, 'cannot bind port for new broker'),
      );
    }
  });
  const http = await startHttp(cfg.http.bind, cfg.http.port, metrics.registry, () => true);
  log.info({ http: `${cfg.http.bind}:${(http.address() as { port: number }).port}` }, 'gateway ready');

  return {
    listeners,
    http,
    metrics,
    authorizer,
    credentials,
    async close() {
      await Promise.all(listeners.map((l) => l.close()));
      await new Promise((r) => http.close(r));
      http.closeAllConnections();
      await topic.stop();
      await auditSink?.stop();
      await encryption?.close();
      audit.flush();
    },
  };
}

function oauthValidator(o: NonNullable<GatewayConfig['oauthbearer']>): OAuthValidator {
  const validate = createOAuthTokenValidator({
    ...(o.jwksUrl ? { jwksUrl: o.jwksUrl } : { keys: staticKeys(o.staticKeysFile!) }),
    issuer: o.issuer,
    audience: o.audience,
    clockSkewSeconds: o.clockSkewSeconds,
    subClaimName: o.principalClaim,
  });
  return async (authBytes) => {
    const { token } = parseOAuthBearerClientResponse(authBytes);
    const v = await validate(token);
    return { principal: v.principalName, expiresAt: v.expiresAtMs };
  };
}

/** A JWKS document (JSON) or one PEM public key. */
function staticKeys(file: string): JSONWebKeySet | KeyObject {
  const text = readFileSync(file, 'utf8');
  return text.trimStart().startsWith('{') ? (JSON.parse(text) as JSONWebKeySet) : createPublicKey(text);
}

/** Start waits for the upstream cluster however long it takes (brokers may start after us). */
function retryUntilUp(attempt: () => Promise<void>, log: Logger): Promise<void> {
  return withRetries(
    {
      initialBackoffMs: 500,
      maxBackoffMs: 10_000,
      isRetriable: () => true,
      onRetry: (e, _attempt, delayMs) =>
        log.warn({ err: (e as Error).message, retryInMs: delayMs }, 'upstream cluster not reachable yet'),
    },
    attempt,
  );
}
