/**
 * The gateway answers ApiVersions itself: the versions it offers are those both the upstream and
 * the codec speak, so it never forwards a version it cannot read.
 */
import { ErrorCode } from '../../protocol/errors.js';
import {
  ApiKey,
  apiKeyInfo,
  apiKeyTable,
  encodeResponseFrame,
  type ApiVersionsResponse,
  type ApiVersionsResponseApiVersion,
} from '../../protocol/index.js';

/** APIs the gateway itself answers: offered at the codec's full range whatever the upstream says. */
export const LOCALLY_ANSWERED: ReadonlySet<number> = new Set([
  ApiKey.ApiVersions,
  ApiKey.SaslHandshake,
  ApiKey.SaslAuthenticate,
  ApiKey.DescribeUserScramCredentials,
  ApiKey.AlterUserScramCredentials,
  ApiKey.DescribeAcls,
  ApiKey.CreateAcls,
  ApiKey.DeleteAcls,
]);

/** APIs that exist for brokers only (the upstream advertises none of them on a client listener anyway). */
export function isClientApi(apiKey: number): boolean {
  const info = apiKeyInfo(apiKey);
  return info !== undefined && !info.removed && info.listeners.includes('broker');
}

/** Request versions per forwarded API that the gateway has an authorization rule for. */
export type RuledVersions = ReadonlyMap<number, readonly [number, number]>;

/**
 * Every connection starts with ApiVersions, but the answer only changes with the upstream's
 * versions: computed once per (upstream answer, caps, ruled versions).
 */
const intersections = new WeakMap<
  object,
  WeakMap<object, WeakMap<object, ApiVersionsResponseApiVersion[]>>
>();
const NO_UPSTREAM = {};
const NO_CAPS: ReadonlyMap<number, number> = new Map();

/**
 * The versions offered: what upstream and codec both speak, within `caps`, and for forwarded APIs
 * only the versions `ruled` has an authorization rule for (an API without one is not offered).
 */
export function intersectVersions(
  upstream: ApiVersionsResponse | undefined,
  caps: ReadonlyMap<number, number>,
  ruled: RuledVersions,
): ApiVersionsResponseApiVersion[] {
  const byCaps =
    intersections.get(upstream ?? NO_UPSTREAM) ??
    new WeakMap<object, WeakMap<object, ApiVersionsResponseApiVersion[]>>();
  intersections.set(upstream ?? NO_UPSTREAM, byCaps);
  const byRuled = byCaps.get(caps) ?? new WeakMap<object, ApiVersionsResponseApiVersion[]>();
  byCaps.set(caps, byRuled);
  let result = byRuled.get(ruled);
  if (!result) byRuled.set(ruled, (result = computeIntersection(upstream, caps, ruled)));
  return result;
}

function computeIntersection(
  upstream: ApiVersionsResponse | undefined,
  caps: ReadonlyMap<number, number>,
  ruled: RuledVersions,
): ApiVersionsResponseApiVersion[] {
  const theirs = new Map((upstream?.apiKeys ?? []).map((a) => [a.apiKey, a]));
  const out: ApiVersionsResponseApiVersion[] = [];
  for (const info of apiKeyTable) {
    if (info.removed || !isClientApi(info.apiKey)) continue;
    if (LOCALLY_ANSWERED.has(info.apiKey)) {
      out.push({ apiKey: info.apiKey, minVersion: info.minVersion, maxVersion: info.maxVersion });
      continue;
    }
    const t = theirs.get(info.apiKey);
    const rule = ruled.get(info.apiKey);
    if (!t || !rule) continue;
    const min = Math.max(t.minVersion, info.minVersion, rule[0]);
    const max = Math.min(t.maxVersion, info.maxVersion, rule[1], caps.get(info.apiKey) ?? Infinity);
    if (min <= max) out.push({ apiKey: info.apiKey, minVersion: min, maxVersion: max });
  }
  return out;
}

/**
 * The ApiVersions response frame for a client request. A version newer than ours is answered with
 * v0 and UNSUPPORTED_VERSION plus our range, as Kafka does, so the client retries with one we know.
 */
export function apiVersionsResponse(
  requestVersion: number,
  correlationId: number,
  upstream: ApiVersionsResponse | undefined,
  offered: { caps?: ReadonlyMap<number, number>; ruled: RuledVersions },
): Buffer {
  const ours = apiKeyInfo(ApiKey.ApiVersions)!;
  const apiKeys = intersectVersions(upstream, offered.caps ?? NO_CAPS, offered.ruled);
  if (requestVersion > ours.maxVersion) {
    return encodeResponseFrame(ApiKey.ApiVersions, 0, correlationId, {
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      apiKeys: apiKeys.filter((a) => a.apiKey === ApiKey.ApiVersions),
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1n,
      finalizedFeatures: [],
      zkMigrationReady: false,
    });
  }
  return encodeResponseFrame(ApiKey.ApiVersions, requestVersion, correlationId, {
    errorCode: ErrorCode.NONE,
    apiKeys,
    throttleTimeMs: 0,
    supportedFeatures: upstream?.supportedFeatures ?? [],
    finalizedFeaturesEpoch: upstream?.finalizedFeaturesEpoch ?? -1n,
    finalizedFeatures: upstream?.finalizedFeatures ?? [],
    zkMigrationReady: false,
  });
}
