// Files Grafana needs beside module.js: plugin.json files (with %VERSION%,
// %TODAY% and %PLUGIN_ID% filled in), README, CHANGELOG, logos.
import fs from 'node:fs';
import path from 'node:path';
import { getPackageJson, getPluginJson } from './utils.ts';

const pluginJson = getPluginJson();
const version: string = getPackageJson().version;

function fillPlaceholders(content: Buffer): string {
  return content
    .toString('utf8')
    .replace(/%VERSION%/g, version)
    .replace(/%TODAY%/g, new Date().toISOString().substring(0, 10))
    .replace(/%PLUGIN_ID%/g, pluginJson.id);
}

const hasLicense = fs.existsSync(path.resolve(process.cwd(), 'LICENSE'));

export const copyFilePatterns = [
  { from: '../README.md', to: '.', force: true, transform: fillPlaceholders },
  { from: '../CHANGELOG.md', to: '.', force: true },
  ...(hasLicense ? [{ from: '../LICENSE', to: '.' }] : []),
  // plugin.json of the app and of every nested plugin, at the same relative path.
  { from: '**/plugin.json', to: '.', transform: fillPlaceholders },
  { from: '**/img/*.svg', to: '.' },
  { from: '**/query_help.md', to: '.', noErrorOnMissing: true },
];
