import fs from 'node:fs';
import path from 'node:path';
import { SOURCE_DIR } from './constants.ts';

function loadJson(file: string) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

export function getPackageJson() {
  return loadJson(path.resolve(process.cwd(), 'package.json'));
}

export function getPluginJson() {
  return loadJson(path.resolve(process.cwd(), `${SOURCE_DIR}/plugin.json`));
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : [p];
  });
}

// Every src/**/plugin.json with a module.(ts|tsx|js|jsx) beside it is a
// plugin: the root one becomes dist/module.js, a nested one dist/<dir>/module.js
// (as create-plugin's getEntries does for nested plugins).
export function getEntries(): Record<string, string> {
  const src = path.resolve(process.cwd(), SOURCE_DIR);
  const entries: Record<string, string> = {};
  for (const file of walk(src).filter((f) => path.basename(f) === 'plugin.json')) {
    const dir = path.dirname(file);
    const module = ['module.ts', 'module.tsx', 'module.js', 'module.jsx'].map((m) => path.join(dir, m)).find((m) => fs.existsSync(m));
    if (!module) continue;
    const rel = path.relative(src, dir);
    entries[rel === '' ? 'module' : `${rel}/module`] = module;
  }
  return entries;
}
