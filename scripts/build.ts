// `npm run build`: the Grafana plugin in dist/ as Grafana loads it (app and
// nested data source: plugin.json, module.js, backend executables, README,
// CHANGELOG, logos), and gen3-dcoc-app-<version>.zip for
// `grafana cli --pluginUrl`.
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildPluginBackends } from './build-plugin-backend';
import { ROOT } from './demo/processes';
import { zipDirectory } from './package/zip';

const DIST = join(ROOT, 'dist');
const PLUGIN_ID = 'gen3-dcoc-app';

function step(name: string, fn: () => void | Promise<void>) {
  const t = Date.now();
  process.stdout.write(`• ${name}… `);
  return Promise.resolve(fn()).then(() => console.log(`done in ${((Date.now() - t) / 1000).toFixed(1)} s`));
}

async function main(): Promise<void> {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  rmSync(DIST, { recursive: true, force: true });
  await step('frontend (webpack: module.js for the app and the data source)', () => {
    const r = spawnSync('npm', ['run', '--silent', 'build:frontend'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) throw new Error('the frontend build failed (see above)');
  });
  await step('backend executables (Node single executables)', async () => {
    await buildPluginBackends('dist');
  });
  await step('README and CHANGELOG', () => {
    for (const f of ['README.md', 'CHANGELOG.md']) copyFileSync(join(ROOT, f), join(DIST, f));
  });
  const zip = join(ROOT, `${PLUGIN_ID}-${version}.zip`);
  await step(`archive ${PLUGIN_ID}-${version}.zip`, async () => {
    const r = await zipDirectory(DIST, zip, PLUGIN_ID);
    process.stdout.write(`(${r.files} files, ${(r.bytes / 1e6).toFixed(0)} MB) `);
  });
  console.log(`\nGrafana plugin in dist/; install elsewhere with: grafana cli --pluginUrl ${zip} plugins install ${PLUGIN_ID}`);
}

main().catch((e: Error) => {
  console.error(`\nbuild failed: ${e.message}`);
  process.exit(1);
});
