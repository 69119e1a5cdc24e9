// The segment engine's definitions (supabase/README.md, section 3) in plain TypeScript: the classification the database
// computes (supabase/migrations/20261123001040_classification.sql), step by step, and the texts that
// explain the reasons it stores in customer_profiles.reasons. The database is the engine; this file
// is its reference, used by the tests to check it (it ships nowhere: the tests' oracle).
//
// Money is handled in cents (integers) so that sums, averages and comparisons are exact.
import type { LifecycleStage, RfmSegment, TicketBand, ValueTier } from '../../shared/rules.ts';

export const DAY_MS = 86_400_000;

/** Days since `earlier` as of `later` (epoch milliseconds): floor((later − earlier) / 24 h). */
export function daysBetween(later: number, earlier: number): number {
  return Math.floor((later - earlier) / DAY_MS);
}

/** The lifecycle windows of the organization settings (shared/settings.ts). */
export interface LifecycleWindows {
  lead_event_days: number;
  new_order_days: number;
  at_risk_days: number;
  churned_days: number;
  reactivated_gap_days: number;
  reactivated_recent_days: number;
  loyal_min_orders: number;
}

export const DEFAULT_LIFECYCLE: LifecycleWindows = {
  lead_event_days: 90,
  new_order_days: 30,
  at_risk_days: 90,
  churned_days: 180,
  reactivated_gap_days: 180,
  reactivated_recent_days: 90,
  loyal_min_orders: 4,
};

export type OrderStatus = 'paid' | 'refunded' | 'cancelled' | 'pending';

export interface OrderFact {
  /** epoch ms */
  orderedAt: number;
  totalCents: number;
  refundedCents: number;
  status: OrderStatus;
}

/** A customer's statistics as the engine keeps them (customer_profiles). Times in epoch ms. */
export interface CustomerStats {
  orderCount: number;
  netSpendCents: number;
  firstOrderAt: number | null;
  lastOrderAt: number | null;
  previousOrderAt: number | null;
  lastEventAt: number | null;
}

/** Counted orders are paid ones (a partial refund keeps an order paid); net spend is Σ (total − refunded). */
export function statsFromOrders(orders: readonly OrderFact[], eventTimes: readonly number[] = []): CustomerStats {
  const paid = orders.filter((o) => o.status === 'paid').map((o) => o.orderedAt).sort((a, b) => b - a);
  return {
    orderCount: paid.length,
    netSpendCents: orders.filter((o) => o.status === 'paid').reduce((sum, o) => sum + o.totalCents - o.refundedCents, 0),
    firstOrderAt: paid.length ? paid[paid.length - 1]! : null,
    lastOrderAt: paid.length ? paid[0]! : null,
    previousOrderAt: paid.length >= 2 ? paid[1]! : null,
    lastEventAt: eventTimes.length ? Math.max(...eventTimes) : null,
  };
}

/** AOV in cents: net spend / order count rounded to the cent (half away from zero); null for non-buyers. */
export function aovCents(stats: Pick<CustomerStats, 'orderCount' | 'netSpendCents'>): number | null {
  if (stats.orderCount === 0) return null;
  const q = stats.netSpendCents / stats.orderCount;
  return Math.sign(q) * Math.round(Math.abs(q));
}

/** The lifecycle stage, first match (supabase/README.md, section 3). */
export function lifecycleStage(stats: CustomerStats, now: number, w: LifecycleWindows = DEFAULT_LIFECYCLE): LifecycleStage {
  const n = stats.orderCount;
  if (n === 0) {
    if (stats.lastEventAt === null || daysBetween(now, stats.lastEventAt) > w.lead_event_days) return 'prospect';
    return 'lead';
  }
  const days = daysBetween(now, stats.lastOrderAt!);
  if (
    n >= 2 &&
    days <= w.reactivated_recent_days &&
    stats.previousOrderAt !== null &&
    daysBetween(stats.lastOrderAt!, stats.previousOrderAt) > w.reactivated_gap_days
  ) {
    return 'reactivated';
  }
  if (n === 1 && days <= w.new_order_days) return 'new';
  if (days > w.churned_days) return 'churned';
  if (days > w.at_risk_days) return 'at_risk';
  if (n >= w.loyal_min_orders) return 'loyal';
  return 'active';
}

/** The moment the lifecycle stage next changes with no new order or event (epoch ms), or null. */
export function nextLifecycleTransition(stats: CustomerStats, now: number, w: LifecycleWindows = DEFAULT_LIFECYCLE): number | null {
  const n = stats.orderCount;
  if (n === 0) {
    if (stats.lastEventAt === null) return null;
    return daysBetween(now, stats.lastEventAt) <= w.lead_event_days ? stats.lastEventAt + (w.lead_event_days + 1) * DAY_MS : null;
  }
  const days = daysBetween(now, stats.lastOrderAt!);
  const gap = stats.previousOrderAt === null ? null : daysBetween(stats.lastOrderAt!, stats.previousOrderAt);
  const candidates = [
    n === 1 && days <= w.new_order_days ? w.new_order_days + 1 : null,
    n >= 2 && gap !== null && gap > w.reactivated_gap_days && days <= w.reactivated_recent_days ? w.reactivated_recent_days + 1 : null,
    days <= w.at_risk_days ? w.at_risk_days + 1 : null,
    days <= w.churned_days ? w.churned_days + 1 : null,
  ].filter((d): d is number => d !== null);
  return candidates.length ? stats.lastOrderAt! + Math.min(...candidates) * DAY_MS : null;
}

/** percentile_disc: the first value (ascending) whose position reaches the fraction; null for none. */
export function percentileDisc<T>(sortedAscending: readonly T[], fraction: number): T | null {
  if (sortedAscending.length === 0) return null;
  const position = Math.max(1, Math.ceil(fraction * sortedAscending.length));
  return sortedAscending[Math.min(position, sortedAscending.length) - 1]!;
}

export interface CutPoints {
  buyers: number;
  /** q20, q40, q60, q80 of days since the last order over buyers. */
  recencyDays: number[];
  /** q20, q40, q60, q80 of net spend (cents) over buyers. */
  monetaryCents: number[];
  vipMinCents: number | null;
  superMinCents: number | null;
  medianAovCents: number | null;
}

/** Cut points over the buyers among `customers`, as of `now`. */
export function cutPoints(customers: readonly CustomerStats[], now: number, tiers = { vip_percentile: 0.9, super_percentile: 0.99 }): CutPoints {
  const buyers = customers.filter((c) => c.orderCount > 0);
  const days = buyers.map((c) => daysBetween(now, c.lastOrderAt!)).sort((a, b) => a - b);
  const spend = buyers.map((c) => c.netSpendCents).sort((a, b) => a - b);
  const aov = buyers.map((c) => aovCents(c)!).sort((a, b) => a - b);
  const quintiles = [0.2, 0.4, 0.6, 0.8];
  return {
    buyers: buyers.length,
    recencyDays: buyers.length ? quintiles.map((q) => percentileDisc(days, q)!) : [],
    monetaryCents: buyers.length ? quintiles.map((q) => percentileDisc(spend, q)!) : [],
    vipMinCents: percentileDisc(spend, tiers.vip_percentile),
    superMinCents: percentileDisc(spend, tiers.super_percentile),
    medianAovCents: percentileDisc(aov, 0.5),
  };
}

/** F: 1, 2, 3 for 1, 2, 3 orders; 4 for 4–5; 5 for 6 or more; null for non-buyers. */
export function fScore(orderCount: number): number | null {
  if (orderCount <= 0) return null;
  if (orderCount >= 6) return 5;
  if (orderCount >= 4) return 4;
  return orderCount;
}

/** R = 1 + #{cut c : days < c}. */
export function rScore(days: number, recencyCuts: readonly number[]): number | null {
  if (recencyCuts.length === 0) return null;
  return 1 + recencyCuts.filter((c) => days < c).length;
}

/** M = 1 + #{cut c : net spend > c}. */
export function mScore(netSpendCents: number, monetaryCuts: readonly number[]): number | null {
  if (monetaryCuts.length === 0) return null;
  return 1 + monetaryCuts.filter((c) => netSpendCents > c).length;
}

/** The RFM segment from R × F, first match (supabase/README.md, section 3). */
export function rfmSegment(r: number | null, f: number | null): RfmSegment | null {
  if (r === null || f === null) return null;
  if (r === 5 && f >= 4) return 'champions';
  if (r >= 3 && r <= 4 && f >= 4) return 'loyal';
  if (r >= 4 && f >= 2 && f <= 3) return 'potential_loyalist';
  if (r === 5 && f === 1) return 'new_customer';
  if (r === 4 && f === 1) return 'promising';
  if (r === 3 && f === 3) return 'need_attention';
  if (r === 3 && f <= 2) return 'about_to_sleep';
  if (r <= 2 && f === 5) return 'cant_lose';
  if (r <= 2 && f >= 3 && f <= 4) return 'at_risk';
  if (r === 1 && f === 1) return 'lost';
  return 'hibernating';
}

export function valueTier(stats: Pick<CustomerStats, 'orderCount' | 'netSpendCents'>, cuts: CutPoints): ValueTier {
  if (stats.orderCount === 0) return 'normal';
  if (cuts.superMinCents !== null && stats.netSpendCents >= cuts.superMinCents) return 'super';
  if (cuts.vipMinCents !== null && stats.netSpendCents >= cuts.vipMinCents) return 'vip';
  return 'normal';
}

export function ticketBand(stats: Pick<CustomerStats, 'orderCount' | 'netSpendCents'>, cuts: CutPoints): TicketBand | null {
  const aov = aovCents(stats);
  if (aov === null || cuts.medianAovCents === null) return null;
  return aov >= cuts.medianAovCents ? 'high' : 'low';
}

export interface Classification {
  lifecycle_stage: LifecycleStage;
  r_score: number | null;
  f_score: number | null;
  m_score: number | null;
  rfm_segment: RfmSegment | null;
  value_tier: ValueTier;
  ticket_band: TicketBand | null;
  aov_cents: number | null;
}

/** Everything the engine computes from a customer's statistics, given the cut points. */
export function classify(stats: CustomerStats, now: number, cuts: CutPoints, w: LifecycleWindows = DEFAULT_LIFECYCLE): Classification {
  const buyer = stats.orderCount > 0;
  const r = buyer ? rScore(daysBetween(now, stats.lastOrderAt!), cuts.recencyDays) : null;
  const f = fScore(stats.orderCount);
  const m = buyer ? mScore(stats.netSpendCents, cuts.monetaryCents) : null;
  return {
    lifecycle_stage: lifecycleStage(stats, now, w),
    r_score: r,
    f_score: f,
    m_score: m,
    rfm_segment: buyer ? rfmSegment(r, f) : null,
    value_tier: valueTier(stats, cuts),
    ticket_band: ticketBand(stats, cuts),
    aov_cents: aovCents(stats),
  };
}

/** One reason as stored in customer_profiles.reasons[field]: a code and the numbers behind it. */
export interface Reason {
  code: string;
  [number: string]: unknown;
}

export type Language = 'en' | 'zh';

const daysAgo = (at: unknown, now: number) => (typeof at === 'string' ? daysBetween(now, Date.parse(at)) : null);

/** A short explanation of a stored reason, in English or Chinese; `now` turns dates into "N days ago". */
export function explainReason(field: string, reason: Reason, language: Language = 'en', now: number = Date.now()): string {
  const r = reason as Record<string, unknown>;
  const ago = daysAgo(r.last_order_at, now);
  const en = language === 'en';
  switch (reason.code) {
    case 'no_orders_no_recent_event':
      return en
        ? `No orders, and no contact in the last ${r.window_days} days`
        : `没有订单，近 ${r.window_days} 天也没有互动`;
    case 'no_orders_recent_event':
      return en ? `No orders yet, but in contact within ${r.window_days} days` : `尚无订单，但 ${r.window_days} 天内有互动`;
    case 'returned_after_gap':
      return en
        ? `Ordered again ${ago} days ago after a gap of ${r.gap_days} days`
        : `间隔 ${r.gap_days} 天后于 ${ago} 天前再次下单`;
    case 'first_order_recent':
      return en ? `First order ${ago} days ago` : `首单在 ${ago} 天前`;
    case 'no_order_beyond_churned_days':
      return en ? `No order for ${ago} days (more than ${r.threshold_days})` : `${ago} 天未下单（超过 ${r.threshold_days} 天）`;
    case 'no_order_beyond_at_risk_days':
      return en ? `No order for ${ago} days (more than ${r.threshold_days})` : `${ago} 天未下单（超过 ${r.threshold_days} 天）`;
    case 'many_recent_orders':
      return en
        ? `${r.order_count} orders, the last ${ago} days ago`
        : `共 ${r.order_count} 单，最近一次在 ${ago} 天前`;
    case 'recent_buyer':
      return en ? `Last order ${ago} days ago` : `最近一次下单在 ${ago} 天前`;
    case 'recency_quintile':
      return en ? `Recency score ${r.score} of 5 (last order ${ago} days ago)` : `最近一次消费得分 ${r.score}/5（${ago} 天前）`;
    case 'order_count_bucket':
      return en ? `Frequency score ${r.score} of 5 (${r.order_count} orders)` : `消费频率得分 ${r.score}/5（${r.order_count} 单）`;
    case 'monetary_quintile':
      return en ? `Monetary score ${r.score} of 5 (net spend ${r.net_spend})` : `消费金额得分 ${r.score}/5（净消费 ${r.net_spend}）`;
    case 'recency_frequency_grid':
      return en ? `Recency ${r.r} × frequency ${r.f}` : `最近消费 ${r.r} × 消费频率 ${r.f}`;
    case 'top_spender':
    case 'high_spender':
    case 'below_vip_percentile': {
      const percent = Math.round((1 - Number(r.percentile)) * 1000) / 10;
      if (reason.code === 'below_vip_percentile') {
        return en ? `Net spend ${r.net_spend}, below the top ${percent}%` : `净消费 ${r.net_spend}，未进入前 ${percent}%`;
      }
      return en ? `Net spend ${r.net_spend}, in the top ${percent}% of buyers` : `净消费 ${r.net_spend}，位于买家前 ${percent}%`;
    }
    case 'aov_at_or_above_median':
      return en ? `Average order ${r.aov}, at or above the median` : `客单价 ${r.aov}，不低于中位数`;
    case 'aov_below_median':
      return en ? `Average order ${r.aov}, below the median` : `客单价 ${r.aov}，低于中位数`;
    case 'customers_referred':
      return en ? `Referred ${r.count} customers` : `推荐了 ${r.count} 位客户`;
    case 'marked_invalid':
      return en ? `Marked invalid${r.reason ? `: ${r.reason}` : ''}` : `已标记为无效${r.reason ? `：${r.reason}` : ''}`;
    case 'no_orders':
      return en ? 'No orders yet' : '尚无订单';
    case 'no_cut_points':
      return en ? 'Not scored until the next full recompute' : '下次全量计算后评分';
    default:
      return en ? `${field}: ${reason.code}` : `${field}：${reason.code}`;
  }
}
