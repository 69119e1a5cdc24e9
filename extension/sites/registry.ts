// Every site adapter, registered once with the pages it applies to. A test
// (tests/unit/sites/registry.test.ts) fails when a file in this folder is not listed here, and when
// an adapter has no content script or no fixture page.
import { MatchPattern } from 'wxt/utils/match-patterns';
import type { SiteAdapter } from './common/participants.ts';
import * as gmail from './gmail.ts';
import * as outlook from './outlook.ts';
import * as shopify from './shopify.ts';
import * as woocommerce from './woocommerce.ts';

const adapters = [gmail, outlook, shopify, woocommerce] as const satisfies readonly SiteAdapter[];

/** A site's id: its adapter's file name. */
export type SiteId = (typeof adapters)[number]['id'];

export const siteAdapters: readonly (SiteAdapter & { id: SiteId })[] = adapters;

/** The adapter whose match patterns cover `url`, if any. */
export function adapterFor(url: string): SiteAdapter | undefined {
  return siteAdapters.find((adapter) => adapter.matches.some((pattern) => new MatchPattern(pattern).includes(url)));
}
