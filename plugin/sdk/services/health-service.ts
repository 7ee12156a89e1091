// grpc.health.v1.Health. go-plugin's client pings service "plugin"; the go-plugin
// guide warns that a plugin without it "may be abruptly restarted".
import { status, type ServerUnaryCall, type ServerWritableStream, type sendUnaryData } from '@grpc/grpc-js';
import type { HealthServer } from '../pb/health';
import type { WireHealthCheckRequest, WireHealthCheckResponse, WireServingStatus } from '../wire';

export class HealthStatuses {
  private readonly statuses = new Map<string, WireServingStatus>();
  private readonly watchers = new Set<(service: string, s: WireServingStatus) => void>();

  constructor(initial: Record<string, WireServingStatus>) {
    for (const [service, s] of Object.entries(initial)) this.statuses.set(service, s);
  }

  get(service: string): WireServingStatus | undefined {
    return this.statuses.get(service);
  }

  set(service: string, s: WireServingStatus): void {
    this.statuses.set(service, s);
    for (const w of this.watchers) w(service, s);
  }

  setAll(s: WireServingStatus): void {
    for (const service of [...this.statuses.keys()]) this.set(service, s);
  }

  watch(fn: (service: string, s: WireServingStatus) => void): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }
}

export function healthService(statuses: HealthStatuses): HealthServer {
  return {
    check(call: ServerUnaryCall<WireHealthCheckRequest, WireHealthCheckResponse>, callback: sendUnaryData<WireHealthCheckResponse>) {
      const s = statuses.get(call.request.service);
      if (s === undefined) callback({ code: status.NOT_FOUND, details: `unknown service ${JSON.stringify(call.request.service)}` });
      else callback(null, { status: s });
    },
    watch(call: ServerWritableStream<WireHealthCheckRequest, WireHealthCheckResponse>) {
      const service = call.request.service;
      call.write({ status: statuses.get(service) ?? 'SERVICE_UNKNOWN' });
      const stop = statuses.watch((changed, s) => {
        if (changed === service) call.write({ status: s });
      });
      call.on('cancelled', stop);
      call.on('close', stop);
    },
  };
}
