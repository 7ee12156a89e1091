// ESLint rule: the top-level folders are layers, and each may import only the
// layers listed for it. contracts/ is the one home of what the others share and
// imports none of them; lib/ is runtime code the control service and the agent
// share; backend/, agent/, plugin/ and src/ never reach into each other.
import { dirname, relative, resolve, sep } from 'node:path';

/** Layer → the layers its files may import (itself included). */
export const LAYERS = {
  contracts: ['contracts'],
  lib: ['lib', 'contracts'],
  backend: ['backend', 'lib', 'contracts'],
  agent: ['agent', 'lib', 'contracts'],
  plugin: ['plugin', 'contracts'],
  src: ['src', 'contracts'],
};

function layerOf(root, file) {
  const rel = relative(root, file);
  if (rel.startsWith('..')) return null;
  return rel.split(sep)[0];
}

export const layerBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'Each top-level layer imports only the layers it may (contracts, lib, its own).' },
    schema: [],
    messages: { crossing: '{{from}}/ may not import {{to}}/ ({{spec}}); move what both need to contracts/ (or lib/ for shared runtime code).' },
  },
  create(context) {
    const root = context.cwd;
    const file = context.filename;
    const from = layerOf(root, file);
    const allowed = from ? LAYERS[from] : undefined;
    if (!allowed) return {};
    function check(node, spec) {
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const to = layerOf(root, resolve(dirname(file), spec));
      if (to && !allowed.includes(to)) context.report({ node, messageId: 'crossing', data: { from, to: to, spec } });
    }
    return {
      ImportDeclaration: (n) => check(n.source, n.source.value),
      ExportNamedDeclaration: (n) => n.source && check(n.source, n.source.value),
      ExportAllDeclaration: (n) => check(n.source, n.source.value),
      ImportExpression: (n) => n.source.type === 'Literal' && check(n.source, n.source.value),
    };
  },
};

export default { rules: { 'layer-boundaries': layerBoundaries } };
