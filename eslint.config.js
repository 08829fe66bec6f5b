// Lint: typescript-eslint's type-aware recommended rules on the TypeScript sources, tests and
// benchmarks (the type checker finds floating promises, unsafe `any` and misused awaits that
// syntax alone cannot); plain recommended rules on the scripts and examples in JavaScript.
// `npm run lint`; CI runs it (.ci/run).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/**', 'coverage/**', 'docs/**', 'examples/angular/**', '**/node_modules/**'],
  },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // `_name` marks what is left unused on purpose (a rest sibling, a required parameter).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // `String(value)` of an `unknown` is how a TypeError quotes the bad input it was given, and
      // how a batch answer's ids (numbers or strings on the wire) are compared.
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
  {
    // Tests and benchmarks read JSON bodies and NDJSON lines as they come (`any` from JSON.parse)
    // and poke at values on purpose; the unsafe-any rules would only add casts there.
    files: ['test/**/*.ts', 'test-e2e/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      // async functions that return at once stand in for tokens and fetches that resolve later.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: globals.node,
    },
  },
);
