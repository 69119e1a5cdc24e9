// What the features' background handlers are given (extension/features/<feature>/background.ts),
// and the helpers more than one of them uses.
import type { TrustedSender } from '../platform/messaging/front-door.ts';
import type { ErrorResponse } from '../platform/messaging/schemas.ts';
import { ApiFailure } from './client.ts';
import type { PortraitService } from './portraits.ts';
import type { FollowUpStore } from './follow-ups.ts';
import type { SessionManager } from './session.ts';
import type { SettingsStore } from './settings.ts';
import type { PushToTab, TabRegistry } from './tabs.ts';
import type { WriteQueue } from './write-queue.ts';
import type { PlacementStore } from '../platform/storage/placements.ts';
import type { ShopScripts } from '../features/options/shop-domains.ts';
import type { Tagger } from '../features/tagger/background/tagger.ts';

export interface BackgroundServices {
  session: SessionManager;
  /** The user's open follow-ups (background/follow-ups.ts); absent in tests that do not need them. */
  followUps?: FollowUpStore;
  settings: SettingsStore;
  portraits: PortraitService;
  queue: WriteQueue;
  tabs: TabRegistry;
  push: PushToTab;
  /** The tagging dialog's messages (features/tagger/background/tagger.ts). */
  tagger: Tagger;
  /** Where the user left the overlay on each site; absent in tests that do not need it. */
  placements?: PlacementStore;
  fetch?: typeof fetch;
  /** The browser's UI language (`i18n.getUILanguage()`), for the language option `auto`. */
  uiLanguage?: () => string;
  /** Registers the WooCommerce content script for shop domains; absent where the browser cannot. */
  shopScripts?: ShopScripts;
}

/** Pushed to every tab that talks to Portrait when a setting that concerns pages changes. */
export const settingsChanged = { type: 'portrait/settings-changed' } as const;

export async function broadcastSettings({ tabs, push }: Pick<BackgroundServices, 'tabs' | 'push'>): Promise<void> {
  await Promise.all(tabs.all().map((tabId) => push(tabId, settingsChanged).catch(() => tabs.forget(tabId))));
}

export function tabOf(sender: TrustedSender): number | null {
  return sender.kind === 'content-script' ? sender.tabId : null;
}

export function failed(error: unknown): ErrorResponse {
  if (error instanceof ApiFailure) {
    if (error.kind === 'network') return { ok: false, error: 'failed', message: 'The API cannot be reached' };
    if (error.kind === 'signed-out') return { ok: false, error: 'signed-out', message: error.message };
  }
  return { ok: false, error: 'failed', message: error instanceof Error ? error.message : String(error) };
}
