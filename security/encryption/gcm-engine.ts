// Which AES-GCM engine record encryption uses: the native batch binding when it is built (the
// normal case: deploy/setup.sh compiles it), else Node's crypto API. Both produce the same bytes;
// KGW_GCM_ENGINE=js|native forces one (native fails loudly when it is not built).
import type { GcmEngine } from './gcm.js';
import { jsGcm } from './gcm-js.js';
import { loadGcmBinding, nativeGcm } from './gcm-native.js';

export type GcmEngineChoice = 'auto' | 'js' | 'native';

let engine: GcmEngine | undefined;

/** The native engine, or an Error saying why it is not available. */
export function nativeGcmEngine(): GcmEngine | Error {
  const { binding, error } = loadGcmBinding();
  return binding ? nativeGcm(binding) : new Error(`the AES-GCM binding is not built (${error})`);
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
