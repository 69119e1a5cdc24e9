// The overlay's messages in the background: lookups, writes, tag suggestions, the session and the
// page settings, for content scripts on supported sites (and Portrait's own pages).
import { resolveLocale } from '../../platform/i18n/i18n.ts';
import { defineFeature } from '../../platform/messaging/front-door.ts';
import { failed, tabOf, type BackgroundServices } from '../../background/services.ts';
import type { ErrorResponse } from '../../platform/messaging/schemas.ts';
import {
  lookupRequestSchema,
  membersRequestSchema,
  pageSettingsRequestSchema,
  placementRequestSchema,
  sessionRequestSchema,
  tagSuggestionsRequestSchema,
  timelineRequestSchema,
  writeRequestSchema,
  type MembersResponse,
  type PageSettingsResponse,
  type TimelineResponse,
} from './schemas.ts';

/** Timeline items per page (the card's "show more" asks for the next). */
const timelinePage = 20;
import { dictionaries as overlayDictionaries } from './texts.ts';

export const overlayFeature = defineFeature({
  messages: {
    'portrait/lookup': { schema: lookupRequestSchema, from: 'page' },
    'portrait/write': { schema: writeRequestSchema, from: 'page' },
    'portrait/tags': { schema: tagSuggestionsRequestSchema, from: 'page' },
    'portrait/session': { schema: sessionRequestSchema, from: 'page', whileSwitchedOff: true },
    'portrait/settings': { schema: pageSettingsRequestSchema, from: 'page', whileSwitchedOff: true },
    'portrait/placement': { schema: placementRequestSchema, from: 'page' },
    'portrait/timeline': { schema: timelineRequestSchema, from: 'page' },
    'portrait/members': { schema: membersRequestSchema, from: 'page' },
  },
  handlers: ({ session, settings, portraits, tabs, uiLanguage, placements }: BackgroundServices) => ({
    async 'portrait/lookup'(message, sender) {
      return portraits.lookup(message.identifiers, tabOf(sender));
    },

    async 'portrait/write'(message, sender) {
      return portraits.write(message.write, tabOf(sender));
    },

    async 'portrait/timeline'(message): Promise<TimelineResponse | ErrorResponse> {
      const [state, account] = await Promise.all([session.state(), session.account()]);
      if (!state.signedIn || !account) return { ok: false, error: 'signed-out' };
      if (!state.orgId) return { ok: false, error: 'forbidden', message: 'No organization is selected' };
      try {
        const backend = await session.backend();
        const before = message.before ? { before: message.before.before, beforeKey: message.before.beforeKey } : null;
        const timeline = await backend.customerTimeline(state.orgId, message.customerId, before, timelinePage);
        return { ok: true, timeline, userId: account.userId, role: state.role };
      } catch (error) {
        await session.noticeFailure(error);
        return failed(error);
      }
    },

    // Only admins assign customers (assign_customer checks it again), so only they are given the list.
    async 'portrait/members'(): Promise<MembersResponse | ErrorResponse> {
      const state = await session.state();
      if (!state.signedIn) return { ok: false, error: 'signed-out' };
      if (!state.orgId) return { ok: false, error: 'forbidden', message: 'No organization is selected' };
      if (state.role !== 'admin') return { ok: false, error: 'forbidden', message: 'Only admins assign customers' };
      try {
        const backend = await session.backend();
        return { ok: true, members: await backend.orgMembers(state.orgId) };
      } catch (error) {
        await session.noticeFailure(error);
        return failed(error);
      }
    },

    async 'portrait/tags'(message) {
      return portraits.tagSuggestions(message.prefix);
    },

    async 'portrait/session'(_message, sender) {
      const tabId = tabOf(sender);
      if (tabId !== null) tabs.seen(tabId);
      return { ok: true, session: await session.state() };
    },

    async 'portrait/placement'(message, sender) {
      const siteId = sender.kind === 'content-script' ? sender.site?.id : undefined;
      if (siteId && placements) await placements.set(siteId, message.placement);
      return { ok: true };
    },

    async 'portrait/settings'(_message, sender): Promise<PageSettingsResponse> {
      const tabId = tabOf(sender);
      if (tabId !== null) tabs.seen(tabId);
      const siteId = sender.kind === 'content-script' ? sender.site?.id : undefined;
      const [current, account, placement] = await Promise.all([
        settings.load(),
        session.account(),
        siteId && placements ? placements.get(siteId) : null,
      ]);
      const enabled = siteId ? (current.sites[siteId] ?? true) : true;
      const ownAddresses = account?.email && !current.ownAddresses.includes(account.email.toLowerCase())
        ? [...current.ownAddresses, account.email.toLowerCase()]
        : current.ownAddresses;
      const locale = resolveLocale(current.language, uiLanguage?.() ?? globalThis.navigator?.language);
      const messages = overlayDictionaries[locale];
      return { ok: true, enabled, ownAddresses, internalDomains: current.internalDomains, language: current.language, locale, messages, placement };
    },
  }),
});
