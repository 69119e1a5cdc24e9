// How the card writes its numbers: the same decimals whatever the amount, no zero spend for a
// lead, a one-entry stage history as "since when".
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
});

async function card(shown: PortraitView) {
  const store = createOverlayStore(fakeBackground({ 'li.wei@example.com': shown }), page, () => now);
  store.setParticipants(participants(['li.wei@example.com']));
  await vi.waitFor(() => expect(store.view.value.kind).toBe('customer'));
  store.toggle();
  render(<Overlay store={store} />);
  return screen.getByTestId('portrait-card');
}

describe('numbers in the card', () => {
  it('money has the same decimals whatever its size', () => {
    setLocale('zh-CN');
    expect(formatMoney(1087, 'CNY')).toBe('¥1,087.00');
    expect(formatMoney(468, 'CNY')).toBe('¥468.00');
    setLocale('en');
    expect(formatMoney(1087, 'CNY')).toBe('CN¥1,087.00');
    expect(formatMoney(468, 'CNY')).toBe('CN¥468.00');
    expect(formatMoney(1_240, 'JPY')).toBe('¥1,240');
  });

  it('a lead with no orders shows no spend, not a zero amount', async () => {
    const body = await card(portrait({ orderCount: 0, netSpend: 0, aov: null, lastOrderAt: null, currency: 'CNY', stage: 'lead', computedStage: 'lead' }));
    expect(body.textContent).not.toContain('0.00');
    expect(body.textContent).toContain('Net spendNo orders yet');
  });

  it('satisfaction shows the last score on its scale and the average on 0–100, only once asked', async () => {
    const asked = await card(portrait({ satisfaction: { last: 8, max: 10, average: 62.5, at: '2025-03-04T10:00:00Z' } }));
    expect(asked.textContent).toContain('Satisfaction: last · avg8/10 · 63/100');
    cleanup();
    const never = await card(portrait({ satisfaction: null }));
    expect(never.textContent).not.toContain('Satisfaction');
  });

  it('a stage history with one entry says since when', async () => {
    const body = await card(portrait({ stage: 'lead', computedStage: 'lead', stageHistory: [{ from: null, to: 'lead', at: '2025-03-04T10:00:00Z', source: 'computed' }] }));
    expect(body.textContent).toContain('Lead since Mar 4, 2025');
    expect(within(body).queryByRole('list', { name: t('timeline') })).toBeNull();
  });

  it('in Chinese too', async () => {
    setLocale('zh-CN');
    t.use('zh-CN', dictionaries['zh-CN']);
    const body = await card(portrait({ stage: 'lead', computedStage: 'lead', stageHistory: [{ from: null, to: 'lead', at: '2025-03-04T10:00:00Z', source: 'computed' }] }));
    expect(body.textContent).toContain('自 2025年3月4日 起为');
  });
});
