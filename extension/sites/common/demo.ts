// `npm start` builds the extension in the `demo` mode (`wxt build --mode demo`, into
// .output/chrome-mv3-demo). The local stack serves copies of the supported sites' pages under
// <local API>/demo/<site>/…, and in that build only each content script also runs there, so the
// overlay can be tried against the demo data without a real mailbox. Every other build has no
// demo pages: `demoMatches` is empty.
import { supabaseUrl } from '../../platform/config.ts';
import { isDemoBuild } from './demo-mode.ts';

/**
 * Match patterns of a site's demo pages. Match patterns carry no port (a pattern without one
 * matches every port), so the host of the local API is enough.
 */
export function demoMatches(site: string): string[] {
  if (!isDemoBuild) return [];
  const url = new URL(supabaseUrl);
  return [`${url.protocol}//${url.hostname}/demo/${site}/*`];
}

/**
 * The pages a site's content script runs on: its adapter's match patterns and, in the demo build,
 * its demo pages. The manifest (entrypoints/<site>.content) and the background (supported.ts) both
 * take them from here. Sites on hosts the user adds have none in advance.
 */
export function siteMatches(adapter: { id: string; matches: readonly string[]; registration?: string }): string[] {
  return adapter.registration === 'runtime' ? [...adapter.matches] : [...adapter.matches, ...demoMatches(adapter.id)];
}
