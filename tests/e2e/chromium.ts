// Where the browser and the built extension are, shared by the Playwright config, setup and fixtures.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const extensionDir = fileURLToPath(new URL('../../.output/chrome-mv3', import.meta.url));

export const noChromiumMessage = `No Chromium found at ${chromiumPath}: install Debian's chromium or set CHROMIUM_PATH`;

export function chromiumAvailable(): boolean {
  return existsSync(chromiumPath);
}
