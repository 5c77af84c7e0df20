// ESLint (flat config): @eslint/js recommended and typescript-eslint's recommended-type-checked, the
// type information coming from the root tsconfig.json (the one `pnpm typecheck` uses; its paths map
// @saddle/* to sources, so linting needs no build). Formatting is Prettier's (.prettierrc.json), not ESLint's.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const TESTS = ['test/**', 'packages/*/test/**', 'demo/test/**'];

export default defineConfig(
  globalIgnores([
    '**/node_modules/**',
    '**/dist/**',
    '**/build/**',
    'coverage/**',
    'runs/**',
    'docs/api/**',
    'benchmarks/results/**',
    'demo/public/**',
    // AssemblyScript (i32, f32, load<T>, @inline): not TypeScript a TS program can check.
    'packages/kernels-wasm/assembly/**',
  ]),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: ['./tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // The rule that drops `!` and `as T` where the type already says so (with noUncheckedIndexedAccess on,
      // `xs[i]!` stays: it is what says the index is in range).
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      // `_`-prefixed parameters and bindings are kept on purpose (an interface's signature, a skipped element).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Error messages interpolate whatever the caller passed (`got ${value}`), unknowns and objects included:
      // that is the point of them, so stringifying a non-string is not a mistake here.
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      // Functions are async to fit an async interface (Device.read, a runner's setup, a test's callback)
      // even when this implementation has nothing to await.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: TESTS,
    rules: {
      // Tests read JSON files and child-process output with JSON.parse and check fields as they come.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // The browser tests build page-side functions from source text (new Function) on purpose.
      '@typescript-eslint/no-implied-eval': 'off',
    },
  },
  {
    // Plain-JavaScript Node scripts and the per-package tsup configs: outside tsconfig.json, so no type information.
    files: ['**/*.mjs', '**/*.js', '**/*.cjs', 'packages/*/tsup.config.ts'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
);
