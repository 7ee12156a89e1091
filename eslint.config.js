import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import dcoc from './scripts/lint/layer-boundaries.js';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', '**/generated/', '.config/', '.scratch/', '.data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error', 'warn'] }],
    },
  },
  {
    // Type-aware: each file is checked by the tsconfig that includes it (tsconfig.json's references).
    files: ['**/*.{ts,tsx}'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A promise is awaited, handled, or marked `void` on purpose.
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test reports failures itself; the promises test() and describe() return never reject.
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    // contracts/ ← lib/ ← backend/, agent/; contracts/ ← plugin/, src/ (scripts/lint/layer-boundaries.js).
    files: ['contracts/**', 'lib/**', 'backend/**', 'agent/**', 'plugin/**', 'src/**'],
    plugins: { dcoc },
    rules: { 'dcoc/layer-boundaries': 'error' },
  },
  {
    // Test and script entry points talk to people on stdout.
    files: ['scripts/**', 'test/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // The Grafana frontend: hooks called by the rules, effects listing what they use.
    files: ['src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
);
