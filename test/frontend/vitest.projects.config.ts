// Both component test runs in one Vitest process (`npm test`): against the
// @grafana/* in package.json and against the oldest release declared. One
// pool of workers keeps both cores busy where two runs in a row would not.
import { defineConfig } from 'vitest/config';
import base from './vitest.config';

export default defineConfig({
  test: {
    projects: ['test/frontend/vitest.config.ts', 'test/frontend/vitest.oldest-grafana.config.ts'],
    reporters: base.test!.reporters,
    pool: base.test!.pool,
    poolOptions: base.test!.poolOptions,
  },
});
