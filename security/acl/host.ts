// ACL host strings are compared as exact strings against Java's InetAddress.getHostAddress() of the
// client. Node prints IPv6 compressed ("::1") while Java prints it in full ("0:0:0:0:0:0:0:1"), so the
// gateway must normalise the socket's remoteAddress before authorizing, or ACLs written with
// kafka-acls.sh --allow-host would never match IPv6 clients.
import { isIP } from 'node:net';

/** The address as Java's InetAddress.getHostAddress() would print it. Non-IP strings are returned unchanged. */
export function javaHostAddress(address: string): string {
  const pct = address.indexOf('%');
  const scope = pct >= 0 ? address.slice(pct) : '';
  const ip = pct >= 0 ? address.slice(0, pct) : address;
  const kind = isIP(ip);
  if (kind !== 6) return address;
  const groups = expandIpv6(ip);
  // Java turns IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) into Inet4Address.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const hi = groups[6] ?? 0;
    const lo = groups[7] ?? 0;
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  return groups.map((g) => g.toString(16)).join(':') + scope;
}

function expandIpv6(ip: string): number[] {
  let text = ip;
  const tail: number[] = [];
  // Trailing dotted quad, e.g. ::ffff:10.0.0.1
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    const o = last.split('.').map((x) => Number.parseInt(x, 10));
    tail.push((((o[0] ?? 0) << 8) | (o[1] ?? 0)) >>> 0, (((o[2] ?? 0) << 8) | (o[3] ?? 0)) >>> 0);
    text = text.slice(0, lastColon + 1) + '0:0';
    tail.length = 2;
  }
  const [head = '', rest] = text.split('::') as [string, string | undefined];
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((h) => Number.parseInt(h, 16)));
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  const zeros = rest === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...new Array<number>(zeros).fill(0), ...right];
  if (tail.length === 2) {
    groups[6] = tail[0] ?? 0;
    groups[7] = tail[1] ?? 0;
  }
  return groups;
}
