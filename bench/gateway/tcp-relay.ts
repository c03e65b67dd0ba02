/**
 * The cheapest proxy there is: bytes in, bytes out, no parsing. The benchmark puts it in front of a
 * broker listener whose advertised address is the relay's own, so Kafka clients work through it
 * unchanged. Its throughput is the ceiling for any user-space proxy on the same machine (it pays
 * the same extra read, write and loopback hop as the gateway and nothing else), which is what the
 * gateway's figures should be read against.
 */
import net from 'node:net';

export interface TcpRelay {
  close(): Promise<void>;
}

export async function startTcpRelay(listenPort: number, upstreamPort: number): Promise<TcpRelay> {
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket): void => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  const server = net.createServer({ noDelay: true }, (client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: upstreamPort, noDelay: true });
    track(client);
    track(upstream);
    // pipe() gives backpressure both ways; either side failing ends the pair.
    client.pipe(upstream).on('error', () => client.destroy());
    upstream.pipe(client).on('error', () => upstream.destroy());
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
