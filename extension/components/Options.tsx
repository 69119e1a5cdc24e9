import { t } from '../lib/i18n.ts';

export function Options({ apiUrl }: { apiUrl: string }) {
  return (
    <main class="mx-auto flex max-w-xl flex-col gap-4 p-8 text-slate-900">
      <h1 class="text-2xl font-semibold">{t('options.heading')}</h1>
      <dl class="flex flex-col gap-1">
        <dt class="text-sm text-slate-600">{t('options.apiUrl')}</dt>
        <dd class="font-mono" data-testid="api-url">{apiUrl}</dd>
      </dl>
    </main>
  );
}
