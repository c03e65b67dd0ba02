/**
 * The cheapest proxies there are: bytes in, bytes out, no parsing. The benchmark puts them in front
 * of broker listeners whose advertised addresses are the relays' own, so Kafka clients work through
 * them unchanged. They pay the same extra hop as the gateway (a read, a write, a second loopback
 * connection) and nothing else, so their throughput is the ceiling for any proxy on the same
 * machine, and the gateway's figures should be read against it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export interface TcpRelay {
  close(): Promise<void>;
}

/** A relay on Node's own streams: `pipe()` both ways, with its backpressure. */
export async function startNodeRelay(listenPort: number, upstreamPort: number): Promise<TcpRelay> {
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket): void => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  const server = net.createServer({ noDelay: true }, (client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: upstreamPort, noDelay: true });
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    // Either side failing ends the pair.
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, '127.0.0.1', resolve);
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * HAProxy in TCP mode with `option splice-auto` (the kernel moves the bytes between the sockets
 * through a pipe, never through user space): what a C proxy with zero-copy forwarding gets here.
 * Undefined when `haproxy` is not installed (Debian: `apt-get install haproxy`).
 */
export async function startHaproxyRelay(
  listenPort: number,
  upstreamPort: number,
): Promise<TcpRelay | undefined> {
  if (spawnSync('haproxy', ['-v']).status !== 0) return undefined;
  const config = join(mkdtempSync(join(tmpdir(), 'kgw-bench-haproxy-')), 'haproxy.cfg');
  writeFileSync(
    config,
    [
      'global',
      '  nbthread 1',
      'defaults',
      '  mode tcp',
      '  timeout connect 5s',
      '  timeout client 1h',
      '  timeout server 1h',
      '  option splice-auto',
      'listen kafka',
      `  bind 127.0.0.1:${listenPort}`,
      `  server broker 127.0.0.1:${upstreamPort}`,
    ].join('\n') + '\n',
  );
  const proc = spawn('haproxy', ['-db', '-f', config], { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  await waitForPort(listenPort, exited);
  return {
    close: async () => {
      proc.kill();
      await exited;
    },
  };
}

async function waitForPort(port: number, exited: Promise<void>): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (let i = 0; i < 100 && !gone; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => resolve(true));
      s.once('error', () => resolve(false));
      s.once('connect', () => s.destroy());
    });
    if (open) return;
    await delay(100);
  }
  throw new Error(`haproxy did not listen on 127.0.0.1:${port}`);
}
