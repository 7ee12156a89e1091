// Bundles the host's browser side (React, the @grafana/* packages and the
// rest of Grafana's shared dependencies, from npm) into one script with esbuild.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export async function bundleHost(outDir: string): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, 'host.js');
  await build({
    entryPoints: [join(import.meta.dirname, 'vendor.tsx')],
    outfile,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    minify: false,
    sourcemap: false,
    logLevel: 'error',
    alias: { 'grafana-runtime-internal/plugin-page': join(import.meta.dirname, '..', '..', '..', 'node_modules', '@grafana', 'runtime', 'dist', 'esm', 'components', 'PluginPage.mjs') },
    define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
    loader: { '.css': 'empty', '.svg': 'dataurl', '.woff': 'empty', '.woff2': 'empty', '.ttf': 'empty', '.png': 'dataurl' },
  });
  return outfile;
}
