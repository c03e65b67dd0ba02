/**
 * Burrow's v3 HTTP API for consumer status, same paths and response shapes, so tools written for
 * Burrow (dashboards, Burrower, alert bridges) can read kgw's monitor:
 *   GET /v3/kafka                                   cluster list
 *   GET /v3/kafka/{cluster}/consumer                consumer group list
 *   GET /v3/kafka/{cluster}/consumer/{group}/status status with only the partitions that are not OK
 *   GET /v3/kafka/{cluster}/consumer/{group}/lag    status with every partition
 * Every body carries error, message and request{url, host}; unknown names answer 404 as Burrow does.
 */
import { hostname } from 'node:os';
import { Router, type Request, type Response } from 'express';
import type { Commit, GroupStatus, PartitionStatus } from './evaluator.js';
import type { StatusStore } from './store.js';

const host = hostname();
const requestInfo = (req: Request) => ({ url: req.originalUrl, host });

function fail(req: Request, res: Response, code: number, message: string): void {
  res.status(code).json({ error: true, message, request: requestInfo(req) });
}

const offsetJson = (c: Commit | undefined) =>
  c ? { offset: c.offset, timestamp: c.timestampMs, observedAt: c.timestampMs, lag: c.lag } : null;

export const partitionJson = (p: PartitionStatus) => ({
  topic: p.topic,
  partition: p.partition,
  owner: p.owner,
  client_id: p.clientId,
  status: p.status,
  start: offsetJson(p.start),
  end: offsetJson(p.end),
  current_lag: p.currentLag,
  complete: p.complete,
});

export function groupStatusJson(s: GroupStatus, showAll: boolean) {
  return {
    cluster: s.cluster,
    group: s.group,
    status: s.status,
    complete: s.complete,
    partitions: s.partitions.filter((p) => showAll || p.status !== 'OK').map(partitionJson),
    partition_count: s.partitions.length,
    maxlag: s.maxlag ? partitionJson(s.maxlag) : null,
    totallag: s.totalLag,
  };
}

export function burrowRouter(store: StatusStore, clusters: () => readonly string[]): Router {
  const router = Router();
  router.get('/v3/kafka', (req, res) => {
    res.json({
      error: false,
      message: 'cluster list returned',
      clusters: [...clusters()],
      request: requestInfo(req),
    });
  });
  router.get('/v3/kafka/:cluster/consumer', (req, res) => {
    const cluster = req.params.cluster;
    if (!clusters().includes(cluster)) return fail(req, res, 404, 'cluster not found');
    res.json({
      error: false,
      message: 'consumer list returned',
      consumers: store.groups(cluster) ?? [],
      request: requestInfo(req),
    });
  });
  for (const [suffix, showAll] of [
    ['status', false],
    ['lag', true],
  ] as const) {
    router.get(`/v3/kafka/:cluster/consumer/:group/${suffix}`, (req, res) => {
      const status = store.evaluate(req.params.cluster, req.params.group);
      if (!status) return fail(req, res, 404, 'cluster or consumer not found');
      res.json({
        error: false,
        message: 'consumer status returned',
        status: groupStatusJson(status, showAll),
        request: requestInfo(req),
      });
    });
  }
  return router;
}
