import { defineConfig } from '@playwright/test';

// Browser tests drive the system Chromium (see fixtures.ts); nothing is downloaded. Paths here are
// relative to this folder; results and reports go to the repository's top level (git-ignored).
export default defineConfig({
  testDir: '.',
  testIgnore: ['fixtures/**'],
  globalSetup: './global-setup.ts',
  outputDir: '../../test-results',
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  reporter: process.env.CI ? [['list'], ['html', { open: 'never', outputFolder: '../../playwright-report' }]] : 'list',
  use: {
    headless: true,
    actionTimeout: 10_000,
    navigationTimeout: 15_000,
    trace: 'retain-on-failure',
  },
});
