// Walks the entity-typed fields of a decoded body (topic names, group ids, ...), driven by the
// generated entityFields table, so the authorization layer need not know every message's shape.
import { entityFields } from './generated/entities.js';
import type { EntityFieldRef } from './schema-types.js';

export type EntityType = 'topicName' | 'groupId' | 'transactionalId' | 'brokerId' | 'producerId';

/** The entity-typed fields of an API's request or response that exist in `version`. */
export function entityFieldsFor(
  apiKey: number,
  kind: 'request' | 'response',
  version: number,
): EntityFieldRef[] {
  const e = entityFields[apiKey];
  if (!e) return [];
  return e[kind].filter((f) => version >= f.versions[0] && version <= f.versions[1]);
}

/** Values found at a path like 'topics[].name' (arrays expanded; null/absent skipped). */
export function valuesAt(body: unknown, path: string): unknown[] {
  let current: unknown[] = [body];
  for (const seg of path.split('.')) {
    const isArray = seg.endsWith('[]');
    const key = isArray ? seg.slice(0, -2) : seg;
    const next: unknown[] = [];
    for (const obj of current) {
      if (obj === null || typeof obj !== 'object') continue;
      const v = (obj as Record<string, unknown>)[key];
      if (v === null || v === undefined) continue;
      if (isArray && Array.isArray(v)) next.push(...(v as unknown[]));
      else next.push(v);
    }
    current = next;
  }
  return current;
}

/** Every (entityType, value) pair in a decoded body. */
export function collectEntities(
  apiKey: number,
  kind: 'request' | 'response',
  version: number,
  body: unknown,
): { entityType: string; path: string; value: unknown }[] {
  const out: { entityType: string; path: string; value: unknown }[] = [];
  for (const f of entityFieldsFor(apiKey, kind, version)) {
    for (const value of valuesAt(body, f.path)) out.push({ entityType: f.entityType, path: f.path, value });
  }
  return out;
}
