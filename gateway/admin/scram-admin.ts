/**
 * DescribeUserScramCredentials and AlterUserScramCredentials, answered by the gateway so that
 * `kafka-configs.sh --entity-type users --alter --add-config 'SCRAM-SHA-512=[password=…]'` manages the
 * gateway's users. As in Kafka: ALTER on the cluster to change, DESCRIBE on the cluster to list;
 * only salted keys are kept (the client sends salt and salted password, never the password).
 */
import { ErrorCode } from '../../protocol/errors.js';
import { ApiKey, encodeResponseFrame, type RequestFrame } from '../../protocol/index.js';
import {
  AclOperation,
  ResourceType,
  CLUSTER_RESOURCE_NAME,
  type AclAuthorizer,
} from '../../security/acl/index.js';
import { javaHostAddress } from '../../security/acl/host.js';
import type { CredentialStore } from '../../security/credentials/index.js';
import { credentialFromSaltedPassword, type ScramMechanismName } from '../../security/scram/index.js';
import type { Audit } from '../audit.js';
import type { SecurityTopic } from '../credentials/security-topic.js';
import type { LocalApi, SessionInfo } from '../session/client-session.js';

/** Kafka's ScramMechanism enum codes on the wire. */
const MECHANISM_BY_CODE: Record<number, ScramMechanismName> = { 1: 'SCRAM-SHA-256', 2: 'SCRAM-SHA-512' };
const CODE_BY_MECHANISM: Record<ScramMechanismName, number> = { 'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2 };
const MAX_ITERATIONS = 16384; // Kafka's ScramMechanism.maxIterations

export interface ScramAdminDeps {
  credentials: CredentialStore;
  topic: SecurityTopic;
  authorizer: AclAuthorizer;
  audit: Audit;
}

function clusterAllowed(deps: ScramAdminDeps, session: SessionInfo, operation: AclOperation): boolean {
  return (
    deps.authorizer.authorize({
      principal: session.identity!.principal,
      host: javaHostAddress(session.clientAddress),
      resourceType: ResourceType.CLUSTER,
      resourceName: CLUSTER_RESOURCE_NAME,
      operation,
    }).result === 'ALLOWED'
  );
}

export function describeUserScramCredentials(deps: ScramAdminDeps): LocalApi {
  return async (frame: RequestFrame, session) => {
    const req = frame.body(ApiKey.DescribeUserScramCredentials);
    const reply = (
      body: Parameters<typeof encodeResponseFrame<typeof ApiKey.DescribeUserScramCredentials>>[3],
    ): Buffer =>
      encodeResponseFrame(ApiKey.DescribeUserScramCredentials, frame.apiVersion, frame.correlationId, body);
    if (!clusterAllowed(deps, session, AclOperation.DESCRIBE)) {
      deps.audit.denied(
        session,
        'DescribeUserScramCredentials',
        'CLUSTER',
        CLUSTER_RESOURCE_NAME,
        'DESCRIBE',
      );
      return reply({
        throttleTimeMs: 0,
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorMessage: 'Cluster authorization failed.',
        results: [],
      });
    }
    // Kafka describes every user for a null list and for an empty one alike (kafka-configs.sh
    // --describe --entity-type users sends an empty list).
    const all = req.users === null || req.users.length === 0;
    const names = all ? deps.credentials.listUsers() : req.users!.map((u) => u.name);
    const seen = new Set<string>();
    const results = names.map((user) => {
      if (seen.has(user)) {
        return {
          user,
          errorCode: ErrorCode.DUPLICATE_RESOURCE,
          errorMessage: 'Cannot describe SCRAM credentials for the same user twice in a single request',
          credentialInfos: [],
        };
      }
      seen.add(user);
      const infos = deps.credentials.describe(user);
      if (!infos || infos.length === 0) {
        return {
          user,
          errorCode: ErrorCode.RESOURCE_NOT_FOUND,
          errorMessage: `Attempt to describe a user credential that does not exist: ${user}`,
          credentialInfos: [],
        };
      }
      return {
        user,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        credentialInfos: infos.map((i) => ({
          mechanism: CODE_BY_MECHANISM[i.mechanism],
          iterations: i.iterations,
        })),
      };
    });
    return reply({ throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results });
  };
}

export function alterUserScramCredentials(deps: ScramAdminDeps): LocalApi {
  return async (frame: RequestFrame, session) => {
    const req = frame.body(ApiKey.AlterUserScramCredentials);
    const users = [...new Set([...req.deletions.map((d) => d.name), ...req.upsertions.map((u) => u.name)])];
    const reply = (results: { user: string; errorCode: number; errorMessage: string | null }[]): Buffer =>
      encodeResponseFrame(ApiKey.AlterUserScramCredentials, frame.apiVersion, frame.correlationId, {
        throttleTimeMs: 0,
        results,
      });
    if (!clusterAllowed(deps, session, AclOperation.ALTER)) {
      deps.audit.denied(session, 'AlterUserScramCredentials', 'CLUSTER', CLUSTER_RESOURCE_NAME, 'ALTER');
      return reply(
        users.map((user) => ({
          user,
          errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
          errorMessage: 'Cluster authorization failed.',
        })),
      );
    }
    const errors = new Map<string, { code: number; message: string }>();
    const fail = (user: string, code: number, message: string): void =>
      void (errors.has(user) || errors.set(user, { code, message }));
    const records: { key: string; value: Buffer | null }[] = [];
    const touched = new Map<string, Set<number>>();
    const mark = (user: string, mechanism: number): boolean => {
      const set = touched.get(user) ?? new Set<number>();
      touched.set(user, set);
      if (set.has(mechanism)) return false;
      set.add(mechanism);
      return true;
    };
    for (const d of req.deletions) {
      const mechanism = MECHANISM_BY_CODE[d.mechanism];
      if (d.name === '') fail(d.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty');
      else if (!mechanism)
        fail(d.name, ErrorCode.UNSUPPORTED_SASL_MECHANISM, `Unknown SCRAM mechanism code ${d.mechanism}`);
      else if (!mark(d.name, d.mechanism))
        fail(
          d.name,
          ErrorCode.DUPLICATE_RESOURCE,
          'A user credential cannot be altered twice in the same request',
        );
      else if (!deps.credentials.get(d.name, mechanism))
        fail(d.name, ErrorCode.RESOURCE_NOT_FOUND, 'Attempt to delete a user credential that does not exist');
      else records.push({ key: deps.credentials.delete(d.name, mechanism)!.key, value: null });
    }
    for (const u of req.upsertions) {
      const mechanism = MECHANISM_BY_CODE[u.mechanism];
      if (u.name === '') fail(u.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty');
      else if (!mechanism)
        fail(u.name, ErrorCode.UNSUPPORTED_SASL_MECHANISM, `Unknown SCRAM mechanism code ${u.mechanism}`);
      else if (!mark(u.name, u.mechanism))
        fail(
          u.name,
          ErrorCode.DUPLICATE_RESOURCE,
          'A user credential cannot be altered twice in the same request',
        );
      else if (u.iterations < 4096 || u.iterations > MAX_ITERATIONS) {
        fail(
          u.name,
          ErrorCode.UNACCEPTABLE_CREDENTIAL,
          `Iterations ${u.iterations} not in [4096, ${MAX_ITERATIONS}] for ${mechanism}`,
        );
      } else {
        try {
          const credential = credentialFromSaltedPassword(mechanism, u.salt, u.saltedPassword, u.iterations);
          records.push(deps.credentials.set(u.name, mechanism, credential));
        } catch (e) {
          fail(u.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, (e as Error).message);
        }
      }
    }
    // All or nothing per request is not Kafka's rule: it applies every valid change and reports
    // per-user errors. A user with any error has none of its changes applied.
    const valid = records.filter((r) => !errors.has(userOfKey(r.key)));
    if (valid.length > 0) await deps.topic.write(valid);
    for (const user of users) {
      const err = errors.get(user);
      deps.audit.adminChange(
        session,
        'AlterUserScramCredentials',
        'USER',
        user,
        err ? `failed: ${err.message}` : 'credentials altered',
      );
    }
    return reply(
      users.map((user) => {
        const err = errors.get(user);
        return { user, errorCode: err?.code ?? ErrorCode.NONE, errorMessage: err?.message ?? null };
      }),
    );
  };
}

const userOfKey = (key: string): string => key.slice('scram:'.length, key.lastIndexOf(':'));
