/**
 * Garbage-collector tuning for a process that moves hundreds of MB/s through sockets.
 *
 * Every socket read Node performs allocates a fresh ArrayBuffer outside the JavaScript heap. V8
 * frees dead ones only at its next young-generation collection, and until then counts them against
 * the old generation's growth limit. The gateway allocates few JavaScript objects per megabyte
 * forwarded, so young collections are rare, the pile of dead read buffers keeps reaching the limit
 * (sized about 2× a ~20 MB live heap), and V8 answers with a full mark-compact of the whole heap
 * roughly every 7 MB of produce traffic. Measured on the produce path: 17 full collections per
 * 200 MB, about a third of the gateway's CPU.
 *
 * A larger growth factor gives the old generation room for those buffers, so full collections
 * become rare (2 per 200 MB) while the live heap stays the same. The cost is a higher ceiling on
 * heap size between collections (about 4× live, i.e. ~80 MB), which a gateway can afford.
 * The flag is read whenever V8 recomputes its limits, so setting it at start-up takes effect.
 */
import { setFlagsFromString } from 'node:v8';

const FLAG = 'heap-growing-percent';
/** Growth factor 1 + 300/100 = 4× the live heap after each full collection. */
const GROWING_PERCENT = 300;

/** Applies the tuning unless the operator chose their own value (node flag or NODE_OPTIONS). */
export function tuneHeapForThroughput(): void {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  if (given.some((a) => a.replace(/_/g, '-').startsWith(`--${FLAG}`))) return;
  setFlagsFromString(`--${FLAG}=${GROWING_PERCENT}`);
}
