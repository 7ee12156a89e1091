// Compacts the control plane's etcd on demand, through etcd's own v3 gRPC API
// (KV.Compact), so a watch resumed from an older resourceVersion is answered
// by the real apiserver with "410 Gone: too old resource version", as on a
// cluster after its periodic compaction. Needs an apiserver with
// --watch-cache=false: otherwise its in-memory watch cache still serves the
// old window.
import { credentials, loadPackageDefinition, type ServiceClientConstructor } from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import protobuf from 'protobufjs';

// The two messages and the one call used, as declared in etcd's
// api/etcdserverpb/rpc.proto (go.etcd.io/etcd/api/v3, v3.6.17; Apache-2.0).
const RPC_PROTO = `
syntax = "proto3";
package etcdserverpb;
service KV {
  rpc Compact(CompactionRequest) returns (CompactionResponse) {}
}
message ResponseHeader {
  uint64 cluster_id = 1;
  uint64 member_id = 2;
  int64 revision = 3;
  uint64 raft_term = 4;
}
message CompactionRequest {
  int64 revision = 1;
  bool physical = 2;
}
message CompactionResponse {
  ResponseHeader header = 1;
}
`;

type Compact = (req: { revision: string; physical: boolean }, cb: (err: Error | null, res?: { header?: { revision?: string } }) => void) => void;

/** Compacts etcd at `revision` (a resourceVersion the apiserver handed out: they are etcd revisions); waits until it is physical. */
export async function compactEtcd(etcdAddr: string, revision: string | number): Promise<void> {
  const pkg = loadPackageDefinition(fromJSON(protobuf.parse(RPC_PROTO).root.toJSON(), { longs: String })) as unknown as {
    etcdserverpb: { KV: ServiceClientConstructor };
  };
  const client = new pkg.etcdserverpb.KV(etcdAddr, credentials.createInsecure()) as unknown as { Compact: Compact; close(): void };
  try {
    await new Promise<void>((res, rej) =>
      client.Compact({ revision: String(revision), physical: true }, (err) => (err ? rej(new Error(`etcd compact at ${revision}: ${err.message}`)) : res())),
    );
  } finally {
    client.close();
  }
}
