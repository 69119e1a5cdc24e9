import { defineConfig } from '@playwright/test';

// Browser tests drive the system Chromium (see tests/e2e/fixtures.ts); nothing is downloaded.
export default defineConfig({
  testDir: 'tests/e2e',
  testIgnore: ['fixtures/**'],
  globalSetup: './tests/e2e/global-setup.ts',
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : 'list',
  use: {
    headless: true,
    actionTimeout: 10_000,
    navigationTimeout: 15_000,
    trace: 'retain-on-failure',
  },
});
