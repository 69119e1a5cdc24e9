// The card's actions (timeline, follow-ups, owner, visits), loaded by the overlay's content script
// with import() of this file's extension URL the first time a card opens, so that content scripts
// stay within their size budget (features/overlay/actions/Lazy.tsx). Never listed as a content
// script; web_accessible_resources lists it for the pages content scripts run on.
import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { cardActionsGlobal, createCardActionsApi } from '../features/overlay/actions/mount.tsx';

export default defineUnlistedScript(() => {
  Object.assign(globalThis, { [cardActionsGlobal]: createCardActionsApi() });
});
