/**
 * Worker-thread side of the codec fuzzer: runs cases and beats a shared heartbeat (the index of
 * the case it is on) that the watchdog in codec-fuzz-run.ts reads; a decoder stuck in a loop stops
 * the heartbeat and is found there.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { fuzzCodec } from './codec-fuzz.js';

interface Job {
  seed: number;
  from: number;
  cases: number;
  heartbeat: SharedArrayBuffer;
}

const job = workerData as Job;
const beat = new Int32Array(job.heartbeat);
const report = await fuzzCodec({
  seed: job.seed,
  from: job.from,
  cases: job.cases,
  onCase: (index) => Atomics.store(beat, 0, index),
});
parentPort!.postMessage(report);
