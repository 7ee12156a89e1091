// A TCP proxy between a client and the real apiserver that can cut every
// connection through it and hold new ones back: what a network blip, an
// apiserver restart or a load balancer's idle timeout does to a watch. TLS
// passes through untouched (the serving certificate names 127.0.0.1).
import { type Server, type Socket, createConnection, createServer } from 'node:net';

export interface FaultProxy {
  /** 127.0.0.1:<port>, to put in the client's kubeconfig as https://<addr>. */
  addr: string;
  /** Connections opened through the proxy so far. */
  readonly connections: number;
  /** Destroys every open connection (both sides), as a reset would. */
  cut(): void;
  /** Until resume(): new connections are accepted but not forwarded, so the client waits. */
  hold(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  const open = new Set<Socket>();
  let held: Socket[] | null = null;
  let connections = 0;
  const forward = (client: Socket) => {
    const upstream = createConnection(target);
    open.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  };
  const server: Server = createServer((client) => {
    connections++;
    client.on('error', () => client.destroy());
    if (held) held.push(client);
    else forward(client);
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const { port } = server.address() as { port: number };
  const cut = () => {
    for (const s of open) s.destroy();
    open.clear();
  };
  return {
    addr: `127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    cut,
    hold() {
      held ??= [];
    },
    resume() {
      const waiting = held ?? [];
      held = null;
      for (const c of waiting) if (!c.destroyed) forward(c);
    },
    async close() {
      cut();
      for (const c of held ?? []) c.destroy();
      await new Promise<void>((res) => server.close(() => res()));
    },
  };
}
