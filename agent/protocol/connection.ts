// The one long-lived stream to the control service. Reconnects with jittered
// backoff whenever it breaks; each new stream starts with onOpen (hello and a
// full snapshot), so the control service resyncs on every reconnect.
import type * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../lib/logger';
import { Backoff } from './backoff';
import type { AgentGatewayClient, AgentMessage as AgentMessageWire, ControlMessage as ControlMessageWire } from '../../contracts/pb/agent';
import { type AgentMessage, type ControlMessage, type TlsIdentity, gatewayClient } from './client';

export interface ConnectionHandlers {
  onOpen(send: (m: AgentMessage) => boolean): void;
  onMessage(m: ControlMessage): void;
  onClose(reason: string): void;
  /** The control service revoked this agent: no reconnecting will change that. */
  onRevoked?(details: string): void;
}

/** gRPC UNAUTHENTICATED: the gateway's answer to a revoked (or unknown) agent certificate. */
const UNAUTHENTICATED = 16;

export class ControlConnection {
  private client: AgentGatewayClient | null = null;
  private call: grpc.ClientDuplexStream<AgentMessageWire, ControlMessageWire> | null = null;
  private readonly backoff = new Backoff();
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private seq = 0;
  connected = false;

  constructor(
    private readonly address: string,
    private identity: () => TlsIdentity,
    private readonly handlers: ConnectionHandlers,
    private readonly log: Logger,
    private readonly reachable: () => boolean = () => true,
  ) {}

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.drop('agent stopping');
  }

  /** Drops the stream now and reconnects (new certificate, or the network came back). */
  reconnect(reason: string): void {
    this.drop(reason);
    this.backoff.reset();
    this.schedule(0);
  }

  /** Called by the agent once the control service welcomed it. */
  welcomed(): void {
    this.backoff.reset();
  }

  send = (msg: AgentMessage): boolean => {
    if (!this.call || !this.connected) return false;
    this.call.write({ ...msg, seq: ++this.seq });
    return true;
  };

  /** Messages written but not yet taken by the transport (flow control): a producer that can wait checks it. */
  backlog(): number {
    return this.call?.writableLength ?? 0;
  }

  private open(): void {
    if (this.stopped) return;
    if (!this.reachable()) {
      this.schedule(this.backoff.next());
      return;
    }
    this.client?.close();
    this.client = gatewayClient(this.address, this.identity());
    const call = this.client.connect();
    this.call = call;
    this.connected = true;
    this.seq = 0;
    let closed = false;
    const close = (reason: string, revoked = false) => {
      if (closed) return;
      closed = true;
      if (this.call === call) {
        this.call = null;
        this.connected = false;
        this.handlers.onClose(reason);
        if (revoked && this.handlers.onRevoked) {
          this.stopped = true;
          this.handlers.onRevoked(reason);
        } else {
          this.schedule(this.backoff.next());
        }
      }
    };
    // The control service sends one member of the oneof per message.
    call.on('data', (m: ControlMessage) => this.handlers.onMessage(m));
    call.on('error', (e: grpc.ServiceError) => close(e.details || e.message, e.code === UNAUTHENTICATED && /revoked/.test(e.details ?? '')));
    call.on('end', () => close('control service ended the stream'));
    call.on('close', () => close('stream closed'));
    this.handlers.onOpen(this.send);
  }

  private drop(reason: string): void {
    const call = this.call;
    this.call = null;
    if (this.connected) {
      this.connected = false;
      this.handlers.onClose(reason);
    }
    call?.cancel();
    this.client?.close();
    this.client = null;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.log.debug({ inMs: ms }, 'reconnecting to the control service');
    this.timer = setTimeout(() => this.open(), ms);
  }
}
