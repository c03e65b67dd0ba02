// Which AES-GCM engine record encryption uses: the native batch binding when it is built (the
// normal case: deploy/setup.sh compiles it), else Node's crypto API. Both produce the same bytes;
// KGW_GCM_ENGINE=js|native forces one (native fails loudly when it is not built).
import type { GcmEngine } from './gcm.js';
import { jsGcm } from './gcm-js.js';
import { loadGcmBinding, nativeGcm } from './gcm-native.js';

export type GcmEngineChoice = 'auto' | 'js' | 'native';

let engine: GcmEngine | undefined;
/** One native engine per process, so `wipeKey` reaches every context it made whichever engine runs. */
let native: GcmEngine | undefined;

/** The native engine, or an Error saying why it is not available. */
export function nativeGcmEngine(): GcmEngine | Error {
  if (native) return native;
  const { binding, error } = loadGcmBinding();
  if (!binding) return new Error(`the AES-GCM binding is not built (${error})`);
  return (native = nativeGcm(binding));
}

/**
 * A data key is no longer used: frees what each engine derived from it (the native binding's
 * OpenSSL contexts, whose key schedules OpenSSL clears as it frees them), then overwrites the key's
 * bytes with zeros. What this cannot reach is in docs/encryption.md ("Key material in memory").
 */
export function wipeKey(key: Buffer): void {
  native?.retire(key);
  jsGcm.retire(key);
  key.fill(0);
}

export function selectGcmEngine(choice: GcmEngineChoice): GcmEngine {
  if (choice === 'js') return (engine = jsGcm);
  const native = nativeGcmEngine();
  if (native instanceof Error) {
    if (choice === 'native') throw native;
    return (engine = jsGcm);
  }
  return (engine = native);
}

export function gcmEngine(): GcmEngine {
  if (engine) return engine;
  const env = process.env.KGW_GCM_ENGINE;
  const choice: GcmEngineChoice = env === 'js' || env === 'native' ? env : 'auto';
  return selectGcmEngine(choice);
}
