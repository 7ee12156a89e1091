// The shipped DCOC executables for tests: one build per source state, shared
// by every test file (test/support/plugin-build.ts).
export { dcocExecutables, type DcocExecutables } from '../../support/plugin-build';
