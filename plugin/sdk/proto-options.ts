// How every pluginv2/health/controller message is decoded, on both sides (the
// plugin and the test harness), so the wire types in wire.ts hold for both.
import { fromJSON, type Options, type PackageDefinition } from '@grpc/proto-loader';

export const protoLoaderOptions: Options = {
  keepCase: true, // field names exactly as in the .proto (pluginContext, refId, …)
  longs: String, // int64 as decimal strings: no silent loss above 2^53
  enums: String, // enum values by name ('OK', 'ARROW', …)
  bytes: Buffer,
  defaults: true, // absent scalars get their zero value, absent messages null
  oneofs: true,
};

/** A protobufjs JSON descriptor, as written by build/gen-proto.ts. */
export type ProtoDescriptor = Parameters<typeof fromJSON>[0];

/** Turns build-time JSON descriptors into a grpc-js package definition. */
export function packageDefinitionFrom(...descriptors: ProtoDescriptor[]): PackageDefinition {
  const out: PackageDefinition = {};
  for (const d of descriptors) Object.assign(out, fromJSON(d, protoLoaderOptions));
  return out;
}
