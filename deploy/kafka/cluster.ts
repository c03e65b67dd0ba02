/**
 * Lifecycle of named local KRaft clusters: format storage, start the JVMs, wait until the cluster
 * answers metadata, stop cleanly, and kill -9 / restart single nodes for fault tests.
 *
 * State lives in ${KGW_HOME}/clusters/<name>/: cluster.json (spec and cluster id) and one directory
 * per node with server.properties, data/, kafka.log and the pid file. Status is read from pid files,
 * checked against /proc so a recycled pid is never mistaken for a broker.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  clusterSpec,
  BROKER_LOG4J1,
  BROKER_LOG4J2,
  bootstrapServers,
  brokerPort,
  newClusterId,
  nodeIds,
  serverProperties,
  type ClusterSpec,
} from './cluster-config.js';
import { nodesAnswer } from './readiness.js';
import { javaCommand, kafkaVersion, kgwHome } from './runtime.js';
import { KAFKA_TOOLS, runProcess, toolLog4jConfig } from './tools.js';

export interface NodeStatus {
  nodeId: number;
  port: number;
  pid: number | null;
  running: boolean;
  logFile: string;
}

export interface ClusterHandle {
  spec: ClusterSpec;
  clusterId: string;
  bootstrap: string;
  dir: string;
}

export interface StartOptions {
  /** Wipe any previous data first. Tests use this; `kgw kafka up` keeps data between runs. */
  fresh?: boolean;
  /**
   * Kill the cluster's JVMs when this process dies, however it dies (a watchdog polls it every
   * second). Test runs set it so an interrupted run never leaves a broker behind.
   */
  ownerPid?: number;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export class ClusterStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterStartError';
  }
}

export const clusterDir = (name: string): string => join(kgwHome(), 'clusters', name);
const nodeDir = (name: string, nodeId: number): string => join(clusterDir(name), `node-${nodeId}`);
const pidFile = (name: string, nodeId: number): string => join(nodeDir(name, nodeId), 'kafka.pid');
const watchdogPidFile = (name: string, nodeId: number): string => join(nodeDir(name, nodeId), 'watchdog.pid');
export const nodeLogFile = (name: string, nodeId: number): string => join(nodeDir(name, nodeId), 'kafka.log');

/** Starts (formatting first when needed) every node of the cluster and waits until all answer. */
export async function startCluster(spec: ClusterSpec, opts: StartOptions = {}): Promise<ClusterHandle> {
  const log = opts.log ?? (() => undefined);
  const dir = clusterDir(spec.name);
  const running = clusterStatus(spec).filter((n) => n.running);
  if (running.length > 0) {
    if (opts.fresh) await stopCluster(spec, { graceMs: 5000 });
    else if (running.length === spec.nodes) {
      log(`cluster ${spec.name} is already running`);
      return handle(spec);
    }
  }
  if (opts.fresh) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });

  const metaFile = join(dir, 'cluster.json');
  const existing = existsSync(metaFile)
    ? (JSON.parse(readFileSync(metaFile, 'utf8')) as { clusterId: string })
    : null;
  const clusterId = existing?.clusterId ?? newClusterId();
  writeFileSync(metaFile, JSON.stringify({ clusterId, version: kafkaVersion(), spec }, null, 2));
  writeFileSync(join(dir, 'log4j2.properties'), BROKER_LOG4J2);
  writeFileSync(join(dir, 'log4j2.properties.v1'), BROKER_LOG4J1);

  await Promise.all(nodeIds(spec).map((id) => formatNode(spec, id, clusterId, log)));
  for (const id of nodeIds(spec)) {
    if (!isNodeRunning(spec.name, id)) launchNode(spec, id, opts.ownerPid);
  }
  log(`waiting for cluster ${spec.name} (${bootstrapServers(spec)}) to answer metadata`);
  await waitForNodes(spec, nodeIds(spec), opts.timeoutMs ?? 90_000);
  log(`cluster ${spec.name} is up: ${bootstrapServers(spec)}`);
  return handle(spec);
}

function handle(spec: ClusterSpec): ClusterHandle {
  const dir = clusterDir(spec.name);
  const { clusterId } = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as { clusterId: string };
  return { spec, clusterId, bootstrap: bootstrapServers(spec), dir };
}

async function formatNode(spec: ClusterSpec, nodeId: number, clusterId: string, log: (l: string) => void) {
  const dir = nodeDir(spec.name, nodeId);
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const props = join(dir, 'server.properties');
  writeFileSync(props, serverProperties(spec, nodeId, dataDir));
  if (existsSync(join(dataDir, 'meta.properties'))) return;
  log(`formatting storage of ${spec.name} node ${nodeId}`);
  const { cmd, args } = javaCommand(
    KAFKA_TOOLS.storage,
    ['format', '-t', clusterId, '-c', props, '--ignore-formatted', ...(spec.formatArgs ?? [])],
    { heapMb: 256, fastStart: true, log4jConfig: toolLog4jConfig() },
  );
  const res = await runProcess(cmd, args, { timeoutMs: 60_000 });
  if (res.code !== 0) {
    throw new ClusterStartError(
      `formatting ${spec.name} node ${nodeId} failed (exit ${res.code}):\n${res.stderr || res.stdout}`,
    );
  }
}

function launchNode(spec: ClusterSpec, nodeId: number, ownerPid?: number): void {
  const dir = nodeDir(spec.name, nodeId);
  const out = openSync(nodeLogFile(spec.name, nodeId), 'a');
  const { cmd, args } = javaCommand(KAFKA_TOOLS.server, [join(dir, 'server.properties')], {
    heapMb: spec.heapMb,
    log4jConfig: join(clusterDir(spec.name), 'log4j2.properties'),
  });
  // detached: the broker leads its own process group, so Ctrl-C in a terminal reaches only us and
  // we decide how brokers stop; kill(-pid) then reaches the JVM and anything it spawned.
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  child.unref();
  if (child.pid === undefined)
    throw new ClusterStartError(`could not spawn java for ${spec.name} node ${nodeId}`);
  writeFileSync(pidFile(spec.name, nodeId), String(child.pid));
  if (ownerPid !== undefined) startWatchdog(spec.name, nodeId, child.pid, ownerPid);
}

/** A detached shell loop that SIGKILLs the broker's process group once the owner is gone. */
function startWatchdog(name: string, nodeId: number, brokerPid: number, ownerPid: number): void {
  const script = `while kill -0 ${ownerPid} 2>/dev/null && kill -0 ${brokerPid} 2>/dev/null; do sleep 1; done; kill -9 -${brokerPid} 2>/dev/null; exit 0`;
  const dog = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  dog.unref();
  if (dog.pid !== undefined) writeFileSync(watchdogPidFile(name, nodeId), String(dog.pid));
}

async function waitForNodes(spec: ClusterSpec, ids: number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = ids.filter((id) => !isNodeRunning(spec.name, id));
    if (dead.length > 0) {
      throw new ClusterStartError(
        `${spec.name} node ${dead[0]} exited during start-up. Last lines of ${nodeLogFile(spec.name, dead[0]!)}:\n` +
          tail(nodeLogFile(spec.name, dead[0]!), 30),
      );
    }
    if (await nodesAnswer(ids.map((id) => ({ address: `127.0.0.1:${brokerPort(spec, id)}`, nodeId: id }))))
      return;
    if (Date.now() > deadline) {
      throw new ClusterStartError(
        `${spec.name} did not answer metadata within ${timeoutMs} ms. Last lines of node ${ids[0]}'s log:\n` +
          tail(nodeLogFile(spec.name, ids[0]!), 30),
      );
    }
    await sleep(500);
  }
}

export interface StopOptions {
  /** How long to wait for a controlled shutdown before SIGKILL. */
  graceMs?: number;
}

/** Stops every node: SIGTERM (Kafka's controlled shutdown), then SIGKILL after the grace period. */
export async function stopCluster(spec: ClusterSpec, opts: StopOptions = {}): Promise<void> {
  const pids = nodeIds(spec)
    .map((id) => ({ id, pid: runningPid(spec.name, id) }))
    .filter((n): n is { id: number; pid: number } => n.pid !== null);
  for (const { pid } of pids) signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + (opts.graceMs ?? 30_000);
  while (pids.some(({ id }) => isNodeRunning(spec.name, id)) && Date.now() < deadline) await sleep(200);
  for (const { id, pid } of pids) if (isNodeRunning(spec.name, id)) signalGroup(pid, 'SIGKILL');
  while (pids.some(({ id }) => isNodeRunning(spec.name, id))) await sleep(50);
  for (const id of nodeIds(spec)) {
    stopWatchdog(spec.name, id);
    rmSync(pidFile(spec.name, id), { force: true });
  }
}

/** kill -9 one node, as a crashed machine would. */
export async function killNode(spec: ClusterSpec, nodeId: number): Promise<void> {
  const pid = runningPid(spec.name, nodeId);
  if (pid === null) throw new Error(`${spec.name} node ${nodeId} is not running`);
  signalGroup(pid, 'SIGKILL');
  while (isNodeRunning(spec.name, nodeId)) await sleep(50);
  stopWatchdog(spec.name, nodeId);
}

/** Starts a stopped or killed node again and waits until the cluster lists it. */
export async function restartNode(
  spec: ClusterSpec,
  nodeId: number,
  opts: Pick<StartOptions, 'ownerPid' | 'timeoutMs'> = {},
): Promise<void> {
  if (isNodeRunning(spec.name, nodeId)) throw new Error(`${spec.name} node ${nodeId} is already running`);
  launchNode(spec, nodeId, opts.ownerPid);
  await waitForNodes(spec, [nodeId], opts.timeoutMs ?? 90_000);
}

export function clusterStatus(spec: ClusterSpec): NodeStatus[] {
  return nodeIds(spec).map((id) => {
    const pid = runningPid(spec.name, id);
    return {
      nodeId: id,
      port: brokerPort(spec, id),
      pid,
      running: pid !== null,
      logFile: nodeLogFile(spec.name, id),
    };
  });
}

function runningPid(name: string, nodeId: number): number | null {
  const file = pidFile(name, nodeId);
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8'));
  try {
    // The pid must still be our broker: its command line names this node's server.properties.
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline.includes(join(nodeDir(name, nodeId), 'server.properties'))) return null;
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state === 'Z' ? null : pid;
  } catch {
    return null;
  }
}

const isNodeRunning = (name: string, nodeId: number): boolean => runningPid(name, nodeId) !== null;

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

function stopWatchdog(name: string, nodeId: number): void {
  const file = watchdogPidFile(name, nodeId);
  if (!existsSync(file)) return;
  try {
    process.kill(Number(readFileSync(file, 'utf8')), 'SIGKILL');
  } catch {
    /* already gone */
  }
  rmSync(file, { force: true });
}

export function tail(file: string, lines: number): string {
  if (!existsSync(file)) return `(no log at ${file})`;
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** The spec a cluster was last started with (its ports may differ from the presets). */
export function clusterSpecFromDisk(name: string): ClusterSpec {
  const meta = join(clusterDir(name), 'cluster.json');
  if (existsSync(meta)) return (JSON.parse(readFileSync(meta, 'utf8')) as { spec: ClusterSpec }).spec;
  return clusterSpec(name);
}
