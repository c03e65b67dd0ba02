/**
 * A raw Kafka client over plain TCP with SASL/PLAIN, for tests that send codec-built requests of
 * any API and version to a broker listener and to a gateway alike and compare the answers.
 */
import { connect, type Socket } from 'node:net';
import {
  ApiKey,
  FrameReader,
  decodeResponse,
  decodeResponseHeader,
  encodeRequestFrame,
  type RequestApiKey,
} from '../../protocol/index.js';

const ANSWER_TIMEOUT_MS = 20_000;

export interface RawClient {
  /**
   * The decoded response body, 'closed' when the peer closed the connection instead, or 'no
   * answer' (connection then closed) when none came within 20 s.
   */
  call(apiKey: number, version: number, body: Record<string, unknown>): Promise<unknown>;
  close(): void;
}

/** A raw client on a listener without authentication (e.g. a super user's PLAINTEXT listener). */
export async function rawClient(address: string): Promise<RawClient> {
  const { call, socket } = await open(address);
  return { call, close: () => socket.destroy() };
}

type RawCall = RawClient['call'];

async function open(address: string): Promise<{ call: RawCall; socket: Socket }> {
  const [host, port] = address.split(':');
  const socket: Socket = await new Promise((resolve, reject) => {
    const s = connect({ host, port: Number(port) }, () => resolve(s));
    s.once('error', reject);
  });
  const reader = new FrameReader({ maxFrameSize: 1 << 26 });
  const waiting: ((f: Buffer | undefined) => void)[] = [];
  socket.on('data', (d: Buffer) => {
    for (const f of reader.push(d)) waiting.shift()?.(f);
  });
  const onEnd = (): void => {
    for (const w of waiting.splice(0)) w(undefined);
  };
  socket.on('close', onEnd);
  socket.on('error', onEnd);
  let correlationId = 1;
  const call = async (apiKey: number, version: number, body: Record<string, unknown>): Promise<unknown> => {
    if (socket.destroyed) return 'closed';
    const frame = encodeRequestFrame(
      {
        apiKey: apiKey as RequestApiKey,
        apiVersion: version,
        correlationId: correlationId++,
        clientId: 'conformance',
      },
      body as never,
    );
    const answer = new Promise<Buffer | undefined>((resolve) => waiting.push(resolve));
    socket.write(frame);
    // A peer that never answers (e.g. a request the broker parks) ends the connection, so
    // that later answers cannot be taken for this one's.
    let timer: NodeJS.Timeout | undefined;
    const payload = await Promise.race([
      answer,
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ANSWER_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    if (payload === 'timeout') {
      socket.destroy();
      return 'no answer';
    }
    if (!payload) return 'closed';
    const h = decodeResponseHeader(apiKey as RequestApiKey, version, payload);
    return decodeResponse(apiKey as RequestApiKey, version, payload, h.headerLength);
  };
  return { call, socket };
}

export async function rawPlainClient(address: string, user: string, password: string): Promise<RawClient> {
  const { call, socket } = await open(address);
  await call(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' });
  const auth = (await call(ApiKey.SaslAuthenticate, 2, {
    authBytes: Buffer.from(`\u0000${user}\u0000${password}`),
  })) as { errorCode: number; errorMessage: string | null };
  if (auth.errorCode !== 0) throw new Error(`SASL/PLAIN as ${user} failed: ${auth.errorMessage}`);
  return { call, close: () => socket.destroy() };
}
