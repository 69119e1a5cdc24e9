import '../../assets/tailwind.css';
import { render } from 'preact';
import { Overview } from '../../features/overview/Overview.tsx';
import { t } from '../../features/overview/texts.ts';
import { createOverviewStore, resolveLanguage, type OverviewApi } from '../../features/overview/store.ts';
import { createPoolStore, type PoolApi } from '../../features/overview/pool-store.ts';
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

const poolApi: PoolApi = {
  async pool(orgId, filter) {
    const answer = await sendMessage({ type: 'overview/pool', orgId, stage: filter.stage, tier: filter.tier });
    return { customers: answer.customers, currency: answer.currency };
  },
  async claim(orgId, customerId) {
    return { pending: (await sendMessage({ type: 'overview/claim', orgId, customerId })).pending };
  },
};

const store = createOverviewStore(api);
const pool = createPoolStore(poolApi);
// overview.html#pool opens the pool; switching views keeps the address in step (a reload stays).
const initialView = location.hash === '#pool' ? 'pool' : 'stages';
const container = document.getElementById('app');
if (container) {
  render(
    <Overview
      store={store}
      pool={pool}
      initialView={initialView}
      onView={(view) => history.replaceState(null, '', view === 'pool' ? '#pool' : location.pathname + location.search)}
    />,
    container,
  );
  void store.start();
}
