/**
 * The audit trail: one JSON line per denied decision and per administrative change (time,
 * principal, client address, API, resource, operation, decision), to a file or stdout and
 * optionally to a Kafka topic; allowed decisions are sampled at a configured rate.
 */
import pino, { type Logger } from 'pino';
import type { SessionInfo } from './session/client-session.js';
import { untrusted } from './untrusted.js';

/**
 * Resource names and principals in audit lines come from clients. Kafka bounds topic names (249
 * characters) but not group or transactional ids, so a longer value is cut, with its length noted.
 */
const MAX_AUDIT_FIELD_CHARS = 1024;

export interface AuditEvent {
  principal: string;
  client: string;
  listener: string;
  api: string;
  resourceType: string;
  resource: string;
  operation: string;
  decision: 'DENIED' | 'ALLOWED' | 'CHANGED';
  detail?: string;
}

export interface AuditOptions {
  /** File path, or "stdout". */
  destination: string;
  /** Fraction of allowed decisions to record, 0..1. */
  sampleAllowed: number;
  /** Also publish each event here (e.g. a Kafka topic writer). */
  sink?: (event: AuditEvent & { time: string }) => void;
}

export class Audit {
  private readonly out: Logger;

  constructor(private readonly opts: AuditOptions) {
    const destination =
      opts.destination === 'stdout'
        ? pino.destination(1)
        : pino.destination({ dest: opts.destination, mkdir: true, sync: false });
    this.out = pino(
      { base: null, messageKey: 'event', timestamp: pino.stdTimeFunctions.isoTime },
      destination,
    );
  }

  denied(session: SessionInfo, api: string, resourceType: string, resource: string, operation: string): void {
    this.write(session, { api, resourceType, resource, operation, decision: 'DENIED' });
  }

  allowed(
    session: SessionInfo,
    api: string,
    resourceType: string,
    resource: string,
    operation: string,
  ): void {
    if (this.opts.sampleAllowed <= 0 || Math.random() >= this.opts.sampleAllowed) return;
    this.write(session, { api, resourceType, resource, operation, decision: 'ALLOWED' });
  }

  adminChange(
    session: SessionInfo,
    api: string,
    resourceType: string,
    resource: string,
    detail: string,
  ): void {
    this.write(session, { api, resourceType, resource, operation: 'ALTER', decision: 'CHANGED', detail });
  }

  private write(session: SessionInfo, e: Omit<AuditEvent, 'principal' | 'client' | 'listener'>): void {
    const event: AuditEvent = {
      principal: untrusted(session.identity?.principal ?? 'unauthenticated', MAX_AUDIT_FIELD_CHARS),
      client: session.clientAddress,
      listener: session.listener,
      ...e,
      resource: untrusted(e.resource, MAX_AUDIT_FIELD_CHARS),
      ...(e.detail === undefined ? {} : { detail: untrusted(e.detail, MAX_AUDIT_FIELD_CHARS) }),
    };
    this.out.info(event, 'authorization');
    this.opts.sink?.({ ...event, time: new Date().toISOString() });
  }

  flush(): void {
    this.out.flush();
  }
}
