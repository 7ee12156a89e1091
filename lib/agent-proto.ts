// Loads the agent protocol for grpc-js from the one .proto file.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export const AGENT_PROTO_PATH = fileURLToPath(new URL('../contracts/agent.proto', import.meta.url));

const definition = protoLoader.loadSync(AGENT_PROTO_PATH, { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true });
const pkg = grpc.loadPackageDefinition(definition) as unknown as {
  dcoc: { agent: { v1: { Enrollment: grpc.ServiceClientConstructor; AgentGateway: grpc.ServiceClientConstructor } } };
};

export const EnrollmentService = pkg.dcoc.agent.v1.Enrollment;
export const AgentGatewayService = pkg.dcoc.agent.v1.AgentGateway;
