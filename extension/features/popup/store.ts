import { computed, signal } from '@preact/signals';
import type { PopupStateResponse, SiteId, StatusResponse } from '../send.ts';

export type ConnectionState = 'checking' | 'online' | 'offline' | 'error';

/** What the popup asks the background; `backgroundPopupApi` in the entrypoint sends messages. */
export interface PopupApi {
  status(): Promise<StatusResponse>;
  state(): Promise<PopupStateResponse>;
  signIn(email: string, password: string): Promise<PopupStateResponse>;
  signOut(): Promise<PopupStateResponse>;
  selectOrg(orgId: string): Promise<PopupStateResponse>;
  setSite(site: SiteId, enabled: boolean): Promise<PopupStateResponse>;
  answerInvitation(invitationId: string, accept: boolean): Promise<PopupStateResponse>;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The popup's state: the background's answers and what is derived from them. */
export function createPopupStore(api: PopupApi) {
  const status = signal<StatusResponse | undefined>(undefined);
  const statusFailed = signal(false);
  const popup = signal<PopupStateResponse | undefined>(undefined);
  const busy = signal(false);
  /** The last action's failure, shown until the next action. */
  const error = signal<{ kind: 'sign-in' | 'action'; message: string } | null>(null);

  const state = computed<ConnectionState>(() => {
    if (statusFailed.value) return 'error';
    if (!status.value) return 'checking';
    return status.value.reachable ? 'online' : 'offline';
  });
  const apiUrl = computed(() => status.value?.apiUrl ?? popup.value?.apiUrl);
  const session = computed(() => popup.value?.session);
  const activeOrg = computed(() => {
    const current = session.value;
    if (!current?.signedIn) return null;
    return popup.value?.orgs.find((org) => org.id === current.orgId) ?? null;
  });

  async function run(kind: 'sign-in' | 'action', action: () => Promise<PopupStateResponse>): Promise<void> {
    busy.value = true;
    error.value = null;
    try {
      popup.value = await action();
    } catch (failure) {
      error.value = { kind, message: messageOf(failure) };
    } finally {
      busy.value = false;
    }
  }

  async function refreshStatus(): Promise<void> {
    try {
      status.value = await api.status();
      statusFailed.value = false;
    } catch (failure) {
      console.error('Portrait: status unavailable', failure);
      statusFailed.value = true;
    }
  }

  async function refreshState(): Promise<void> {
    try {
      popup.value = await api.state();
    } catch (failure) {
      console.error('Portrait: popup state unavailable', failure);
      error.value = { kind: 'action', message: messageOf(failure) };
    }
  }

  return {
    state,
    apiUrl,
    popup,
    session,
    activeOrg,
    busy,
    error,
    async refresh(): Promise<void> {
      await Promise.all([refreshStatus(), refreshState()]);
    },
    signIn: (email: string, password: string) => run('sign-in', () => api.signIn(email, password)),
    signOut: () => run('action', () => api.signOut()),
    selectOrg: (orgId: string) => run('action', () => api.selectOrg(orgId)),
    setSite: (site: SiteId, enabled: boolean) => run('action', () => api.setSite(site, enabled)),
    answerInvitation: (invitationId: string, accept: boolean) => run('action', () => api.answerInvitation(invitationId, accept)),
  };
}

export type PopupStore = ReturnType<typeof createPopupStore>;
