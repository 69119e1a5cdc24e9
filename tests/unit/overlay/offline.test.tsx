// Offline is visible: the card says the data is what was fetched before, a lookup that cannot be
// made says the browser is offline, and writes waiting to be sent are counted.
import { cleanup, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Overlay } from '../../../extension/features/overlay/Overlay.tsx';
import { createOverlayStore } from '../../../extension/features/overlay/store.ts';
import { PageRequestError } from '../../../extension/features/page-client.ts';
import { fakeBackground, now, page, participants, portrait } from './data.ts';

afterEach(cleanup);

describe('offline', () => {
  it('the card says it is offline instead of "Updated just now", with the writes waiting to be sent', async () => {
    const background = fakeBackground({ 'li.wei@example.com': portrait() });
    const store = createOverlayStore(background, page, () => now);
    store.setParticipants(participants(['li.wei@example.com']));
    await vi.waitFor(() => expect(store.view.value.kind).toBe('customer'));
    store.toggle();
    render(<Overlay store={store} />);
    expect(screen.getByTestId('portrait-card-footer').textContent).toContain('Updated just now');

    store.setOnline(false);
    store.addTag('wholesale-2');
    await vi.waitFor(() => expect(store.waitingToSend.value).toBe(1));
    const footer = await screen.findByTestId('portrait-card-footer');
    expect(footer.textContent).not.toContain('Updated');
    expect(footer.textContent).toContain('Offline · showing data fetched just now');
    expect(footer.textContent).toContain('waiting to be sent: 1');
  });

  it('a lookup that cannot be made says the browser is offline; back online, it is made again', async () => {
    const background = fakeBackground({ 'li.wei@example.com': portrait() });
    background.lookup.mockRejectedValueOnce(new PageRequestError('failed', 'The API cannot be reached'));
    const store = createOverlayStore(background, page, () => now);
    store.setOnline(false);
    store.setParticipants(participants(['li.wei@example.com']));
    await vi.waitFor(() => expect(store.view.value.kind).toBe('unavailable'));
    store.toggle();
    render(<Overlay store={store} />);
    expect(screen.getByTestId('portrait-card').textContent).toContain('The browser is offline');
    expect(screen.getByTestId('portrait-pill').textContent).toContain('Offline');

    store.setOnline(true);
    await vi.waitFor(() => expect(store.view.value.kind).toBe('customer'));
    expect(background.lookup).toHaveBeenCalledTimes(2);
  });
});
