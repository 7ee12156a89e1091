// How long the fuzz tier runs: a fixed seed and a bounded number of cases in
// `npm test` (so CI stays in budget and a failure reproduces), many more with a
// fresh seed under `npm run fuzz` (DCOC_FUZZ=long). FUZZ_RUNS and FUZZ_SEED
// override either; a failure prints the seed to rerun it.
const long = process.env.DCOC_FUZZ === 'long';

export const FUZZ_SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : long ? Math.floor(Math.random() * 2 ** 31) : 20261204;
export const FUZZ_RUNS = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : long ? 20_000 : 1500;
/** Agent streams: each opens a connection and sends a burst of messages. */
export const AGENT_FUZZ_RUNS = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : long ? 2000 : 150;
/** Schemathesis: examples per operation. */
export const SCHEMATHESIS_EXAMPLES = long ? 200 : 25;
