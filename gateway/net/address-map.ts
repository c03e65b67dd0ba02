/**
 * How clients reach each upstream broker through the gateway, and which broker a client meant
 * when it connected: by local port (port-per-broker) or by TLS server name (SNI).
 */
import type { ListenerConfig } from '../config/schema.js';

export type Target = 'bootstrap' | number;

export interface AddressMap {
  /** The address advertised to clients for upstream node `nodeId`. */
  advertised(nodeId: number): { host: string; port: number };
  /** The broker a connection is for, from the local port or SNI name; undefined = unknown name. */
  targetOf(localPort: number, serverName: string | undefined): Target | undefined;
  /** Local ports to listen on for these nodes (port-per-broker); empty for SNI. */
  nodePort(nodeId: number): number | undefined;
}

export function addressMapFor(listener: ListenerConfig): AddressMap {
  const a = listener.addressing;
  if (a.mode === 'port-per-broker') {
    return {
      advertised: (nodeId) => ({ host: a.advertisedHost, port: a.brokerPortBase + nodeId }),
      targetOf: (localPort) => (localPort === listener.port ? 'bootstrap' : localPort - a.brokerPortBase),
      nodePort: (nodeId) => a.brokerPortBase + nodeId,
    };
  }
  const port = a.advertisedPort ?? listener.port;
  const domain = a.domain.toLowerCase();
  const nodeName = new RegExp(`^${escape(a.prefix.toLowerCase())}-(\\d+)\\.${escape(domain)}$`);
  return {
    advertised: (nodeId) => ({ host: `${a.prefix}-${nodeId}.${a.domain}`, port }),
    targetOf: (_localPort, serverName) => {
      const name = serverName?.toLowerCase();
      if (name === undefined) return undefined;
      if (name === `${a.bootstrapName.toLowerCase()}.${domain}`) return 'bootstrap';
      const m = nodeName.exec(name);
      return m ? Number(m[1]) : undefined;
    },
    nodePort: () => undefined,
  };
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
