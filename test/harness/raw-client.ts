/**
 * A raw Kafka client over TLS for tests that need to control frames exactly: authenticate with
 * SCRAM-SHA-512 through SaslHandshake/SaslAuthenticate, then send requests one at a time or
 * pipelined in one write.
 */
import { readFileSync } from 'node:fs';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApiKey,
  FrameReader,
  decodeResponse,
  decodeResponseHeader,
  defaultMetadataRequest,
  encodeRequestFrame,
} from '../../protocol/index.js';
import { ScramClient } from '../../security/scram/index.js';
import type { TestGateway, TestUser } from './gateway.js';

export async function rawScramSession(gw: TestGateway, user: TestUser) {
  const [host, port] = gw.bootstrap.split(':');
  const socket: TLSSocket = await new Promise((resolve, reject) => {
    const s = tlsConnect({ host, port: Number(port), ca: [readFileSync(gw.pki!.caCert, 'utf8')] }, () =>
      resolve(s),
    );
    s.once('error', reject);
  });
  const reader = new FrameReader({ maxFrameSize: 1 << 24 });
  const frames: Buffer[] = [];
  let closed = false;
  socket.on('data', (d: Buffer) => frames.push(...reader.push(d)));
  socket.on('close', () => (closed = true));
  socket.on('error', () => undefined);
  let id = 1;
  const next = async (): Promise<Buffer | undefined> => {
    for (let i = 0; i < 200 && frames.length === 0 && !closed; i++) await sleep(25);
    return frames.shift();
  };
  type Sasl = typeof ApiKey.SaslHandshake | typeof ApiKey.SaslAuthenticate | typeof ApiKey.Metadata;
  const call = async <K extends Sasl>(apiKey: K, version: number, body: never) => {
    socket.write(
      encodeRequestFrame({ apiKey, apiVersion: version, correlationId: id++, clientId: 'raw' }, body),
    );
    const payload = await next();
    if (!payload) return undefined;
    const h = decodeResponseHeader(apiKey, version, payload);
    return decodeResponse(apiKey, version, payload, h.headerLength);
  };
  await call(ApiKey.SaslHandshake, 1, { mechanism: 'SCRAM-SHA-512' } as never);
  const client = new ScramClient({
    mechanism: 'SCRAM-SHA-512',
    username: user.name,
    password: user.password,
  });
  const first = (await call(ApiKey.SaslAuthenticate, 2, { authBytes: client.first() } as never)) as {
    authBytes: Buffer;
  };
  const final = (await call(ApiKey.SaslAuthenticate, 2, {
    authBytes: client.final(first.authBytes),
  } as never)) as {
    authBytes: Buffer;
    sessionLifetimeMs: bigint;
  };
  client.verify(final.authBytes);
  return {
    sessionLifetimeMs: final.sessionLifetimeMs,
    metadata: () => call(ApiKey.Metadata, 12, { ...defaultMetadataRequest(), topics: [] } as never),
    /** A SaslHandshake v1 on the logged-in connection (the start of a KIP-368 re-authentication). */
    handshake: async (mechanism: string) =>
      (await call(ApiKey.SaslHandshake, 1, { mechanism } as never)) as { errorCode: number } | undefined,
    /** Writes all frames in one go; returns the correlation ids of the responses, in arrival order. */
    async pipeline(requests: Buffer[], expected: number): Promise<number[]> {
      socket.write(Buffer.concat(requests));
      const ids: number[] = [];
      while (ids.length < expected) {
        const f = await next();
        if (!f) break;
        ids.push(f.readInt32BE(0));
      }
      return ids;
    },
    nextCorrelationId: () => id++,
    isClosed: () => closed,
    close: () => socket.destroy(),
  };
}
