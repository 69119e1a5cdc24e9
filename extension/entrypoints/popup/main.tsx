import '../../assets/tailwind.css';
import { render } from 'preact';
import { browser } from 'wxt/browser';
import { createPopupStore, type PopupApi } from '../../features/popup/store.ts';
import { Popup } from '../../features/popup/Popup.tsx';
import { sendMessage } from '../../features/send.ts';
import { loadPageLanguage } from '../../features/page-locale.ts';

const api: PopupApi = {
  status: () => sendMessage({ type: 'portrait/status' }),
  state: () => sendMessage({ type: 'popup/state' }),
  signIn: (email, password) => sendMessage({ type: 'account/sign-in', email, password }),
  signOut: () => sendMessage({ type: 'account/sign-out' }),
  selectOrg: (orgId) => sendMessage({ type: 'account/select-org', orgId }),
  setSite: (site, enabled) => sendMessage({ type: 'settings/site', site, enabled }),
  answerInvitation: (invitationId, accept) => sendMessage({ type: 'account/answer-invitation', invitationId, accept }),
};

const store = createPopupStore(api);
const container = document.getElementById('app');
// In the chosen language from the first paint.
void loadPageLanguage().then(() => {
  if (!container) return;
  render(
    <Popup
      store={store}
      onOpenOptions={() => void browser.runtime.openOptionsPage()}
      onOpenOverview={() => void browser.tabs.create({ url: browser.runtime.getURL('/overview.html') })}
    />,
    container,
  );
});
