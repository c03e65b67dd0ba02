/**
 * Runs the codec fuzzer in a worker thread under a watchdog: a case that runs longer than
 * `hangMs` is a hang (the worker is terminated and the run resumes after that case), a worker that
 * dies (an uncaught error, out of memory) is a crash. Reports counts, the first findings and the
 * process's peak RSS.
 */
import { Worker } from 'node:worker_threads';
import type { CodecFuzzReport, Finding } from './codec-fuzz.js';

export interface CodecFuzzRun extends Omit<CodecFuzzReport, 'slowestCaseMs'> {
  hangs: number;
  slowestCaseMs: number;
  /** Peak resident set size of this process (worker included), MiB. */
  peakRssMiB: number;
}

export interface CodecFuzzRunOptions {
  seed: number;
  cases: number;
  /** A case running longer than this is a hang (default 10 s: a decode takes microseconds). */
  hangMs?: number;
  /** Progress lines to stderr every this many cases (0 = quiet). */
  progressEvery?: number;
}

export async function runCodecFuzz(opts: CodecFuzzRunOptions): Promise<CodecFuzzRun> {
  const hangMs = opts.hangMs ?? 10_000;
  const started = Date.now();
  const total: CodecFuzzRun = {
    seed: opts.seed,
    cases: 0,
    decoded: 0,
    rejected: 0,
    crashes: 0,
    validRejected: 0,
    roundTripMismatches: 0,
    findings: [],
    slowestCaseMs: 0,
    elapsedMs: 0,
    hangs: 0,
    peakRssMiB: 0,
  };
  let from = 0;
  while (from < opts.cases) {
    const heartbeat = new SharedArrayBuffer(4);
    const beat = new Int32Array(heartbeat);
    Atomics.store(beat, 0, from);
    const worker = new Worker(new URL('./codec-fuzz-worker.js', import.meta.url), {
      workerData: { seed: opts.seed, from, cases: opts.cases - from, heartbeat },
      resourceLimits: { maxOldGenerationSizeMb: 1024 },
    });
    const outcome = await new Promise<
      { kind: 'done'; report: CodecFuzzReport } | { kind: 'hang' | 'died'; at: number; error: string }
    >((resolve) => {
      let last = from;
      let lastChange = Date.now();
      let lastProgress = from;
      const watchdog = setInterval(() => {
        const now = Atomics.load(beat, 0);
        if (opts.progressEvery && now - lastProgress >= opts.progressEvery) {
          lastProgress = now;
          process.stderr.write(
            `[fuzz] codec: ${now} cases, ${Math.round((Date.now() - started) / 1000)} s\n`,
          );
        }
        if (now !== last) {
          last = now;
          lastChange = Date.now();
        } else if (Date.now() - lastChange > hangMs) {
          clearInterval(watchdog);
          void worker.terminate();
          resolve({ kind: 'hang', at: now, error: `no progress for ${hangMs} ms` });
        }
      }, 250);
      worker.once('message', (report: CodecFuzzReport) => {
        clearInterval(watchdog);
        resolve({ kind: 'done', report });
      });
      worker.once('error', (e) => {
        clearInterval(watchdog);
        resolve({ kind: 'died', at: Atomics.load(beat, 0), error: `${e.name}: ${e.message}` });
      });
    });
    if (outcome.kind === 'done') {
      merge(total, outcome.report);
      break;
    }
    await worker.terminate();
    const finding: Finding = {
      index: outcome.at,
      target: outcome.kind,
      ops: [],
      error: outcome.error,
      hex: '',
    };
    if (total.findings.length < 20) total.findings.push(finding);
    if (outcome.kind === 'hang') total.hangs++;
    else total.crashes++;
    // The cases before the stuck one ran but their counts died with the worker: count the case
    // range as run (crash/hang details are in findings), and resume after the culprit.
    total.cases += outcome.at + 1 - from;
    from = outcome.at + 1;
  }
  total.elapsedMs = Date.now() - started;
  total.peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  return total;
}

function merge(total: CodecFuzzRun, r: CodecFuzzReport): void {
  total.cases += r.cases;
  total.decoded += r.decoded;
  total.rejected += r.rejected;
  total.crashes += r.crashes;
  total.validRejected += r.validRejected;
  total.roundTripMismatches += r.roundTripMismatches;
  total.findings.push(...r.findings.slice(0, Math.max(0, 20 - total.findings.length)));
  total.slowestCaseMs = Math.max(total.slowestCaseMs, r.slowestCaseMs);
}
