// Kubernetes protobuf request bodies (application/vnd.kubernetes.protobuf) for
// the core types client-go's typed clients send that way: helm's release
// storage writes its Secrets (or ConfigMaps) with them. A body is the magic
// "k8s\0" then a runtime.Unknown whose `raw` is the object's message; field
// numbers are those of k8s.io/api/core/v1/generated.proto and
// k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto (fields the agent and
// helm never send are left out: protobuf skips them). Responses stay JSON,
// which client-go accepts because it always offers application/json too.
import protobuf from 'protobufjs';
import { errors } from './errors';
import type { KubeObject } from './types';

const PROTO = `
syntax = "proto2";
message TypeMeta { optional string apiVersion = 1; optional string kind = 2; }
message Unknown { optional TypeMeta typeMeta = 1; optional bytes raw = 2; optional string contentEncoding = 3; optional string contentType = 4; }
message OwnerReference { optional string kind = 1; optional string name = 3; optional string uid = 4; optional string apiVersion = 5; optional bool controller = 6; optional bool blockOwnerDeletion = 7; }
message ObjectMeta {
  optional string name = 1; optional string generateName = 2; optional string namespace = 3; optional string uid = 5;
  optional string resourceVersion = 6; optional int64 generation = 7;
  map<string, string> labels = 11; map<string, string> annotations = 12;
  repeated OwnerReference ownerReferences = 13; repeated string finalizers = 14;
}
message Secret { optional ObjectMeta metadata = 1; map<string, bytes> data = 2; optional string type = 3; map<string, string> stringData = 4; optional bool immutable = 5; }
message ConfigMap { optional ObjectMeta metadata = 1; map<string, string> data = 2; map<string, bytes> binaryData = 3; optional bool immutable = 4; }
`;

const root = protobuf.parse(PROTO, { keepCase: true }).root;
const Unknown = root.lookupType('Unknown');
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';

/** Decodes a protobuf body into the object its JSON form would be (bytes as base64, like JSON). */
export function decodeProtobufObject(body: Buffer): KubeObject {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw errors.badRequest('protobuf body does not start with the k8s\\0 prefix');
  const env = Unknown.toObject(Unknown.decode(body.subarray(4)), { defaults: false }) as { typeMeta?: { apiVersion?: string; kind?: string }; raw?: Uint8Array };
  const kind = env.typeMeta?.kind ?? '';
  const apiVersion = env.typeMeta?.apiVersion ?? '';
  if (apiVersion !== 'v1' || (kind !== 'Secret' && kind !== 'ConfigMap')) {
    throw errors.unsupportedMediaType(`${PROTOBUF} (${apiVersion}/${kind})`, ['application/json', 'application/yaml']);
  }
  const type = root.lookupType(kind);
  const obj = type.toObject(type.decode(env.raw ?? new Uint8Array()), { bytes: String, longs: Number, defaults: false }) as Record<string, unknown>;
  return { apiVersion, kind, ...obj } as KubeObject;
}
