// A shop order or customer page (participants mode `record`): its identifiers are one customer,
// so the overlay shows one card, never a switcher of the customer's own ids and addresses.
import { render, screen } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { Overlay } from '../../../extension/features/overlay/Overlay.tsx';
import { createOverlayStore } from '../../../extension/features/overlay/store.ts';
import type { Participants } from '../../../extension/sites/common/participants.ts';
import type { Identifier } from '../../../extension/platform/messaging/schemas.ts';
import { fakeBackground, now, page, portrait } from './data.ts';

const clock = () => now;
const order: Identifier = { kind: 'shop_order', value: 'shopify:5499000005' };
const account: Identifier = { kind: 'shop_customer', value: 'shopify:9001' };
const address: Identifier = { kind: 'email', value: 'li.wei@example.com' };

function record(identifiers: Identifier[], name?: string): Participants {
  const names = name ? Object.fromEntries(identifiers.map((id) => [`${id.kind}:${id.value}`, name])) : {};
  return { identifiers, anchor: null, mode: 'record', degraded: false, names };
}

describe('a page about one customer', () => {
  it('shows the customer the order id names, as one entry', async () => {
    const background = fakeBackground({ 'shopify:5499000005': portrait() });
    const store = createOverlayStore(background, page, clock);
    store.setParticipants(record([order, account, address], 'Li Wei'));
    expect(store.view.value.kind).toBe('hidden');
    await vi.waitFor(() => expect(store.view.value.kind).toBe('customer'));
    expect(store.entries.value).toHaveLength(1);
    expect(store.current.value?.identifier).toEqual(order);
    expect(background.lookup).toHaveBeenCalledWith([order, account, address]);
  });

  it('falls back to the address when the shop ids match nobody', async () => {
    const store = createOverlayStore(fakeBackground({ 'li.wei@example.com': portrait() }), page, clock);
    store.setParticipants(record([order, account, address]));
    await vi.waitFor(() => expect(store.view.value.kind).toBe('customer'));
    expect(store.current.value?.identifier).toEqual(address);
    expect(store.entries.value).toHaveLength(1);
  });

  it('shows an unknown customer by their address, so that they can be added as a lead by it', async () => {
    const background = fakeBackground();
    const store = createOverlayStore(background, page, clock);
    store.setParticipants(record([order, address], 'Robin Hale'));
    await vi.waitFor(() => expect(store.view.value.kind).toBe('unknown'));
    expect(store.current.value?.identifier).toEqual(address);
    await store.addLead();
    expect(background.write).toHaveBeenCalledWith(expect.objectContaining({ op: 'lead', identifier: address, displayName: 'Robin Hale' }));
  });

  it('counts an identifier the answer left out as unknown', async () => {
    const background = fakeBackground();
    background.lookup.mockImplementation(async () => ({ ok: true, session: { signedIn: false, reason: 'signed-out' }, results: [], fetchedAt: null, stale: false }));
    const store = createOverlayStore(background, page, clock);
    store.setParticipants(record([order]));
    await vi.waitFor(() => expect(store.status.value).toBe('ready'));
    expect(store.entries.value[0]?.portrait).toBeNull();
  });

  it('an unknown order without an address is named, with nothing to add a lead by', async () => {
    const store = createOverlayStore(fakeBackground(), page, clock);
    store.setParticipants(record([order, account]));
    render(<Overlay store={store} />);
    await vi.waitFor(() => expect(store.view.value.kind).toBe('unknown'));
    store.toggle();
    expect(await screen.findByRole('heading', { name: 'Order 5499000005' })).toBeTruthy();
    expect(screen.getByText('No customer has this shop record yet, and the page shows no email address to add them by.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Add as lead' })).toBeNull();
    expect(screen.queryByRole('navigation')).toBeNull();
  });
});
