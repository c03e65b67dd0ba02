/** Crafted frames and fakes for the authorization unit tests (no Kafka, no sockets). */
import { createHash } from 'node:crypto';
import {
  RequestFrame,
  ResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  decodeRequest,
  type RequestApiKey,
  type RequestTypes,
  type ResponseTypes,
} from '../../../protocol/index.js';
import type { AclOperation, ResourceType } from '../../../security/acl/index.js';
import {
  AclAuthorizer,
  AclPermissionType,
  PatternType,
  type AclBinding,
} from '../../../security/acl/index.js';
import type { Audit } from '../../../gateway/audit.js';
import type { GatewayMetrics } from '../../../gateway/metrics.js';
import type { FilterDecision, SessionInfo } from '../../../gateway/session/client-session.js';
import type { ClusterView } from '../../../gateway/upstream/cluster-view.js';
import { aclFilter } from '../../../gateway/authz/index.js';

export interface Recorded {
  denied: string[];
  allowed: string[];
  changes: string[];
  metrics: string[];
}

export function fakes(): { audit: Audit; metrics: GatewayMetrics; rec: Recorded } {
  const rec: Recorded = { denied: [], allowed: [], changes: [], metrics: [] };
  const audit = {
    denied: (_s: SessionInfo, api: string, rt: string, name: string, op: string) =>
      rec.denied.push(`${api} ${rt}:${name} ${op}`),
    allowed: (_s: SessionInfo, api: string, rt: string, name: string, op: string) =>
      rec.allowed.push(`${api} ${rt}:${name} ${op}`),
    adminChange: (_s: SessionInfo, api: string, rt: string, name: string, detail: string) =>
      rec.changes.push(`${api} ${rt}:${name} ${detail}`),
  } as unknown as Audit;
  const metrics = {
    aclDenied: (api: string, rt: string, op: string) => rec.metrics.push(`${api} ${rt} ${op}`),
    error: () => undefined,
  } as unknown as GatewayMetrics;
  return { audit, metrics, rec };
}

/**
 * A cluster view knowing some topic ids; any refresh attempt fails (no broker) unless `lookup`
 * holds ids a refresh would learn (topics created since the gateway last saw a Metadata answer).
 */
export function fakeCluster(
  ids: Record<string, string> = {},
  lookup: Record<string, string> = {},
): ClusterView {
  const known = { ...ids };
  return {
    topicName: (id: string) => known[id],
    learnTopic: () => undefined,
    connect: () => {
      if (Object.keys(lookup).length === 0) return Promise.reject(new Error('no broker in unit tests'));
      Object.assign(known, lookup);
      return Promise.reject(new Error('learned the looked-up ids; no broker to answer'));
    },
  } as unknown as ClusterView;
}

export function session(principal = 'User:alice', clientAddress = '127.0.0.1'): SessionInfo {
  return {
    id: 1,
    listener: 'external',
    clientAddress,
    identity: { principal, mechanism: 'SCRAM-SHA-512', expiresAt: undefined },
  };
}

export function acl(
  resourceType: ResourceType,
  resourceName: string,
  operation: AclOperation,
  opts: { principal?: string; pattern?: PatternType; deny?: boolean; host?: string } = {},
): AclBinding {
  return {
    resourceType,
    resourceName,
    patternType: opts.pattern ?? PatternType.LITERAL,
    principal: opts.principal ?? 'User:alice',
    host: opts.host ?? '*',
    operation,
    permissionType: opts.deny ? AclPermissionType.DENY : AclPermissionType.ALLOW,
  };
}

export interface Harness {
  authorizer: AclAuthorizer;
  rec: Recorded;
  run(frame: RequestFrame, s?: SessionInfo): Promise<FilterDecision>;
}

export function harness(
  acls: AclBinding[],
  opts: { ids?: Record<string, string>; lookup?: Record<string, string>; reserved?: string[] } = {},
): Harness {
  const authorizer = new AclAuthorizer({ superUsers: ['User:admin'] });
  for (const a of acls) authorizer.addAcl(a);
  const { audit, metrics, rec } = fakes();
  const filter = aclFilter(
    { authorizer, audit, metrics, reservedTopics: new Set(opts.reserved ?? []) },
    fakeCluster(opts.ids, opts.lookup),
  );
  return { authorizer, rec, run: async (frame, s = session()) => filter(frame, s) };
}

export function request<K extends RequestApiKey>(
  apiKey: K,
  apiVersion: number,
  body: RequestTypes[K],
): RequestFrame {
  const buf = encodeRequestFrame({ apiKey, apiVersion, correlationId: 42, clientId: 'unit' }, body);
  return new RequestFrame(buf.subarray(4));
}

/** The body the gateway would send upstream (re-encoded when changed). */
export function forwardedBody<K extends RequestApiKey>(frame: RequestFrame, apiKey: K): RequestTypes[K] {
  const buf = frame.toBuffer();
  return decodeRequest(apiKey, frame.apiVersion, buf.subarray(4), frame.header.headerLength);
}

/** Decodes a locally answered response. */
export function answered<K extends RequestApiKey>(
  d: FilterDecision,
  apiKey: K,
  version: number,
): ResponseTypes[K] {
  if (d.kind !== 'answer') throw new Error(`expected a local answer, got ${d.kind}`);
  const f = new ResponseFrame(d.response.subarray(4), apiKey, version);
  if (f.correlationId !== 42) throw new Error('correlation id not kept');
  return f.body(apiKey);
}

/** Runs the decision's response transform over a crafted upstream response. */
export function upstream<K extends RequestApiKey>(
  d: FilterDecision,
  apiKey: K,
  version: number,
  body: ResponseTypes[K],
): ResponseTypes[K] {
  if (d.kind !== 'forward') throw new Error('expected forward');
  const buf = encodeResponseFrame(apiKey, version, 42, body);
  const f = new ResponseFrame(buf.subarray(4), apiKey, version);
  if (d.transformResponse?.(f) instanceof Promise)
    throw new Error('asynchronous transform: use upstreamAsync');
  const out = f.toBuffer();
  return new ResponseFrame(out.subarray(4), apiKey, version).body(apiKey);
}

/** upstream() for transforms that look something up first (they return a promise). */
export async function upstreamAsync<K extends RequestApiKey>(
  d: FilterDecision,
  apiKey: K,
  version: number,
  body: ResponseTypes[K],
): Promise<ResponseTypes[K]> {
  if (d.kind !== 'forward') throw new Error('expected forward');
  const buf = encodeResponseFrame(apiKey, version, 42, body);
  const f = new ResponseFrame(buf.subarray(4), apiKey, version);
  await d.transformResponse?.(f);
  const out = f.toBuffer();
  return new ResponseFrame(out.subarray(4), apiKey, version).body(apiKey);
}

/** A valid topic id (Kafka's 22-character URL-safe base64 form) derived from a label. */
export const tid = (label: string): string => createHash('md5').update(label).digest('base64url');
