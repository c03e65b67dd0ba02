/**
 * `node dist/bench/fuzz/codec.fuzz.js [--cases N] [--seed S]`: the full codec fuzz run (default
 * 1,000,000 cases); prints the report as JSON and exits non-zero on any crash, hang or rejected
 * valid frame. Figures and the command: bench/fuzz/README.md.
 */
import { parseArgs } from 'node:util';
import { runCodecFuzz } from './codec-fuzz-run.js';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '20240612' },
  },
});
const report = await runCodecFuzz({
  cases: Number(values.cases),
  seed: Number(values.seed),
  progressEvery: 50_000,
});
console.log(JSON.stringify(report, null, 2));
process.exitCode = report.crashes + report.hangs + report.validRejected > 0 ? 1 : 0;
