// Lint rules for the whole tree (issue 11). Style is Prettier's; these catch bugs and keep the layers apart.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import regexp from 'eslint-plugin-regexp';
import tseslint from 'typescript-eslint';

/** Workflow code runs in Temporal's deterministic sandbox: no I/O, no activity implementations, only their types. */
const workflowRestrictions = {
  paths: [{ name: 'pg', message: 'workflows do no I/O; use an activity' }],
  patterns: [
    { group: ['node:*'], message: 'workflows run in a deterministic sandbox without Node APIs' },
    { group: ['**/db', '**/db/*'], message: 'workflows do no I/O; use an activity' },
    {
      group: ['**/banks', '**/banks/**', '**/bank-files/**', '**/kvk/**'],
      message: 'workflows do no I/O; use an activity',
    },
    {
      group: ['**/activities', '**/activities/**'],
      allowTypeImports: true,
      message: 'workflows import activity types only (import type)',
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', 'coverage/', '**/*.js', '**/*.cjs', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // A pattern that backtracks super-linearly lets one long request field hold the event loop (issue 12 item 1).
    plugins: { regexp },
    rules: { 'regexp/no-super-linear-backtracking': 'error' },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', workflowRestrictions] },
  },
  prettier,
);
