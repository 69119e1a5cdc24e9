import { useEffect, useState } from 'preact/hooks';
import { normalizeDomain, normalizeEmail } from '../../../shared/identity.ts';
import { t } from '../../platform/i18n/i18n.ts';
import type { ApiCheck, Language, SaveApiResponse, SettingsView } from '../send.ts';
import { ShopDomainsSection, type ShopDomainsApi } from './ShopDomains.tsx';

/** What the options page asks of the background and the browser. */
export interface OptionsApi extends ShopDomainsApi {
  settings(): Promise<SettingsView>;
  savePreferences(preferences: Pick<SettingsView, 'ownAddresses' | 'internalDomains' | 'language'>): Promise<SettingsView>;
  /** Checks the project with real calls and saves it if they succeed; null: the built-in project. */
  saveApi(api: { apiUrl: string; anonKey: string } | null): Promise<SaveApiResponse>;
  /**
   * Asks the user to let the extension reach the URL's origin. Must be called first in a click
   * handler: browsers only show the prompt during a user gesture.
   */
  requestPermission(apiUrl: string): Promise<boolean>;
}

const languages: readonly Language[] = ['auto', 'en', 'zh-CN'];

const inputClass =
  'w-full rounded border border-slate-300 px-2 py-1 text-sm focus:border-sky-500 focus:outline-none';
const buttonClass =
  'self-start rounded bg-sky-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-700 disabled:opacity-50';
const quietButtonClass =
  'self-start rounded border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100 disabled:opacity-50';

type Notice = { tone: 'ok' | 'error'; text: string } | null;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function checkNotice(check: ApiCheck | null, saved: boolean): Notice {
  if (saved) {
    if (check?.sessionInfo?.email && check.sessionInfo.databaseReachable) {
      return { tone: 'ok', text: t('options.api.savedSession', { email: check.sessionInfo.email }) };
    }
    return { tone: 'ok', text: t('options.api.saved') };
  }
  switch (check?.auth) {
    case 'unreachable':
      return { tone: 'error', text: t('options.api.unreachable', { message: check.message ?? '' }) };
    case 'bad-key':
      return { tone: 'error', text: t('options.api.bad-key') };
    default:
      return { tone: 'error', text: t('options.api.not-supabase') };
  }
}

function NoticeLine({ notice, testId }: { notice: Notice; testId: string }) {
  if (!notice) return null;
  return (
    <p
      class={`text-sm ${notice.tone === 'ok' ? 'text-emerald-700' : 'text-rose-700'}`}
      role={notice.tone === 'error' ? 'alert' : 'status'}
      data-testid={testId}
    >
      {notice.text}
    </p>
  );
}

function ApiSection({ api, settings, onSaved }: { api: OptionsApi; settings: SettingsView; onSaved(view: SettingsView): void }) {
  const [apiUrl, setApiUrl] = useState(settings.apiUrl);
  const [anonKey, setAnonKey] = useState(settings.anonKey);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<Notice>(null);

  async function save(next: { apiUrl: string; anonKey: string } | null, permission: Promise<boolean> | null) {
    setBusy(true);
    setNotice(null);
    try {
      if (permission && next) {
        const origin = new URL(next.apiUrl).origin;
        let granted: boolean;
        try {
          granted = await permission;
        } catch (error) {
          setNotice({ tone: 'error', text: t('options.api.permissionUnavailable', { origin, message: messageOf(error) }) });
          return;
        }
        if (!granted) {
          setNotice({ tone: 'error', text: t('options.api.permissionDenied', { origin }) });
          return;
        }
      }
      const result = await api.saveApi(next);
      setNotice(checkNotice(result.check, result.saved));
      if (result.saved) {
        onSaved(result.settings);
        setApiUrl(result.settings.apiUrl);
        setAnonKey(result.settings.anonKey);
      }
    } catch (error) {
      setNotice({ tone: 'error', text: t('options.failed', { message: messageOf(error) }) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      class="flex flex-col gap-3"
      aria-label={t('options.api.heading')}
      onSubmit={(event) => {
        event.preventDefault();
        const next = { apiUrl: apiUrl.trim().replace(/\/+$/, ''), anonKey: anonKey.trim() };
        if (!URL.canParse(next.apiUrl)) {
          setNotice({ tone: 'error', text: t('options.api.not-supabase') });
          return;
        }
        // First thing in the handler: the permission prompt needs the click's user gesture.
        let permission: Promise<boolean>;
        try {
          permission = api.requestPermission(next.apiUrl);
        } catch (error) {
          permission = Promise.reject(error);
        }
        void save(next, permission);
      }}
    >
      <h2 class="text-lg font-semibold">{t('options.api.heading')}</h2>
      <dl class="flex flex-col gap-1">
        <dt class="text-sm text-slate-600">{t('options.apiUrl')}</dt>
        <dd class="font-mono text-sm" data-testid="api-url">
          {settings.apiUrl}
        </dd>
        <dd class="text-xs text-slate-600">{settings.apiIsDefault ? t('options.api.default') : t('options.api.custom')}</dd>
      </dl>
      <label class="flex flex-col gap-1 text-sm text-slate-600">
        {t('options.apiUrl')}
        <input
          class={inputClass}
          type="url"
          name="apiUrl"
          required
          value={apiUrl}
          onInput={(event) => setApiUrl(event.currentTarget.value)}
        />
      </label>
      <label class="flex flex-col gap-1 text-sm text-slate-600">
        {t('options.anonKey')}
        <input
          class={`${inputClass} font-mono`}
          type="text"
          name="anonKey"
          required
          spellcheck={false}
          autocomplete="off"
          value={anonKey}
          onInput={(event) => setAnonKey(event.currentTarget.value)}
        />
      </label>
      <div class="flex gap-2">
        <button class={buttonClass} type="submit" disabled={busy}>
          {busy ? t('options.api.checking') : t('options.api.save')}
        </button>
        {!settings.apiIsDefault && (
          <button class={quietButtonClass} type="button" disabled={busy} onClick={() => void save(null, null)}>
            {t('options.api.reset')}
          </button>
        )}
      </div>
      <NoticeLine notice={notice} testId="api-notice" />
    </form>
  );
}

const lines = (text: string) => text.split('\n').map((line) => line.trim()).filter(Boolean);

/**
 * The first entry that is not an address (or a domain, written as `lotus.test` or `@lotus.test`),
 * said in the page's language; the background checks them again and keeps them normalised.
 */
function listProblem(ownAddresses: string[], internalDomains: string[]): string | null {
  const address = ownAddresses.find((value) => normalizeEmail(value) === null);
  if (address !== undefined) return t('options.invalidAddress', { value: address });
  const domain = internalDomains.find((value) => normalizeDomain(value.replace(/^@/, '')) === null);
  return domain === undefined ? null : t('options.invalidDomain', { value: domain });
}

function PreferencesSection({ api, settings, onSaved }: { api: OptionsApi; settings: SettingsView; onSaved(view: SettingsView): void }) {
  const [ownAddresses, setOwnAddresses] = useState(settings.ownAddresses.join('\n'));
  const [internalDomains, setInternalDomains] = useState(settings.internalDomains.join('\n'));
  const [language, setLanguage] = useState<Language>(settings.language);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<Notice>(null);

  return (
    <form
      class="flex flex-col gap-3"
      aria-label={t('options.people.heading')}
      onSubmit={(event) => {
        event.preventDefault();
        const problem = listProblem(lines(ownAddresses), lines(internalDomains));
        if (problem) {
          setNotice({ tone: 'error', text: problem });
          return;
        }
        setBusy(true);
        setNotice(null);
        api
          .savePreferences({ ownAddresses: lines(ownAddresses), internalDomains: lines(internalDomains), language })
          .then(
            (view) => {
              onSaved(view);
              setOwnAddresses(view.ownAddresses.join('\n'));
              setInternalDomains(view.internalDomains.join('\n'));
              setNotice({ tone: 'ok', text: t('options.saved') });
            },
            (error: unknown) => setNotice({ tone: 'error', text: t('options.failed', { message: messageOf(error) }) }),
          )
          .finally(() => setBusy(false));
      }}
    >
      <h2 class="text-lg font-semibold">{t('options.people.heading')}</h2>
      <p class="text-sm text-slate-600">{t('options.people.help')}</p>
      <label class="flex flex-col gap-1 text-sm text-slate-600">
        {t('options.ownAddresses')}
        <textarea
          class={`${inputClass} font-mono`}
          name="ownAddresses"
          rows={3}
          spellcheck={false}
          value={ownAddresses}
          onInput={(event) => setOwnAddresses(event.currentTarget.value)}
        />
      </label>
      <label class="flex flex-col gap-1 text-sm text-slate-600">
        {t('options.internalDomains')}
        <textarea
          class={`${inputClass} font-mono`}
          name="internalDomains"
          rows={3}
          spellcheck={false}
          value={internalDomains}
          onInput={(event) => setInternalDomains(event.currentTarget.value)}
        />
      </label>
      <label class="flex flex-col gap-1 text-sm text-slate-600">
        {t('options.language')}
        <select
          class={inputClass}
          name="language"
          value={language}
          onChange={(event) => setLanguage(event.currentTarget.value as Language)}
        >
          {languages.map((code) => (
            <option key={code} value={code}>
              {t(`options.language.${code}`)}
            </option>
          ))}
        </select>
      </label>
      <button class={buttonClass} type="submit" disabled={busy}>
        {t('options.save')}
      </button>
      <NoticeLine notice={notice} testId="preferences-notice" />
    </form>
  );
}

export function Options({ api }: { api: OptionsApi }) {
  const [settings, setSettings] = useState<SettingsView | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    api.settings().then(setSettings, (error: unknown) => setFailure(messageOf(error)));
  }, [api]);
  // The tab's title, in the language the page speaks now.
  useEffect(() => {
    document.title = t('options.heading');
  });

  return (
    <main class="mx-auto flex max-w-xl flex-col gap-8 p-8 text-slate-900">
      <h1 class="text-2xl font-semibold">{t('options.heading')}</h1>
      {failure && (
        <p class="text-sm text-rose-700" role="alert">
          {t('options.failed', { message: failure })}
        </p>
      )}
      {!settings && !failure && <p class="text-sm text-slate-600">{t('options.loading')}</p>}
      {settings && (
        <>
          <ApiSection api={api} settings={settings} onSaved={setSettings} />
          <PreferencesSection api={api} settings={settings} onSaved={setSettings} />
          <ShopDomainsSection api={api} settings={settings} onSaved={setSettings} inputClass={inputClass} buttonClass={buttonClass} />
        </>
      )}
    </main>
  );
}
