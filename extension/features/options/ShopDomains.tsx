// The options page's list of WooCommerce shop domains. Adding one first asks the browser for that
// origin's host permission (the prompt needs the click's gesture, so the request is the first
// thing the submit handler does), then the background registers the content script for it.
import { useState } from 'preact/hooks';
import { normalizeShopOrigin } from './shop-domains.ts';
import type { SettingsView } from '../send.ts';
import { t } from './texts.ts';

export interface ShopDomainsApi {
  /** `permissions.request` for the origin; must be called during the user's click. */
  requestShopPermission(origin: string): Promise<boolean>;
  /** Adds (after the permission) or removes a shop domain; answers the saved settings. */
  shopDomain(action: 'add' | 'remove', domain: string): Promise<SettingsView>;
}

type Notice = { tone: 'ok' | 'error'; text: string } | null;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function ShopDomainsSection({
  api,
  settings,
  onSaved,
  inputClass,
  buttonClass,
}: {
  api: ShopDomainsApi;
  settings: SettingsView;
  onSaved(view: SettingsView): void;
  inputClass: string;
  buttonClass: string;
}) {
  const [domain, setDomain] = useState('');
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<Notice>(null);

  async function run(work: () => Promise<Notice>) {
    setBusy(true);
    setNotice(null);
    try {
      setNotice(await work());
    } catch (error) {
      setNotice({ tone: 'error', text: t('failed', { message: messageOf(error) }) });
    } finally {
      setBusy(false);
    }
  }

  function add(event: Event) {
    event.preventDefault();
    const origin = normalizeShopOrigin(domain);
    if (!origin) {
      setNotice({ tone: 'error', text: t('invalid', { value: domain.trim() }) });
      return;
    }
    // First thing after reading the input: the browser shows the prompt only during the click.
    let permission: Promise<boolean>;
    try {
      permission = api.requestShopPermission(origin);
    } catch (error) {
      permission = Promise.reject(error);
    }
    void run(async () => {
      let granted: boolean;
      try {
        granted = await permission;
      } catch (error) {
        return { tone: 'error', text: t('unavailable', { origin, message: messageOf(error) }) };
      }
      if (!granted) return { tone: 'error', text: t('denied', { origin }) };
      onSaved(await api.shopDomain('add', origin));
      setDomain('');
      return { tone: 'ok', text: t('added', { origin }) };
    });
  }

  return (
    <form class="flex flex-col gap-3" aria-label={t('heading')} onSubmit={add}>
      <h2 class="text-lg font-semibold">{t('heading')}</h2>
      <p class="text-sm text-slate-600">{t('help')}</p>
      {settings.shopDomains.length === 0 ? (
        <p class="text-sm text-slate-600">{t('none')}</p>
      ) : (
        <ul class="flex flex-col gap-1" data-testid="shop-domains">
          {settings.shopDomains.map((origin) => (
            <li key={origin} class="flex items-center justify-between gap-2 text-sm">
              <span class="font-mono">{origin}</span>
              <button
                type="button"
                class="rounded border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-100 disabled:opacity-50"
                disabled={busy}
                aria-label={t('remove', { origin })}
                onClick={() =>
                  void run(async () => {
                    onSaved(await api.shopDomain('remove', origin));
                    return { tone: 'ok', text: t('removed', { origin }) };
                  })
                }
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <label class="flex flex-col gap-1 text-sm text-slate-600">
        {t('domain')}
        <input
          class={`${inputClass} font-mono`}
          type="text"
          name="shopDomain"
          spellcheck={false}
          autocomplete="off"
          value={domain}
          onInput={(event) => setDomain(event.currentTarget.value)}
        />
      </label>
      <button class={buttonClass} type="submit" disabled={busy || domain.trim() === ''}>
        {busy ? t('adding') : t('add')}
      </button>
      {notice && (
        <p
          class={`text-sm ${notice.tone === 'ok' ? 'text-emerald-700' : 'text-rose-700'}`}
          role={notice.tone === 'error' ? 'alert' : 'status'}
          data-testid="shop-notice"
        >
          {notice.text}
        </p>
      )}
    </form>
  );
}
