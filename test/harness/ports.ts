/**
 * Free TCP ports on 127.0.0.1 for servers the tests start (gateways, a KDC, Prometheus).
 *
 * Taken above Linux's ephemeral range (net.ipv4.ip_local_port_range, 32768-60999 by default), never
 * from it: a port checked free in that range can be handed to some outgoing connection (a client,
 * a broker's replica fetcher) before the server binds it, and the test fails with EADDRINUSE. Kafka's
 * ports in the tests are all below 32768.
 */
import { createServer } from 'node:net';

const BAND_START = 61000;
const BAND_END = 65535;

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A base port with `count` consecutive ports above it that nothing listens on right now. */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = BAND_START + Math.floor(Math.random() * (BAND_END - BAND_START - count));
    const ok = await Promise.all(Array.from({ length: count }, (_, i) => canListen(base + i)));
    if (ok.every(Boolean)) return base;
  }
  throw new Error(`no ${count} free consecutive ports between ${BAND_START} and ${BAND_END}`);
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return freePortRange(1);
}
