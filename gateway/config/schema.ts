/**
 * The gateway's YAML configuration schema (documented in docs/gateway.md). Defaults are the secure
 * ones: TLS 1.2+, SASL required, no plaintext listener unless `allowPlaintext: true` is written.
 */
import { z } from 'zod';
import { filePath } from '../../config/file-path.js';
import { clusterConnectionShape, tlsSectionSchema } from '../../client/cluster-connection.js';
import { KerberosShortNamer } from '../../security/kerberos/short-namer.js';
import { encryptionConfigSchema } from '../encryption/config.js';

export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER', 'GSSAPI'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

const tlsServer = z
  .object({
    /** PEM files; re-read when they change on disk (certificate rotation without restart). */
    cert: filePath(),
    key: filePath(),
    /** CA bundle for verifying client certificates (mTLS). */
    ca: filePath().optional(),
    clientAuth: z.enum(['none', 'requested', 'required']).default('none'),
    minVersion: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2'),
    /** OpenSSL cipher list for TLS 1.2 (TLS 1.3 suites are fixed by Node). */
    ciphers: z.string().optional(),
    /** Kafka's ssl.principal.mapping.rules, applied to the client certificate's subject. */
    principalMappingRules: z.string().default('DEFAULT'),
  })
  .strict();

const addressing = z.discriminatedUnion('mode', [
  z
    .object({
      mode: z.literal('port-per-broker'),
      /** Host name clients are told to connect to (advertised in Metadata etc.). */
      advertisedHost: z.string().default('localhost'),
      /** Upstream node N is served on brokerPortBase + N. */
      brokerPortBase: z.number().int().min(1).max(65535),
    })
    .strict(),
  z
    .object({
      mode: z.literal('sni'),
      /** Node N is advertised as `<prefix>-<N>.<domain>`; bootstrap is `<bootstrapName>.<domain>`. */
      domain: z.string(),
      prefix: z.string().default('broker'),
      bootstrapName: z.string().default('bootstrap'),
      /** Port advertised to clients (defaults to the listener port; differs behind a load balancer). */
      advertisedPort: z.number().int().min(1).max(65535).optional(),
    })
    .strict(),
]);

const listener = z
  .object({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'letters, digits, _ and -'),
    bind: z.string().default('127.0.0.1'),
    /** The bootstrap port (port-per-broker) or the single TLS port (sni). */
    port: z.number().int().min(1).max(65535),
    tls: tlsServer.optional(),
    /** Must be set to accept connections without TLS. */
    allowPlaintext: z.boolean().default(false),
    /** SASL mechanisms offered; empty means clients are identified by their certificate (mTLS) or ANONYMOUS. */
    saslMechanisms: z.array(z.enum(SASL_MECHANISMS)).default(['SCRAM-SHA-512', 'SCRAM-SHA-256']),
    addressing,
  })
  .strict();

/**
 * The upstream cluster: the one cluster-connection shape every product uses
 * (client/cluster-connection.ts: bootstrap, TLS with mTLS, SASL PLAIN / SCRAM / OAUTHBEARER as the
 * gateway's service principal, client id), plus the gateway's one extension: tls.insecureSkipVerify,
 * kept for deployments that relied on it and warned about at every start.
 */
const upstream = z
  .object({
    ...clusterConnectionShape,
    tls: tlsSectionSchema({
      /** Accept any broker certificate (no chain, no host name check). Never in production. */
      insecureSkipVerify: z.boolean().default(false),
    }),
    connectTimeoutMs: z.number().int().positive().default(10_000),
  })
  .strict();

const oauthbearer = z
  .object({
    jwksUrl: z.string().url().optional(),
    /** Static verification keys (PEM public keys or JWKs) when no JWKS endpoint is used. */
    staticKeysFile: filePath().optional(),
    issuer: z.string().optional(),
    audience: z.string().optional(),
    clockSkewSeconds: z.number().int().min(0).default(30),
    /** Claim holding the principal name, as Kafka's sasl.oauthbearer.sub.claim.name. */
    principalClaim: z.string().default('sub'),
  })
  .strict()
  .refine((o) => o.jwksUrl !== undefined || o.staticKeysFile !== undefined, 'give jwksUrl or staticKeysFile');

/** SASL/GSSAPI (Kerberos): the gateway's own service keytab and Kafka's principal-to-local rules. */
const kerberos = z
  .object({
    /** Keytab with the service principal's keys; MIT Kerberos re-reads it at each authentication. */
    keytab: filePath(),
    /**
     * The principal clients get tickets for: <sasl.kerberos.service.name>/<host clients connect to>@REALM,
     * e.g. kafka/gateway.example.com@EXAMPLE.COM. "*" accepts any principal in the keytab (SNI
     * addressing, where every broker has its own host name).
     */
    servicePrincipal: z
      .string()
      .regex(/^(\*|[^\s/@]+(\/[^\s/@]+)?@[^\s/@]+)$/, 'expected service/host@REALM, or "*"'),
    /** Kafka's sasl.kerberos.principal.to.local.rules, one rule per element. */
    principalToLocalRules: z.array(z.string()).default(['DEFAULT']),
    /** The realm DEFAULT accepts; Kafka (and the gateway, when unset) takes krb5.conf's default_realm. */
    defaultRealm: z.string().optional(),
  })
  .strict()
  .superRefine((k, ctx) => {
    k.principalToLocalRules.forEach((rule, i) => {
      try {
        new KerberosShortNamer('', [rule]);
      } catch (e) {
        ctx.addIssue({ code: 'custom', path: ['principalToLocalRules', i], message: (e as Error).message });
      }
    });
  });

const limits = z
  .object({
    /** Largest request accepted, as Kafka's socket.request.max.bytes. */
    maxFrameBytes: z
      .number()
      .int()
      .positive()
      .default(100 * 1024 * 1024),
    /**
     * Largest frame accepted before the client has authenticated, as Kafka's
     * sasl.server.max.receive.size (SaslServerAuthenticator): a larger size prefix closes the
     * connection before any of the body is buffered. Only an OAUTHBEARER token may be this large;
     * other frames before login must fit in 8 KiB (ClientSession.maxSizeBeforeAuth).
     * maxFrameBytes applies only after login.
     */
    maxFrameBytesBeforeAuth: z
      .number()
      .int()
      .positive()
      .default(512 * 1024),
    /**
     * Partitions one CreateTopics/CreatePartitions request may ask for per topic; more is refused
     * with INVALID_PARTITIONS (a request for ~10⁹ exhausts a broker's heap, see
     * filters/partition-limit.ts). Kafka itself has no such limit.
     */
    maxPartitionsPerTopic: z.number().int().positive().default(10_000),
    maxConnections: z.number().int().positive().default(10_000),
    maxConnectionsPerIp: z.number().int().positive().default(1_000),
    /**
     * One deadline from TCP accept to successful authentication, covering the TLS handshake: a
     * connection that is silent, or trickles its ClientHello, is closed and its slot released.
     */
    authTimeoutMs: z.number().int().positive().default(10_000),
    /** Close connections idle this long, as Kafka's connections.max.idle.ms. */
    idleTimeoutMs: z.number().int().positive().default(600_000),
    /** Session lifetime sent to clients (KIP-368), as Kafka's connections.max.reauth.ms; 0 disables. */
    reauthMs: z.number().int().min(0).default(0),
    /**
     * Offer Fetch only up to v15 so that fetch responses never carry broker addresses (KIP-951
     * endpoints, v16+) and large ones are passed to the client as they arrive instead of being
     * assembled first. Consumers then find a moved leader through a metadata refresh, as before
     * Kafka 3.7. false keeps Fetch v16+ and store-and-forward.
     */
    fetchCutThrough: z.boolean().default(true),
    /** Bytes buffered towards the slower side before reading from the faster side pauses. */
    maxBufferedBytesPerConnection: z
      .number()
      .int()
      .positive()
      .default(4 * 1024 * 1024),
    failedAuth: z
      .object({
        /**
         * Delay before answering a failed authentication; doubles per recent failure of the same
         * principal from the same address, and per recent failure of any principal from that address.
         */
        baseDelayMs: z.number().int().min(0).default(100),
        maxDelayMs: z.number().int().min(0).default(5_000),
        /**
         * After this many failures of one principal from one address within windowMs, that principal
         * is refused from that address for lockoutMs. Other principals from the address are not.
         */
        lockoutThreshold: z.number().int().positive().default(10),
        windowMs: z.number().int().positive().default(60_000),
        lockoutMs: z.number().int().positive().default(300_000),
        /** Bound on the (principal, address) and address records kept; the oldest are dropped first. */
        maxTrackedEntries: z.number().int().min(100).default(20_000),
      })
      .strict()
      .default({
        baseDelayMs: 100,
        maxDelayMs: 5000,
        lockoutThreshold: 10,
        windowMs: 60_000,
        lockoutMs: 300_000,
        maxTrackedEntries: 20_000,
      }),
    /**
     * Distinct client-supplied values (topic names from requests) a metric label takes; beyond
     * this, further values are counted under the label value `__other__`.
     */
    maxLabelValues: z.number().int().min(1).default(1_000),
  })
  .strict();

export const gatewayConfigSchema = z
  .object({
    listeners: z.array(listener).min(1),
    upstream,
    oauthbearer: oauthbearer.optional(),
    kerberos: kerberos.optional(),
    credentials: z
      .object({
        /** Compacted topic on the upstream cluster holding SCRAM credentials (and ACLs). */
        topic: z.string().default('__kgw_security'),
        /** YAML file with the first administrator(s): [{ user, password, mechanisms }]. */
        seedFile: filePath().optional(),
        scramIterations: z.number().int().min(4096).default(8192),
      })
      .strict()
      .default({ topic: '__kgw_security', scramIterations: 8192 }),
    authorization: z
      .object({
        superUsers: z.array(z.string().regex(/^[A-Za-z]+:.+$/, 'a principal such as User:admin')).default([]),
        allowEveryoneIfNoAclFound: z.boolean().default(false),
      })
      .strict()
      .default({ superUsers: [], allowEveryoneIfNoAclFound: false }),
    audit: z
      .object({
        /** A file path (relative to the configuration file), or "stdout". */
        destination: filePath(['stdout']).default('stdout'),
        /** Fraction (0..1) of allowed decisions recorded as well. */
        sampleAllowed: z.number().min(0).max(1).default(0),
        /** Also publish audit events to this topic on the upstream cluster. */
        topic: z.string().optional(),
      })
      .strict()
      .default({ destination: 'stdout', sampleAllowed: 0 }),
    limits: limits.default(limits.parse({})),
    http: z
      .object({
        bind: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(9404),
      })
      .strict()
      .default({ bind: '127.0.0.1', port: 9404 }),
    log: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info') })
      .strict()
      .default({ level: 'info' }),
    /** Record encryption at rest (docs/encryption.md); absent: records pass unchanged. */
    encryption: encryptionConfigSchema.optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    c.listeners.forEach((l, i) => {
      if (!l.tls && !l.allowPlaintext) {
        ctx.addIssue({
          code: 'custom',
          path: ['listeners', i, 'tls'],
          message: 'listener has no tls section; add one, or set allowPlaintext: true to accept plaintext',
        });
      }
      if (l.addressing.mode === 'sni' && !l.tls) {
        ctx.addIssue({
          code: 'custom',
          path: ['listeners', i, 'addressing'],
          message: 'sni addressing needs tls',
        });
      }
      if (l.saslMechanisms.includes('GSSAPI') && !c.kerberos) {
        ctx.addIssue({
          code: 'custom',
          path: ['kerberos'],
          message: `GSSAPI is offered on listener ${l.name} but kerberos (keytab, servicePrincipal) is not configured`,
        });
      }
      if (l.saslMechanisms.includes('OAUTHBEARER') && !c.oauthbearer) {
        ctx.addIssue({
          code: 'custom',
          path: ['oauthbearer'],
          message: 'OAUTHBEARER is offered but not configured',
        });
      }
    });
    const names = new Set<string>();
    c.listeners.forEach((l, i) => {
      if (names.has(l.name))
        ctx.addIssue({
          code: 'custom',
          path: ['listeners', i, 'name'],
          message: `duplicate listener ${l.name}`,
        });
      names.add(l.name);
    });
  });

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
export type ListenerConfig = GatewayConfig['listeners'][number];
export type UpstreamConfig = GatewayConfig['upstream'];
export type LimitsConfig = GatewayConfig['limits'];
export type KerberosConfig = NonNullable<GatewayConfig['kerberos']>;
