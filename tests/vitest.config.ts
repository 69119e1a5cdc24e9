import preact from '@preact/preset-vite';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

// Paths below are relative to the repository's top level.
const root = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root,
  test: {
    root,
    projects: [
      {
        // WxtVitest supplies the `browser` fake and WXT's aliases; Preact compiles the JSX.
        plugins: [WxtVitest(), preact()],
        test: {
          name: 'unit',
          environment: 'happy-dom',
          setupFiles: ['tests/unit/setup.ts'],
          include: [
            'tests/unit/**/*.test.{ts,tsx}',
            'extension/**/*.test.{ts,tsx}',
            'shared/**/*.test.ts',
          ],
        },
      },
      {
        test: {
          name: 'db',
          environment: 'node',
          include: ['tests/db/**/*.test.ts'],
          globalSetup: 'tests/db/global-setup.ts',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          pool: 'forks',
        },
      },
    ],
  },
});
