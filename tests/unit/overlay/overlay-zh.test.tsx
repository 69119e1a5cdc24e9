// The overlay in Simplified Chinese: the texts the background delivers, the vocabulary of extension/README.md,
// numbers and dates written for the locale, and the stage reasons in the engine's words.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stageReasonText } from '../../../extension/features/overlay/CustomerCard.tsx';
import { dictionaries, t } from '../../../extension/features/overlay/texts.ts';
import { Overlay } from '../../../extension/features/overlay/Overlay.tsx';
import { createOverlayStore } from '../../../extension/features/overlay/store.ts';
import { setLocale, type Locale } from '../../../extension/platform/i18n/i18n.ts';
import type { LifecycleStage, PortraitView } from '../../../extension/platform/messaging/schemas.ts';
import { explainReason } from '../../oracle/engine.ts';
import { fakeBackground, now, page, participants, portrait } from './data.ts';

const daysAgo = (days: number) => new Date(now - days * 86_400_000).toISOString();

function speak(locale: Locale) {
  // As the content script does with the page settings.
  t.use(locale, dictionaries[locale]);
  setLocale(locale);
}

beforeEach(() => speak('zh-CN'));

afterEach(() => {
  cleanup();
  setLocale('en');
});

async function expandedCard(view: PortraitView) {
  const store = createOverlayStore(fakeBackground({ 'li.wei@example.com': view }), page, () => now);
  store.setParticipants(participants(['li.wei@example.com']));
  render(<Overlay store={store} />);
  await waitFor(() => expect(store.view.value.kind).toBe('customer'));
  fireEvent.click(screen.getByTestId('portrait-pill'));
  return screen.getByRole('region', { name: 'Portrait 客户画像卡片' });
}

describe('the overlay in 简体中文', () => {
  it('shows the stage, its reason, badges, numbers and dates in Chinese', async () => {
    const card = await expandedCard(portrait());
    expect(screen.getByTestId('portrait-pill').textContent).toContain('沉睡客户');
    expect(screen.getByTestId('portrait-overlay').getAttribute('lang')).toBe('zh-CN');
    const text = card.textContent!;
    expect(text).toContain('负责人：Sam Rep');
    expect(within(card).getByRole('region', { name: '生命周期阶段' }).textContent).toContain('142 天未下单（超过 90 天）。');
    const badges = within(card).getByRole('list', { name: '客户分类' }).textContent;
    expect(badges).toContain('贵宾');
    expect(badges).toContain('不可流失客户 R2 F5 M5');
    expect(badges).toContain('高客单');
    expect(badges).toContain('合作伙伴');
    expect(text).toContain('订单数7');
    expect(text).toContain('净消费€12,840.50');
    expect(text).toContain('客单价€1,834');
    expect(text).toContain('最近一次下单142天前');
    // The timeline's dates, written the Chinese way.
    expect(within(card).getByRole('list', { name: '阶段历史' }).textContent).toContain('2024年10月19日');
    expect(text).toContain('标签');
    expect(within(card).getByRole('button', { name: '移除标签 wholesale' })).toBeTruthy();
    expect(text).toContain('客户细分');
    expect(text).toContain('最新备注');
    expect(text).toContain('在 Supabase Studio 中打开');
    expect(text).toContain('更新于刚刚');
    expect(text).toContain('画像计算于3小时前');
  });

  it('names every stage, tier, RFM segment and ticket band in the vocabulary of extension/README.md', () => {
    const stages: Record<LifecycleStage, string> = {
      prospect: '潜在客户',
      lead: '意向客户',
      new: '新客户',
      active: '活跃客户',
      loyal: '忠诚客户',
      at_risk: '沉睡客户',
      churned: '流失客户',
      reactivated: '回流客户',
    };
    for (const [stage, name] of Object.entries(stages)) expect(t(`stage.${stage as LifecycleStage}`)).toBe(name);
    expect([t('tier.normal'), t('tier.vip'), t('tier.super')]).toEqual(['普通', '贵宾', '超级贵宾']);
    expect([t('ticket.high'), t('ticket.low'), t('partner'), t('invalid')]).toEqual(['高客单', '低客单', '合作伙伴', '无效客户']);
    for (const segment of ['champions', 'loyal', 'potential_loyalist', 'new_customer', 'promising', 'need_attention', 'about_to_sleep', 'cant_lose', 'at_risk', 'lost', 'hibernating']) {
      expect(t.has(`rfm.${segment}`), segment).toBe(true);
      expect(t(`rfm.${segment}` as never)).toMatch(/\p{Script=Han}/u);
    }
  });

  it('offers an unknown address as a lead in Chinese', async () => {
    const store = createOverlayStore(fakeBackground({}), page, () => now);
    store.setParticipants(participants(['a@example.com']));
    render(<Overlay store={store} />);
    await waitFor(() => expect(screen.getByTestId('portrait-pill').textContent).toContain('尚不是客户'));
    fireEvent.click(screen.getByTestId('portrait-pill'));
    expect(screen.getByRole('button', { name: '添加为意向客户' })).toBeTruthy();
  });
});

describe('stage reasons', () => {
  // Each lifecycle reason as the engine stores it (supabase/migrations/…_classification.sql).
  const reasons: Array<[LifecycleStage, Record<string, number | string>]> = [
    ['prospect', { code: 'no_orders_no_recent_event', window_days: 90 }],
    ['lead', { code: 'no_orders_recent_event', last_event_at: daysAgo(5), window_days: 90 }],
    ['reactivated', { code: 'returned_after_gap', order_count: 3, last_order_at: daysAgo(12), previous_order_at: daysAgo(400), gap_days: 388, window_days: 90 }],
    ['new', { code: 'first_order_recent', last_order_at: daysAgo(10), window_days: 30 }],
    ['churned', { code: 'no_order_beyond_churned_days', last_order_at: daysAgo(200), threshold_days: 180 }],
    ['at_risk', { code: 'no_order_beyond_at_risk_days', last_order_at: daysAgo(120), threshold_days: 90 }],
    ['loyal', { code: 'many_recent_orders', order_count: 8, min_orders: 4, last_order_at: daysAgo(12), at_risk_days: 90 }],
    ['active', { code: 'recent_buyer', order_count: 2, last_order_at: daysAgo(30), at_risk_days: 90 }],
  ];
  // The engine writes "12 天前" where Intl writes "12天前", and ends without a full stop.
  const comparable = (text: string) => text.replace(/\s+/g, '').replace(/[.。]$/, '');

  it.each(reasons)("say why a customer is %s in the engine's words, in both languages", (stage, stored) => {
    const { code, ...values } = stored;
    const view = portrait({ stage, computedStage: stage, stageReason: { code: String(code), values } });
    for (const [locale, language] of [['en', 'en'], ['zh-CN', 'zh']] as const) {
      speak(locale);
      expect(comparable(stageReasonText(view, now))).toBe(comparable(explainReason('lifecycle_stage', { ...stored, code: String(code) }, language, now)));
    }
  });

  it("fall back to the stage's rule for an unknown reason, a reason without its numbers, or none", () => {
    speak('en');
    const at = (stageReason: PortraitView['stageReason']) => stageReasonText(portrait({ computedStage: 'prospect', stageReason }), now);
    expect(at(null)).toBe('No orders, no recent contact.');
    expect(at({ code: 'a_code_from_a_newer_engine' })).toBe('No orders, no recent contact.');
    // The profile's first reason, written before the engine ran, has no numbers.
    expect(at({ code: 'no_orders_no_recent_event' })).toBe('No orders, no recent contact.');
    speak('zh-CN');
    expect(at({ code: 'no_orders_no_recent_event' })).toBe('没有订单，近期没有互动。');
    expect(at({ code: 'no_orders_no_recent_event', values: { window_days: 90 } })).toBe('没有订单，近 90 天也没有互动。');
  });

  it('say "yesterday", not "1 days ago"', () => {
    speak('en');
    const view = portrait({ computedStage: 'new', stageReason: { code: 'first_order_recent', values: { last_order_at: daysAgo(1), window_days: 30 } } });
    expect(stageReasonText(view, now)).toBe('First order yesterday.');
    speak('zh-CN');
    expect(stageReasonText(view, now)).toBe('首单在昨天。');
  });
});
