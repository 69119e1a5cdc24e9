import '../../assets/tailwind.css';
import { render } from 'preact';
import { Overview } from '../../features/overview/Overview.tsx';
import { t } from '../../features/overview/texts.ts';
import { createOverviewStore, resolveLanguage, type OverviewApi } from '../../features/overview/store.ts';
import { setLocale } from '../../platform/i18n/i18n.ts';
import { sendMessage } from '../../features/send.ts';

const api: OverviewApi = {
  async context() {
    const [state, { settings }] = await Promise.all([sendMessage({ type: 'popup/state' }), sendMessage({ type: 'settings/get' })]);
    // The page speaks the language chosen in the options ('auto': the browser's).
    const locale = resolveLanguage(settings.language, navigator.languages?.length ? navigator.languages : [navigator.language]);
    setLocale(locale);
    document.documentElement.lang = locale;
    document.title = t('title');
    return { session: state.session, orgs: state.orgs, language: settings.language };
  },
  async figures(orgId, range) {
    return (await sendMessage({ type: 'overview/data', orgId, from: range.from, to: range.to })).overview;
  },
};

const store = createOverviewStore(api);
const container = document.getElementById('app');
if (container) {
  render(<Overview store={store} />, container);
  void store.start();
}
