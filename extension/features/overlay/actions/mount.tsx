// The lazily loaded part's entry (entrypoints/card-actions.ts): the card calls `mount` with a host
// element inside its shadow root and the portrait it shows, again whenever that changes, and
// `unmount` when it closes.
import { render } from 'preact';
import { setLocale, type Locale } from '../../../platform/i18n/i18n.ts';
import type { PortraitView } from '../../../platform/messaging/schemas.ts';
import { createPortraitClient } from '../../page-client.ts';
import { CardActions } from './CardActions.tsx';
import { createMembersRequest } from './owner/members.ts';

export interface CardActionsApi {
  mount(host: Element, props: { portrait: PortraitView; now: number; locale: Locale }): void;
  unmount(host: Element): void;
}

/** Where the loaded module leaves its API for the content script that imported it. */
export const cardActionsGlobal = '__portraitCardActions';

export function createCardActionsApi(): CardActionsApi {
  const client = createPortraitClient();
  const members = createMembersRequest();
  return {
    mount(host, { portrait, now, locale }) {
      setLocale(locale);
      // Keyed by customer and locale: another person, or another language, starts afresh.
      render(<CardActions key={`${portrait.customerId}:${locale}`} portrait={portrait} now={now} client={client} members={members} />, host);
    },
    unmount(host) {
      render(null, host);
    },
  };
}
