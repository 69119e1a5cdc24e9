// The sites whose content scripts may talk to the background, and the per-site switches.
// The match patterns are the content scripts' `matches` (see extension/sites/).
import { MatchPattern } from 'wxt/utils/match-patterns';
import { demoMatches } from './demo.ts';
import type { SiteId } from '../../platform/messaging/schemas.ts';

export interface SupportedSite {
  id: SiteId;
  /** Empty for a site on hosts the user adds (WooCommerce shops): see sender.ts `shopSite`. */
  matches: readonly string[];
  /** Whether the popup shows a switch for it. */
  switchable: boolean;
}

export const supportedSites: readonly SupportedSite[] = [
  { id: 'gmail', matches: ['https://mail.google.com/*', ...demoMatches('gmail')], switchable: true },
  {
    id: 'outlook',
    matches: [
      'https://outlook.office.com/*',
      'https://outlook.office365.com/*',
      'https://outlook.live.com/*',
      ...demoMatches('outlook'),
    ],
    switchable: true,
  },
  { id: 'shopify', matches: ['https://admin.shopify.com/*', ...demoMatches('shopify')], switchable: true },
  { id: 'woocommerce', matches: [], switchable: true },
];

/** The site of pages on the shop domains the user added (options page). */
export const woocommerceSite = supportedSites.find((site) => site.id === 'woocommerce')!;

export function siteForUrl(url: string): SupportedSite | null {
  return supportedSites.find((site) => site.matches.some((pattern) => new MatchPattern(pattern).includes(url))) ?? null;
}
