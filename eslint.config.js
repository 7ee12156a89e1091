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
