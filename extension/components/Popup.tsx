import { useEffect } from 'preact/hooks';
import { t } from '../lib/i18n.ts';
import type { PopupStore } from './popup-store.ts';
import { StatusBadge } from './StatusBadge.tsx';

export function Popup({ store }: { store: PopupStore }) {
  useEffect(() => {
    void store.refresh();
  }, [store]);

  return (
    <main class="flex w-72 flex-col gap-3 p-4 text-slate-900">
      <h1 class="text-lg font-semibold">{t('app.name')}</h1>
      <StatusBadge state={store.state.value} />
      {store.apiUrl.value && (
        <p class="text-xs text-slate-600">
          {t('popup.apiUrl')}: <span class="font-mono" data-testid="api-url">{store.apiUrl.value}</span>
        </p>
      )}
    </main>
  );
}
