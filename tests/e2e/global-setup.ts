import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumAvailable, extensionDir, noChromiumMessage } from './chromium.ts';

export default function checkBrowserAndBuild(): void {
  if (!chromiumAvailable()) {
    console.warn(`\n${noChromiumMessage}. Skipping the browser tests.\n`);
    return;
  }
  if (!existsSync(join(extensionDir, 'manifest.json'))) {
    throw new Error(`No built extension in ${extensionDir}: run \`npm run build\` first.`);
  }
}
