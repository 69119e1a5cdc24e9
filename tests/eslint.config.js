// @ts-check
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import noUnsanitized from 'eslint-plugin-no-unsanitized';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const renderAsText =
  'Page text must only ever be rendered as text: build DOM with JSX or textContent';

export default defineConfig(
  {
    ignores: [
      '.output/**',
      '.wxt/**',
      '**/node_modules/**',
      'supabase/functions/**',
      'tests/e2e/fixtures/**',
      'coverage/**',
      'test-results/**',
      'playwright-report/**',
      '.portrait-data/**',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    files: ['extension/**/*.{ts,tsx,js,jsx}'],
    languageOptions: {
      globals: { ...globals.browser, ...globals.webextensions },
    },
  },
  {
    files: ['supabase/local/**', 'tests/**', '**/*.config.*', '*.{js,mjs,cjs,ts}'],
    languageOptions: {
      globals: { ...globals.node },
    },
  },
  {
    files: ['extension/**/*.{ts,tsx,js,jsx}', 'shared/**/*.{ts,tsx,js,jsx}'],
    plugins: { 'no-unsanitized': noUnsanitized },
    rules: {
      'no-unsanitized/method': 'error',
      'no-unsanitized/property': 'error',
      'no-restricted-properties': [
        'error',
        { property: 'innerHTML', message: renderAsText },
        { property: 'outerHTML', message: renderAsText },
        { property: 'insertAdjacentHTML', message: renderAsText },
        { object: 'document', property: 'write', message: renderAsText },
        { object: 'document', property: 'writeln', message: renderAsText },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']", message: renderAsText },
        { selector: "Property[key.name='dangerouslySetInnerHTML']", message: renderAsText },
      ],
    },
  },
);
