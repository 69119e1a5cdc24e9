// Open (pending) orders in the card: listed below the key numbers with their amount and age, in
// both languages, and never counted in the numbers themselves.
import { cleanup, render, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Overlay } from '../../../extension/features/overlay/Overlay.tsx';
import { formatMoney } from '../../../extension/features/overlay/format.ts';
import { createOverlayStore } from '../../../extension/features/overlay/store.ts';
import { dictionaries, t } from '../../../extension/features/overlay/texts.ts';
import { setLocale } from '../../../extension/platform/i18n/i18n.ts';
import type { PortraitView } from '../../../extension/platform/messaging/schemas.ts';
import { fakeBackground, now, page, participants, portrait } from './data.ts';

afterEach(() => {
  cleanup();
  setLocale('en');
  t.use('en', dictionaries.en);
});

const twoDaysAgo = new Date(now - 2 * 86_400_000).toISOString();

async function card(shown: PortraitView) {
  const store = createOverlayStore(fakeBackground({ 'li.wei@example.com': shown }), page, () => now);
  store.setParticipants(participants(['li.wei@example.com']));
  await vi.waitFor(() => expect(store.view.value.kind).toBe('customer'));
  store.toggle();
  render(<Overlay store={store} />);
  return screen.getByTestId('portrait-card');
}

const heading = /^(Open orders|未完成订单)/;
const openSection = (body: HTMLElement) => within(body).getByRole('region', { name: heading });

describe('open orders in the card', () => {
  it('lists a pending order with its amount and age, below the numbers, which do not count it', async () => {
    const body = await card(portrait({ orderCount: 0, netSpend: 0, aov: null, lastOrderAt: null, openOrders: [{ total: 1240, currency: 'USD', at: twoDaysAgo }], openOrderCount: 1 }));
    const section = openSection(body);
    expect(section.textContent).toContain(formatMoney(1240, 'USD'));
    expect(section.textContent).toContain('$1,240.00');
    expect(section.textContent).toContain('2 days ago');
    expect(within(section).getByRole('heading').textContent).toBe('Open orders: 1, not counted above');
    // The key numbers still say no orders and no spend.
    const list = within(body).getByLabelText(t('numbers'));
    expect(list.textContent).toContain('Net spendNo orders yet');
    expect(list.textContent).not.toContain('1,240');
    // Below the numbers.
    expect(list.compareDocumentPosition(section) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it('shows the newest three and says how many there are in all', async () => {
    const at = twoDaysAgo;
    const body = await card(
      portrait({ openOrders: [{ total: 10, currency: 'EUR', at }, { total: 20, currency: 'EUR', at }, { total: 30, currency: 'EUR', at }], openOrderCount: 5 }),
    );
    const section = openSection(body);
    expect(within(section).getAllByRole('listitem')).toHaveLength(3);
    expect(within(section).getByRole('heading').textContent).toBe('Open orders: 5, not counted above');
  });

  it('shows nothing when there are none', async () => {
    const body = await card(portrait());
    expect(within(body).queryByRole('region', { name: heading })).toBeNull();
    cleanup();
    const none = await card(portrait({ openOrders: [], openOrderCount: 0 }));
    expect(within(none).queryByRole('region', { name: heading })).toBeNull();
  });

  it('in Chinese too', async () => {
    setLocale('zh-CN');
    t.use('zh-CN', dictionaries['zh-CN']);
    const body = await card(portrait({ openOrders: [{ total: 1240, currency: 'CNY', at: twoDaysAgo }], openOrderCount: 2 }));
    const section = openSection(body);
    expect(section.textContent).toContain('¥1,240.00');
    expect(section.textContent).toContain('前天');
    expect(within(section).getByRole('heading').textContent).toBe('未完成订单：2 笔，未计入上方数据');
  });
});
