// The gRPC service definitions the plugin serves. The JSON descriptors are made
// by build/gen-proto.ts and bundled into the executable by esbuild; nothing is
// read from disk at run time.
import type { ServiceDefinition } from '@grpc/grpc-js';
import pluginv2 from './generated/pluginv2.json';
import health from './generated/health.json';
import grpcController from './generated/grpc_controller.json';
import { packageDefinitionFrom, type ProtoDescriptor } from './proto-options';

const definitions = packageDefinitionFrom(
  pluginv2 as ProtoDescriptor,
  health as ProtoDescriptor,
  grpcController as ProtoDescriptor,
);

function service(name: string): ServiceDefinition {
  const def = definitions[name];
  // Message and enum entries carry a `format` key; services do not.
  if (!def || 'format' in def) throw new Error(`service ${name} missing from descriptors`);
  return def as ServiceDefinition;
}

export const services = {
  data: service('pluginv2.Data'),
  resource: service('pluginv2.Resource'),
  diagnostics: service('pluginv2.Diagnostics'),
  stream: service('pluginv2.Stream'),
  health: service('grpc.health.v1.Health'),
  grpcController: service('plugin.GRPCController'),
};
