// The native batch engine (native/kgw_gcm.c, compiled by deploy/setup.sh): one OpenSSL cipher
// context per data key, kept for as long as the key's Buffer is alive (a WeakMap entry, freed by the
// binding's finalizer) or until `retire` releases it. Loaded on first use; when it is not built, the
// gateway uses Node's crypto API (gcm-js.ts), which produces the same bytes.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { GcmEngine, GcmJobs } from './gcm.js';

/** An opaque pair of EVP_CIPHER_CTX (seal, open) holding one key schedule. */
interface NativeContext {
  readonly __gcmContext: never;
}

export interface GcmBinding {
  newContext(key: Buffer): NativeContext;
  release(context: NativeContext): void;
  seal(c: NativeContext, heads: Buffer[], keys: (Buffer | null)[], inputs: Buffer[], outputs: Buffer[]): void;
  open(
    c: NativeContext,
    heads: Buffer[],
    keys: (Buffer | null)[],
    inputs: Buffer[],
    outputs: Buffer[],
  ): number;
}

/** Where deploy/setup.sh puts the compiled binding (this file runs from dist/security/encryption/). */
export const GCM_BINDING_PATH = fileURLToPath(
  new URL('../../../security/encryption/native/build/kgw_gcm.node', import.meta.url),
);

let loaded: { binding?: GcmBinding; error?: string } | undefined;

/** The binding, or why it cannot be loaded. */
export function loadGcmBinding(): { binding?: GcmBinding; error?: string } {
  if (!loaded) {
    try {
      loaded = { binding: createRequire(import.meta.url)(GCM_BINDING_PATH) as GcmBinding };
    } catch (e) {
      loaded = { error: `${GCM_BINDING_PATH}: ${(e as Error).message}` };
    }
  }
  return loaded;
}

export function nativeGcm(binding: GcmBinding): GcmEngine {
  const contexts = new WeakMap<Buffer, NativeContext>();
  const contextOf = (key: Buffer): NativeContext => {
    let c = contexts.get(key);
    if (!c) {
      c = binding.newContext(key);
      contexts.set(key, c);
    }
    return c;
  };
  return {
    kind: 'native',
    seal(key: Buffer, j: GcmJobs): void {
      binding.seal(contextOf(key), j.heads, j.recordKeys, j.inputs, j.outputs);
    },
    open(key: Buffer, j: GcmJobs): number {
      return binding.open(contextOf(key), j.heads, j.recordKeys, j.inputs, j.outputs);
    },
    retire(key: Buffer): void {
      const c = contexts.get(key);
      if (c) binding.release(c);
      contexts.delete(key);
    },
    holds: (key: Buffer): boolean => contexts.has(key),
  };
}
