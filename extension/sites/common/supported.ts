// The sites whose content scripts may talk to the background, and the per-site switches.
// The sites and their match patterns come from the adapters (extension/sites/registry.ts).
import { MatchPattern } from 'wxt/utils/match-patterns';
import { siteAdapters, type SiteId } from '../registry.ts';
import { siteMatches } from './demo.ts';

export type { SiteId };

/** The sites' ids, as their adapters name them (extension/sites/<site>.ts). */
export const siteIds = siteAdapters.map((adapter) => adapter.id) as [SiteId, ...SiteId[]];

export interface SupportedSite {
  id: SiteId;
  /** Empty for a site on hosts the user adds (WooCommerce shops): see sender.ts `shopSite`. */
  matches: readonly string[];
  /** Whether the popup shows a switch for it. */
  switchable: boolean;
}

export const supportedSites: readonly SupportedSite[] = siteAdapters.map((adapter) => ({
  id: adapter.id,
  matches: siteMatches(adapter),
  switchable: true,
}));

/** The site of pages on the shop domains the user added (options page). */
export const woocommerceSite = supportedSites.find((site) => site.id === 'woocommerce')!;

export function siteForUrl(url: string): SupportedSite | null {
  return supportedSites.find((site) => site.matches.some((pattern) => new MatchPattern(pattern).includes(url))) ?? null;
}
