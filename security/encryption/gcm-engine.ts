// Which AES-GCM engine record encryption uses.
import type { GcmEngine } from './gcm.js';
import { jsGcm } from './gcm-js.js';

export function gcmEngine(): GcmEngine {
  return jsGcm;
}
