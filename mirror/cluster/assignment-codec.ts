/**
 * What mirror workers put in JoinGroup (member metadata) and the leader in SyncGroup (assignment),
 * in kgw's own versioned serialization (protocol type "kgw-mirror"), as Connect's ConnectProtocol
 * versions its WorkerState and Assignment:
 *
 *   bytes 0-1   int16 big-endian format version (1)
 *   bytes 2-…   UTF-8 JSON
 *
 * Member metadata v1: {"workerId": "host:port", "url": "http://host:port" | null, "configHash": "<hex>",
 *                      "layout"?: {"generation": n, "flows": {"<flow>": {"tasks": n, "digest": "<hex>"}}}}
 *   layout: the source-task layout of the newest assignment the worker received, which the leader
 *   compares with the new one to decide the zombie fencing round (fencing.ts). Optional, so workers
 *   that do not send it still read and are read (they just tell the leader nothing).
 * Assignment v1:      {"error": "none" | "config_mismatch", "generation": n, "leader": "<workerId>",
 *                      "workers": [{"memberId", "workerId", "url", "units": [unit…]}]}
 *   unit: {"kind": "source", "flow": "east->west", "task": 0, "partitions": {"topic": [0, 3, …]}}
 *       | {"kind": "checkpoint" | "heartbeat", "flow": "east->west"}
 *
 * Every worker receives the whole assignment (each can answer the REST API); partitions are grouped
 * by topic (a few bytes each). A reader refuses any other version and any malformed field by name, so
 * a worker of a future format is told so instead of running half an assignment.
 */
import type { FlowLayout, TaskLayout } from './fencing.js';
import type { TopicPartition, WorkUnit } from './work.js';

export const FORMAT_VERSION = 1;

export interface MemberMetadata {
  workerId: string;
  url: string | null;
  /** Hash of the configuration: workers with different configurations get no work. */
  configHash: string;
  /** The layout of the newest assignment this worker received (undefined: none yet). */
  layout?: TaskLayout;
}

export interface WorkerAssignment {
  memberId: string;
  workerId: string;
  url: string | null;
  units: WorkUnit[];
}

export interface Assignment {
  /** config_mismatch: the receiving worker's configuration differs from the leader's; it runs nothing. */
  error: 'none' | 'config_mismatch';
  generation: number;
  /** The leader's worker id. */
  leader: string;
  workers: WorkerAssignment[];
}

export class AssignmentFormatError extends Error {
  override readonly name = 'AssignmentFormatError';
}

function frame(json: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(json), 'utf8');
  const out = Buffer.alloc(2 + body.length);
  out.writeInt16BE(FORMAT_VERSION, 0);
  body.copy(out, 2);
  return out;
}

function unframe(buf: Buffer, what: string): Record<string, unknown> {
  if (buf.length < 2)
    throw new AssignmentFormatError(`${what}: ${buf.length} bytes, too short for a version`);
  const version = buf.readInt16BE(0);
  if (version !== FORMAT_VERSION)
    throw new AssignmentFormatError(
      `${what}: format version ${version}, this worker reads ${FORMAT_VERSION}`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(buf.subarray(2).toString('utf8'));
  } catch (e) {
    throw new AssignmentFormatError(`${what}: not JSON (${(e as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new AssignmentFormatError(`${what}: expected an object`);
  return parsed as Record<string, unknown>;
}

function field<T>(o: Record<string, unknown>, key: string, what: string, ok: (v: unknown) => v is T): T {
  const v = o[key];
  if (!ok(v)) throw new AssignmentFormatError(`${what}: field "${key}" is missing or of the wrong type`);
  return v;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isStringOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';
const isInt = (v: unknown): v is number => Number.isInteger(v);
const isArray = (v: unknown): v is unknown[] => Array.isArray(v);
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function encodeMemberMetadata(m: MemberMetadata): Buffer {
  return frame({
    workerId: m.workerId,
    url: m.url,
    configHash: m.configHash,
    ...(m.layout === undefined ? {} : { layout: m.layout }),
  });
}

export function decodeMemberMetadata(buf: Buffer): MemberMetadata {
  const what = 'member metadata';
  const o = unframe(buf, what);
  const m: MemberMetadata = {
    workerId: field(o, 'workerId', what, isString),
    url: field(o, 'url', what, isStringOrNull),
    configHash: field(o, 'configHash', what, isString),
  };
  if (o.layout !== undefined) m.layout = decodeLayout(field(o, 'layout', what, isObject), `${what} layout`);
  return m;
}

function decodeLayout(o: Record<string, unknown>, what: string): TaskLayout {
  const flows: Record<string, FlowLayout> = {};
  for (const [flow, v] of Object.entries(field(o, 'flows', what, isObject))) {
    if (!isObject(v)) throw new AssignmentFormatError(`${what}: flow "${flow}" is not an object`);
    const tasks = field(v, 'tasks', what, isInt);
    if (tasks < 0) throw new AssignmentFormatError(`${what}: flow "${flow}" has ${tasks} tasks`);
    flows[flow] = { tasks, digest: field(v, 'digest', what, isString) };
  }
  return { generation: field(o, 'generation', what, isInt), flows };
}

function encodeUnit(u: WorkUnit): unknown {
  if (u.kind !== 'source') return { kind: u.kind, flow: u.flow };
  const byTopic: Record<string, number[]> = {};
  for (const tp of u.partitions) (byTopic[tp.topic] ??= []).push(tp.partition);
  return { kind: 'source', flow: u.flow, task: u.task, partitions: byTopic };
}

function decodeUnit(v: unknown, what: string): WorkUnit {
  if (!isObject(v)) throw new AssignmentFormatError(`${what}: a unit is not an object`);
  const kind = field(v, 'kind', what, isString);
  const flow = field(v, 'flow', what, isString);
  if (kind === 'checkpoint' || kind === 'heartbeat') return { kind, flow };
  if (kind !== 'source') throw new AssignmentFormatError(`${what}: unknown unit kind "${kind}"`);
  const task = field(v, 'task', what, isInt);
  const byTopic = field(v, 'partitions', what, isObject);
  const partitions: TopicPartition[] = [];
  for (const [topic, list] of Object.entries(byTopic)) {
    if (!isArray(list) || !list.every(isInt))
      throw new AssignmentFormatError(`${what}: partitions of "${topic}" are not a list of integers`);
    for (const partition of list) partitions.push({ topic, partition });
  }
  return { kind, flow, task, partitions };
}

export function encodeAssignment(a: Assignment): Buffer {
  return frame({
    error: a.error,
    generation: a.generation,
    leader: a.leader,
    workers: a.workers.map((w) => ({
      memberId: w.memberId,
      workerId: w.workerId,
      url: w.url,
      units: w.units.map(encodeUnit),
    })),
  });
}

export function decodeAssignment(buf: Buffer): Assignment {
  const what = 'assignment';
  const o = unframe(buf, what);
  const error = field(o, 'error', what, isString);
  if (error !== 'none' && error !== 'config_mismatch')
    throw new AssignmentFormatError(`${what}: unknown error "${error}"`);
  return {
    error,
    generation: field(o, 'generation', what, isInt),
    leader: field(o, 'leader', what, isString),
    workers: field(o, 'workers', what, isArray).map((w) => {
      if (!isObject(w)) throw new AssignmentFormatError(`${what}: a worker is not an object`);
      return {
        memberId: field(w, 'memberId', what, isString),
        workerId: field(w, 'workerId', what, isString),
        url: field(w, 'url', what, isStringOrNull),
        units: field(w, 'units', what, isArray).map((u) => decodeUnit(u, what)),
      };
    }),
  };
}
