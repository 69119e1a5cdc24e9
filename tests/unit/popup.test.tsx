import { cleanup, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPopupStore } from '../../extension/components/popup-store.ts';
import { Popup } from '../../extension/components/Popup.tsx';
import type { StatusResponse } from '../../extension/lib/messages.ts';

const apiUrl = 'http://127.0.0.1:54321';

function renderPopup(requestStatus: () => Promise<StatusResponse>) {
  return render(<Popup store={createPopupStore(requestStatus)} />);
}

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('Popup', () => {
  it('shows the name and that it is checking before the background answers', () => {
    renderPopup(() => new Promise(() => {}));
    expect(screen.getByRole('heading', { name: 'Portrait' })).toBeTruthy();
    expect(screen.getByTestId('connection-state').dataset.state).toBe('checking');
  });

  it('shows the API URL and a connected state', async () => {
    renderPopup(async () => ({ ok: true, apiUrl, reachable: true }));
    await waitFor(() => expect(screen.getByTestId('connection-state').dataset.state).toBe('online'));
    expect(screen.getByText('Connected')).toBeTruthy();
    expect(screen.getByTestId('api-url').textContent).toBe(apiUrl);
  });

  it('shows offline when the API is not reachable', async () => {
    renderPopup(async () => ({ ok: true, apiUrl, reachable: false }));
    await waitFor(() => expect(screen.getByText('Offline: API not reachable')).toBeTruthy());
  });

  it('shows an unknown state when the background does not answer', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    renderPopup(() => Promise.reject(new Error('no receiver')));
    await waitFor(() => expect(screen.getByTestId('connection-state').dataset.state).toBe('error'));
    expect(logged).toHaveBeenCalled();
  });

  it('renders a hostile API URL as text', async () => {
    const hostile = '<img src=x onerror="alert(1)">';
    const { container } = renderPopup(async () => ({ ok: true, apiUrl: hostile, reachable: false }));
    await waitFor(() => expect(screen.getByTestId('api-url').textContent).toBe(hostile));
    expect(container.querySelector('img')).toBeNull();
  });
});
