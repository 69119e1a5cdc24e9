import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Options, type OptionsApi } from '../../extension/features/options/Options.tsx';
import { createPopupStore, type PopupApi } from '../../extension/features/popup/store.ts';
import { Popup } from '../../extension/features/popup/Popup.tsx';
import { setLocale } from '../../extension/platform/i18n/i18n.ts';
import { BackgroundError, type PopupStateResponse, type SettingsView } from '../../extension/features/send.ts';

const apiUrl = 'http://127.0.0.1:54321';
const lotus = { id: '11111111-1111-4111-8111-111111111111', name: 'Lotus Trading', role: 'rep' as const };
const peony = { id: '22222222-2222-4222-8222-222222222222', name: 'Peony Imports', role: 'admin' as const };

const signedOut: PopupStateResponse = {
  ok: true,
  session: { signedIn: false, reason: 'signed-out' },
  orgs: [],
  sites: { gmail: true, outlook: true, shopify: true, woocommerce: true },
  apiUrl,
  pendingWrites: 0,
  failedWrites: 0,
  invitations: [],
};

const signedIn: PopupStateResponse = {
  ...signedOut,
  session: { signedIn: true, email: 'rep@lotus.test', orgId: lotus.id, orgName: lotus.name, role: 'rep' },
  orgs: [lotus, peony],
};

function fakePopupApi(overrides: Partial<PopupApi> = {}): PopupApi {
  return {
    status: async () => ({ ok: true, apiUrl, reachable: true }),
    state: async () => signedOut,
    signIn: async () => signedIn,
    signOut: async () => signedOut,
    selectOrg: async (orgId) => ({
      ...signedIn,
      session: { signedIn: true, email: 'rep@lotus.test', orgId, orgName: peony.name, role: 'admin' },
    }),
    setSite: async (site, enabled) => ({ ...signedIn, sites: { ...signedIn.sites, [site]: enabled } }),
    answerInvitation: async () => signedIn,
    ...overrides,
  };
}

function renderPopup(api: PopupApi) {
  return render(<Popup store={createPopupStore(api)} />);
}

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('Popup', () => {
  it('lists the customers returning to the pool, each opening the customer, red under three days, in both languages', async () => {
    const now = Date.now();
    const day = 86_400_000;
    const state: PopupStateResponse = {
      ...signedIn,
      poolReturns: [
        { customerId: '55555555-5555-4555-8555-555555555555', customerName: '<i>Soon</i>', recycleAt: new Date(now + 60_000).toISOString(), url: 'https://mail.google.com/mail/u/0/#search/soon%40example.com' },
        { customerId: '66666666-6666-4666-8666-666666666666', customerName: 'Later Li', recycleAt: new Date(now + 6 * day).toISOString(), url: null },
      ],
    };
    const view = renderPopup(fakePopupApi({ state: async () => state }));
    const list = await screen.findByRole('region', { name: 'Returning to the pool' });
    expect(list.querySelector('h2')!.textContent).toBe('Returning to the pool (2)');
    const link = screen.getByRole('link', { name: '<i>Soon</i>' });
    expect(link.getAttribute('href')).toBe('https://mail.google.com/mail/u/0/#search/soon%40example.com');
    expect(view.container.querySelector('i')).toBeNull();
    const [soon, later] = [...list.querySelectorAll('[data-urgent]')] as HTMLElement[];
    expect(soon!.dataset.urgent).toBe('true');
    expect(soon!.textContent).toMatch(/ · (today|tomorrow)$/);
    expect(later!.dataset.urgent).toBe('false');
    expect(later!.textContent).toMatch(/ · in [67] days$/);
    cleanup();
    setLocale('zh-CN');
    try {
      renderPopup(fakePopupApi({ state: async () => state }));
      await screen.findByRole('region', { name: '即将退回公海' });
      expect(screen.getByText(/· [67] 天后$/)).toBeTruthy();
    } finally {
      setLocale('en');
    }
  });

  it('shows no pool list when nothing returns', async () => {
    renderPopup(fakePopupApi({ state: async () => ({ ...signedIn, poolReturns: [] }) }));
    await screen.findByText('rep@lotus.test');
    expect(screen.queryByRole('region', { name: 'Returning to the pool' })).toBeNull();
  });

  it('shows the name and that it is checking before the background answers', () => {
    renderPopup(fakePopupApi({ status: () => new Promise(() => {}), state: () => new Promise(() => {}) }));
    expect(screen.getByRole('heading', { name: 'Portrait' })).toBeTruthy();
    expect(screen.getByTestId('connection-state').dataset.state).toBe('checking');
  });

  it('shows the API URL and a connected state', async () => {
    renderPopup(fakePopupApi());
    await waitFor(() => expect(screen.getByTestId('connection-state').dataset.state).toBe('online'));
    expect(screen.getByText('Connected')).toBeTruthy();
    expect(screen.getByTestId('api-url').textContent).toBe(apiUrl);
  });

  it('shows offline when the API is not reachable', async () => {
    renderPopup(fakePopupApi({ status: async () => ({ ok: true, apiUrl, reachable: false }) }));
    await waitFor(() => expect(screen.getByText('Offline: API not reachable')).toBeTruthy());
  });

  it('shows an unknown state when the background does not answer', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    renderPopup(fakePopupApi({ status: () => Promise.reject(new Error('no receiver')) }));
    await waitFor(() => expect(screen.getByTestId('connection-state').dataset.state).toBe('error'));
    expect(logged).toHaveBeenCalled();
  });

  it('renders a hostile API URL as text', async () => {
    const hostile = '<img src=x onerror="alert(1)">';
    const { container } = renderPopup(fakePopupApi({ status: async () => ({ ok: true, apiUrl: hostile, reachable: false }) }));
    await waitFor(() => expect(screen.getByTestId('api-url').textContent).toBe(hostile));
    expect(container.querySelector('img')).toBeNull();
  });

  it('signs in with email and password and then shows the email and the organization', async () => {
    const signIn = vi.fn(async () => signedIn);
    renderPopup(fakePopupApi({ signIn }));

    fireEvent.input(await screen.findByLabelText('Email'), { target: { value: ' rep@lotus.test ' } });
    fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'correct horse battery' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    await waitFor(() => expect(screen.getByTestId('signed-in-email').textContent).toBe('rep@lotus.test'));
    expect(signIn).toHaveBeenCalledWith('rep@lotus.test', 'correct horse battery');
    expect(screen.getByTestId('active-org').textContent).toBe('Lotus Trading · Sales rep');
    expect(screen.queryByLabelText('Password')).toBeNull();
  });

  it('says why signing in failed', async () => {
    renderPopup(fakePopupApi({ signIn: async () => Promise.reject(new BackgroundError('failed', 'Invalid login credentials')) }));
    fireEvent.input(await screen.findByLabelText('Email'), { target: { value: 'rep@lotus.test' } });
    fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'nope' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Could not sign in: Invalid login credentials');
  });

  it('opens the overview for a rep or an admin, not for staff', async () => {
    const onOpenOverview = vi.fn();
    const staffState: PopupStateResponse = {
      ...signedIn,
      session: { signedIn: true, email: 'rep@lotus.test', orgId: lotus.id, orgName: lotus.name, role: 'staff' },
      orgs: [{ ...lotus, role: 'staff' }, peony],
    };
    const store = createPopupStore(fakePopupApi({ state: async () => signedIn }));
    render(<Popup store={store} onOpenOverview={onOpenOverview} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Overview' }));
    expect(onOpenOverview).toHaveBeenCalledTimes(1);
    cleanup();

    render(<Popup store={createPopupStore(fakePopupApi({ state: async () => staffState }))} onOpenOverview={onOpenOverview} />);
    await waitFor(() => expect(screen.getByTestId('active-org').textContent).toBe('Lotus Trading · Staff'));
    expect(screen.queryByRole('button', { name: 'Overview' })).toBeNull();
  });

  it('switches the organization and the per-site switches', async () => {
    const setSite = vi.fn(fakePopupApi().setSite);
    renderPopup(fakePopupApi({ state: async () => signedIn, setSite }));

    const org = await screen.findByLabelText('Organization');
    fireEvent.change(org, { target: { value: peony.id } });
    await waitFor(() => expect(screen.getByTestId('active-org').textContent).toBe('Peony Imports · Admin'));

    const gmail = screen.getByRole('switch', { name: 'Gmail' }) as HTMLInputElement;
    expect(gmail.checked).toBe(true);
    fireEvent.click(gmail);
    await waitFor(() => expect((screen.getByRole('switch', { name: 'Gmail' }) as HTMLInputElement).checked).toBe(false));
    expect(setSite).toHaveBeenCalledWith('gmail', false);
    expect((screen.getByRole('switch', { name: 'Outlook' }) as HTMLInputElement).checked).toBe(true);
  });

  it('shows writes waiting to sync and signs out', async () => {
    const signOut = vi.fn(async () => signedOut);
    renderPopup(fakePopupApi({ state: async () => ({ ...signedIn, pendingWrites: 2, failedWrites: 1 }), signOut }));

    expect((await screen.findByTestId('pending-writes')).textContent).toBe('Changes waiting to sync: 2');
    expect(screen.getByTestId('failed-writes').textContent).toBe('Changes the server refused: 1');
    fireEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(screen.getByLabelText('Password')).toBeTruthy());
    expect(signOut).toHaveBeenCalled();
  });

  it('lists open invitations; accepting one puts the organization in the picker, declining removes it', async () => {
    const rose = { id: '33333333-3333-4333-8333-333333333333', name: 'Rose Exports', role: 'rep' as const };
    const invitation = { id: '44444444-4444-4444-8444-444444444444', orgId: rose.id, orgName: rose.name, role: rose.role, invitedBy: 'Ada Admin', expiresAt: '2026-12-31T00:00:00Z' };
    const other = { ...invitation, id: '55555555-5555-4555-8555-555555555555', orgId: peony.id, orgName: peony.name, invitedBy: null };
    const answerInvitation = vi.fn(async (id: string, accept: boolean) =>
      accept ? { ...signedIn, orgs: [...signedIn.orgs, rose], invitations: [other] } : { ...signedIn, orgs: [...signedIn.orgs, rose], invitations: [] },
    );
    renderPopup(fakePopupApi({ state: async () => ({ ...signedIn, invitations: [invitation, other] }), answerInvitation }));

    const list = await screen.findByTestId('invitations');
    expect(list.textContent).toContain('Rose Exports invites you as Sales rep');
    expect(list.textContent).toContain('From Ada Admin');
    expect(screen.queryByRole('option', { name: 'Rose Exports' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Accept the invitation to Rose Exports' }));
    await waitFor(() => expect(screen.getByRole('option', { name: 'Rose Exports' })).toBeTruthy());
    expect(answerInvitation).toHaveBeenCalledWith(invitation.id, true);
    expect(screen.queryByRole('button', { name: 'Accept the invitation to Rose Exports' })).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Decline the invitation to Peony Imports' }));
    await waitFor(() => expect(screen.queryByTestId('invitations')).toBeNull());
    expect(answerInvitation).toHaveBeenLastCalledWith(other.id, false);
  });

  it('shows invitations in Chinese', async () => {
    setLocale('zh-CN');
    const invitation = { id: '44444444-4444-4444-8444-444444444444', orgId: peony.id, orgName: peony.name, role: 'admin' as const, invitedBy: null, expiresAt: '2026-12-31T00:00:00Z' };
    renderPopup(fakePopupApi({ state: async () => ({ ...signedIn, invitations: [invitation] }) }));
    const list = await screen.findByTestId('invitations');
    expect(list.textContent).toContain('Peony Imports 邀请你担任管理员');
    expect(screen.getByRole('button', { name: '接受加入 Peony Imports 的邀请' })).toBeTruthy();
    setLocale('en');
  });

  it('asks to set the project up when none is configured', async () => {
    renderPopup(fakePopupApi({ state: async () => ({ ...signedOut, session: { signedIn: false, reason: 'not-configured' } }) }));
    expect(await screen.findByText('Choose your Supabase project in the options first.')).toBeTruthy();
    expect(screen.queryByLabelText('Password')).toBeNull();
  });
});

const settingsView: SettingsView = {
  apiUrl,
  anonKey: 'anon-key-0123456789-abcdefghij',
  apiIsDefault: true,
  ownAddresses: [],
  internalDomains: [],
  language: 'auto',
  sites: { gmail: true, outlook: true, shopify: true, woocommerce: true },
  shopDomains: [],
};

function fakeOptionsApi(overrides: Partial<OptionsApi> = {}): OptionsApi {
  return {
    settings: async () => settingsView,
    savePreferences: async (preferences) => ({ ...settingsView, ...preferences }),
    saveApi: async (next) => ({
      ok: true,
      saved: true,
      check: { auth: 'ok', sessionInfo: null, message: null },
      settings: { ...settingsView, ...next, apiIsDefault: next === null },
    }),
    requestPermission: async () => true,
    requestShopPermission: async () => true,
    shopDomain: async () => settingsView,
    ...overrides,
  };
}

describe('Options page', () => {
  it('shows the API in use', async () => {
    render(<Options api={fakeOptionsApi()} />);
    expect((await screen.findByTestId('api-url')).textContent).toBe(apiUrl);
    expect(screen.getByRole('heading', { name: 'Portrait options' })).toBeTruthy();
  });

  it('asks for the host permission first, then checks and saves a new project', async () => {
    const order: string[] = [];
    const saveApi = vi.fn(async (next: { apiUrl: string; anonKey: string } | null) => {
      order.push('save');
      return (await fakeOptionsApi().saveApi(next));
    });
    const requestPermission = vi.fn(async (url: string) => {
      order.push(`permission ${url}`);
      return true;
    });
    render(<Options api={fakeOptionsApi({ saveApi, requestPermission })} />);

    fireEvent.input(await screen.findByLabelText('Supabase API URL'), { target: { value: 'https://crm.example.com/' } });
    fireEvent.input(screen.getByLabelText('Anon key'), { target: { value: 'a-real-anon-key-0123456789' } });
    fireEvent.click(screen.getByRole('button', { name: 'Check and save' }));

    expect((await screen.findByTestId('api-notice')).textContent).toBe('Saved. Supabase Auth answered with this key.');
    expect(order).toEqual(['permission https://crm.example.com', 'save']);
    expect(saveApi).toHaveBeenCalledWith({ apiUrl: 'https://crm.example.com', anonKey: 'a-real-anon-key-0123456789' });
    expect(screen.getByTestId('api-url').textContent).toBe('https://crm.example.com');
  });

  it('saves nothing when the permission is refused or the check fails', async () => {
    const saveApi = vi.fn(async () => ({
      ok: true as const,
      saved: false,
      check: { auth: 'bad-key' as const, sessionInfo: null, message: 'HTTP 401' },
      settings: settingsView,
    }));
    const requestPermission = vi.fn().mockResolvedValueOnce(false).mockResolvedValueOnce(true);
    render(<Options api={fakeOptionsApi({ saveApi, requestPermission })} />);

    fireEvent.input(await screen.findByLabelText('Supabase API URL'), { target: { value: 'https://crm.example.com' } });
    fireEvent.click(screen.getByRole('button', { name: 'Check and save' }));
    expect((await screen.findByTestId('api-notice')).textContent).toBe(
      'Portrait may not reach https://crm.example.com without your permission.',
    );
    expect(saveApi).not.toHaveBeenCalled();

    fireEvent.click(screen.getByRole('button', { name: 'Check and save' }));
    await waitFor(() => expect(screen.getByTestId('api-notice').textContent).toBe('The project refused this key.'));
    expect(screen.getByTestId('api-url').textContent).toBe(apiUrl);
  });

  it('saves own addresses, internal domains and the language', async () => {
    const savePreferences = vi.fn(async (preferences: Parameters<OptionsApi['savePreferences']>[0]) => ({
      ...settingsView,
      ...preferences,
      ownAddresses: preferences.ownAddresses.map((a) => a.toLowerCase()),
    }));
    render(<Options api={fakeOptionsApi({ savePreferences })} />);

    fireEvent.input(await screen.findByLabelText('Your own addresses, one per line'), {
      target: { value: 'Me@Lotus.test\n\n  me@home.test ' },
    });
    fireEvent.input(screen.getByLabelText('Internal domains, one per line'), { target: { value: 'lotus.test' } });
    fireEvent.change(screen.getByLabelText('Language'), { target: { value: 'zh-CN' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));

    expect((await screen.findByTestId('preferences-notice')).textContent).toBe('Saved.');
    expect(savePreferences).toHaveBeenCalledWith({
      ownAddresses: ['Me@Lotus.test', 'me@home.test'],
      internalDomains: ['lotus.test'],
      language: 'zh-CN',
    });
    expect((screen.getByLabelText('Your own addresses, one per line') as HTMLTextAreaElement).value).toBe('me@lotus.test\nme@home.test');
  });

  it('refuses an entry that is not an address or a domain before sending, in the page’s language', async () => {
    const savePreferences = vi.fn(fakeOptionsApi().savePreferences);
    render(<Options api={fakeOptionsApi({ savePreferences })} />);
    fireEvent.input(await screen.findByLabelText('Your own addresses, one per line'), { target: { value: 'me@lotus.test\nme at home' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect((await screen.findByTestId('preferences-notice')).textContent).toBe('“me at home” is not an email address.');

    fireEvent.input(screen.getByLabelText('Your own addresses, one per line'), { target: { value: 'me@lotus.test' } });
    fireEvent.input(screen.getByLabelText('Internal domains, one per line'), { target: { value: '@lotus.test\nnot a domain' } });
    try {
      // The next render speaks Chinese; the button was drawn in English.
      setLocale('zh-CN');
      fireEvent.click(screen.getByRole('button', { name: 'Save' }));
      expect((await screen.findByTestId('preferences-notice')).textContent).toBe('“not a domain”不是有效的域名。');
    } finally {
      setLocale('en');
    }
    expect(savePreferences).not.toHaveBeenCalled();
  });

  it('shows the background’s reason when preferences are refused', async () => {
    render(
      <Options
        api={fakeOptionsApi({
          savePreferences: async () => Promise.reject(new BackgroundError('invalid-message', '"me at home" is not an email address')),
        })}
      />,
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Save' }));
    expect((await screen.findByTestId('preferences-notice')).textContent).toBe('Could not save: "me at home" is not an email address');
  });
});
