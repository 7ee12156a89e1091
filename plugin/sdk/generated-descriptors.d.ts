// Types for the descriptors written by build/gen-proto.ts. generated/ is not in
// git, so these declarations keep type checking working on a fresh clone
// before the generator has run.
declare module '*/generated/pluginv2.json' {
  const descriptor: object;
  export default descriptor;
}
declare module '*/generated/health.json' {
  const descriptor: object;
  export default descriptor;
}
declare module '*/generated/grpc_controller.json' {
  const descriptor: object;
  export default descriptor;
}
