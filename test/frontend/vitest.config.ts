// Component tests: jsdom, Testing Library, the real @grafana/* packages with
// Grafana's runtime services replaced by fakes (support/grafana.ts).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  esbuild: { jsx: 'automatic' },
  test: {
    name: 'grafana-package.json',
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/frontend/**/*.test.tsx'],
    environment: 'jsdom',
    setupFiles: ['test/frontend/support/setup.ts'],
    css: false,
    // Grafana's packages import CSS and ship ESM that Node alone cannot load.
    server: { deps: { inline: [/@grafana\//, /react-calendar/, /rc-/] } },
    reporters: ['default', './test/frontend/support/no-skips-reporter.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'threads',
    poolOptions: { threads: { maxThreads: 2, minThreads: 1 } },
  },
});
