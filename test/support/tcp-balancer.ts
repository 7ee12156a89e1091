// A TCP load balancer in front of several replicas, as a Kubernetes Service
// is in front of the control service's pods: each new connection goes to the
// first backend that accepts it, in the order given; a dead backend refuses,
// so its clients land on the next one when they reconnect. TLS passes through.
import { type Server, type Socket, createConnection, createServer } from 'node:net';

export interface TcpBalancer {
  addr: string;
  close(): Promise<void>;
}

export async function startBalancer(backends: () => number[]): Promise<TcpBalancer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    const tryNext = (ports: number[]) => {
      const port = ports[0];
      if (port === undefined) return client.destroy();
      const upstream = createConnection({ host: '127.0.0.1', port });
      upstream.once('error', () => {
        upstream.destroy();
        if (!connected) tryNext(ports.slice(1));
        else client.destroy();
      });
      let connected = false;
      upstream.once('connect', () => {
        connected = true;
        sockets.add(upstream);
        upstream.on('close', () => {
          sockets.delete(upstream);
          client.destroy();
        });
        client.on('close', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    tryNext(backends());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    addr: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
