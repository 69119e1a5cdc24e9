import { computed, signal } from '@preact/signals';
import type { StatusResponse } from '../lib/messages.ts';

export type ConnectionState = 'checking' | 'online' | 'offline' | 'error';

/** The popup's state: the status the background answered, and the connection state derived from it. */
export function createPopupStore(requestStatus: () => Promise<StatusResponse>) {
  const status = signal<StatusResponse | undefined>(undefined);
  const failed = signal(false);

  const state = computed<ConnectionState>(() => {
    if (failed.value) return 'error';
    if (!status.value) return 'checking';
    return status.value.reachable ? 'online' : 'offline';
  });
  const apiUrl = computed(() => status.value?.apiUrl);

  async function refresh(): Promise<void> {
    try {
      status.value = await requestStatus();
      failed.value = false;
    } catch (error) {
      console.error('Portrait: status unavailable', error);
      failed.value = true;
    }
  }

  return { state, apiUrl, refresh };
}

export type PopupStore = ReturnType<typeof createPopupStore>;
