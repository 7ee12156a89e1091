// A backup or restore that cannot go on: the message says why and what to do
// next, and is all the operator sees (no stack trace). Exit code 1.
export class BackupError extends Error {}
