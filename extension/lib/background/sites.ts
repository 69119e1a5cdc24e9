// The sites whose content scripts may talk to the background, and the per-site switches.
// The match patterns are the content scripts' `matches` (see extension/sites/).
import { MatchPattern } from 'wxt/utils/match-patterns';
import { demoMatches } from '../demo.ts';
import type { SiteId } from '../message-schemas.ts';

export interface SupportedSite {
  id: SiteId | 'shopify';
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
  { id: 'shopify', matches: ['https://admin.shopify.com/*'], switchable: false },
];

export function siteForUrl(url: string): SupportedSite | null {
  return supportedSites.find((site) => site.matches.some((pattern) => new MatchPattern(pattern).includes(url))) ?? null;
}
