/**
 * The fencing round itself (the decision is fencing.ts): for each transactional id, what Kafka's
 * Admin.fenceProducers sends — FindCoordinator(transaction) and InitProducerId with that id, on the
 * flow's target cluster, where the task's transactions live. The coordinator bumps the id's epoch and
 * aborts whatever transaction a zombie holds open; every later write of the zombie fails with
 * PRODUCER_FENCED. The transactional producer's own init does exactly this, with its retries
 * (coordinator moved or loading, CONCURRENT_TRANSACTIONS while markers are written, lost
 * connections) through client/retry.ts until `retryForMs`; anything left failing is thrown, and the
 * caller (the leader) hands out no assignment: fail closed, as Connect's leader does not start the
 * new tasks when its fencing round fails. `listTransactionalIds` names the ids when no member
 * knows the previous layout.
 */
import type { Logger } from 'pino';
import { withRetries } from '../../client/retry.js';
import { errorName, ErrorCode, isRetriable } from '../../protocol/errors.js';
import { ApiKey } from '../../protocol/generated/api-keys.js';
import { defaultListTransactionsRequest } from '../../protocol/generated/messages.js';
import type { MirrorConfig } from '../config/config.js';
import { TRANSACTION_TIMEOUT_MS } from '../exactly-once/data-producer.js';
import { connectionOptions, NativeCluster } from '../kafka/native-cluster.js';
import { TransactionalProducer } from '../kafka/transactional-producer.js';
import type { FlowFencing } from './fencing.js';
import { transactionalId } from './work.js';

export interface FenceOptions {
  config: MirrorConfig;
  groupId: string;
  round: readonly FlowFencing[];
  /** How long retriable errors are retried, per id. */
  retryForMs: number;
  log: Logger;
}

/** Fences every id of the round; resolves with the ids fenced, throws if any could not be. */
export async function fenceProducers(o: FenceOptions): Promise<string[]> {
  const fenced: string[] = [];
  for (const { flow: name, tasks } of o.round) {
    const flow = o.config.flows.find((f) => f.name === name);
    const target = flow === undefined ? undefined : o.config.clusters.get(flow.target);
    if (target === undefined) throw new Error(`fencing ${name}: the flow or its target is not configured`);
    const cluster = new NativeCluster(target, connectionOptions(target, 'fencing'));
    try {
      for (const task of tasks) {
        const id = transactionalId(o.groupId, { flow: name, task });
        const producer = new TransactionalProducer(cluster, {
          transactionalId: id,
          transactionTimeoutMs: TRANSACTION_TIMEOUT_MS,
          ackTimeoutMs: target.requestTimeoutMs,
          deliveryTimeoutMs: o.retryForMs,
          log: o.log,
        });
        await producer.init(); // InitProducerId: the zombie holding `id`, if any, is fenced now
        fenced.push(id);
      }
    } finally {
      cluster.close();
    }
  }
  return fenced;
}

/**
 * Every transactional id the coordinators of a flow's target cluster know (any state): what
 * Kafka's Admin.listTransactions gathers, one ListTransactions per broker (each broker coordinates
 * the ids of its own transaction-state partitions). Used for the fencing round when no member knows
 * the previous layout (fencing.ts). Only the ids this principal may DESCRIBE are listed, as Kafka
 * filters them; an error a retry can fix (a coordinator still loading) is retried until `retryForMs`.
 */
export async function listTransactionalIds(
  config: MirrorConfig,
  flowName: string,
  retryForMs: number,
): Promise<string[]> {
  const flow = config.flows.find((f) => f.name === flowName);
  const target = flow === undefined ? undefined : config.clusters.get(flow.target);
  if (target === undefined) throw new Error(`listing ${flowName}: the flow or its target is not configured`);
  const cluster = new NativeCluster(target, connectionOptions(target, 'fencing'));
  try {
    return await withRetries({ retryForMs }, async () => {
      await cluster.refresh([]);
      const ids = new Set<string>();
      for (const nodeId of cluster.brokerIds()) {
        const conn = await cluster.connection(nodeId);
        const r = await conn.request(
          ApiKey.ListTransactions,
          conn.version(ApiKey.ListTransactions, 0, 1),
          defaultListTransactionsRequest(),
        );
        if (r.errorCode !== ErrorCode.NONE) {
          throw Object.assign(
            new Error(`ListTransactions on ${target.alias} broker ${nodeId}: ${errorName(r.errorCode)}`),
            { retriable: isRetriable(r.errorCode) },
          );
        }
        for (const t of r.transactionStates) ids.add(t.transactionalId);
      }
      return [...ids].sort();
    });
  } finally {
    cluster.close();
  }
}
