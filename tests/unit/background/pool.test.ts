// The pool (公海) and the members through the whole background (fake API): the Overview page's pool
// list (reps and admins, a stage/tier filter made into a segment rule, never from content
// scripts), claims from it through the write queue (exactly once, kept while offline), the card's
// member list for "Assign to…" (admins only), and the popup's customers returning to the pool.
import { afterEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createBackground } from '../../../extension/background/service.ts';
import { poolFilter } from '../../../extension/features/overview/background.ts';
import { poolReturnsWithinDays } from '../../../extension/features/popup/background.ts';
import type { PopupStateResponse } from '../../../extension/features/popup/schemas.ts';
import { memoryArea, storageArea } from '../../../extension/platform/storage/storage.ts';
import type { Membership } from '../../../extension/background/rpc.ts';
import { fakeBackend, manualClock, orgA, orgB, userId } from './fakes.ts';

afterEach(() => {
  fakeBrowser.reset();
});

const runtimeId = fakeBrowser.runtime.id;
const overviewPage = { id: runtimeId, url: `chrome-extension://${runtimeId}/overview.html` };
const gmailTab = { id: runtimeId, url: 'https://mail.google.com/mail/u/0/#inbox', tab: { id: 3 }, frameId: 0 };
const poolCustomer = '55555555-5555-4555-8555-555555555555';
const writeAnswerMs = 500;

const row = (id: string, overrides: Record<string, unknown> = {}) => ({
  customer_id: id,
  display_name: 'Mei Pool',
  primary_email: 'mei@example.com',
  primary_phone: null,
  lifecycle_stage: 'at_risk' as const,
  value_tier: 'vip' as const,
  net_spend: 1280.5,
  order_count: 4,
  last_order_at: '2026-06-01T08:00:00+00:00',
  pooled_at: '2026-11-01T00:00:00+00:00',
  ...overrides,
});

async function start(role: Membership['role'] = 'rep') {
  const orgs: Membership[] = [
    { id: orgA, name: 'Lotus Trading', role, currency: 'CNY', defaultPhoneRegion: 'CN', internalDomains: [] },
    { id: orgB, name: 'Orchid Supply', role: 'staff', currency: 'USD', defaultPhoneRegion: 'US', internalDomains: [] },
  ];
  const server = fakeBackend({ orgs });
  const clock = manualClock();
  let ids = 0;
  const background = createBackground({
    runtimeId,
    extensionOrigin: `chrome-extension://${runtimeId}/`,
    local: storageArea(fakeBrowser.storage.local),
    session: memoryArea(),
    push: async () => undefined,
    buildApi: { apiUrl: server.backend.apiUrl, anonKey: server.backend.anonKey },
    createBackend: () => server.backend,
    clock,
    random: () => 0.5,
    newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
    writeAnswerMs,
  });
  const send = async (message: unknown, sender: object = overviewPage) => {
    const answer = background.handleMessage(message, sender);
    await clock.advance(writeAnswerMs);
    return answer;
  };
  await send({ type: 'account/sign-in', email: 'rep@lotus.test', password: 'correct horse battery' });
  return { server, send, background, clock };
}

describe('the pool filter', () => {
  it('is no rule for the whole pool, one condition for one filter, all of both for two', () => {
    expect(poolFilter(null, null)).toBeNull();
    expect(poolFilter('churned', null)).toEqual({ field: 'lifecycle_stage', op: 'in', value: ['churned'] });
    expect(poolFilter(null, 'super')).toEqual({ field: 'value_tier', op: 'in', value: ['super'] });
    expect(poolFilter('active', 'vip')).toEqual({
      all: [
        { field: 'lifecycle_stage', op: 'in', value: ['active'] },
        { field: 'value_tier', op: 'in', value: ['vip'] },
      ],
    });
  });
});

describe('overview/pool', () => {
  it("answers a rep with the organization's pool, its currency, and the filter as a segment rule", async () => {
    const { server, send } = await start();
    server.state.pool = [row(poolCustomer), row(orgB, { display_name: null, primary_email: null, primary_phone: '+8613800138000', order_count: 0, net_spend: 0 })];
    const answer = await send({ type: 'overview/pool', orgId: orgA, stage: 'at_risk', tier: null });
    expect(answer).toEqual({
      ok: true,
      currency: 'CNY',
      customers: [
        {
          customerId: poolCustomer,
          name: 'Mei Pool',
          email: 'mei@example.com',
          phone: null,
          stage: 'at_risk',
          tier: 'vip',
          netSpend: 1280.5,
          orderCount: 4,
          lastOrderAt: '2026-06-01T08:00:00+00:00',
          pooledAt: '2026-11-01T00:00:00+00:00',
        },
        expect.objectContaining({ customerId: orgB, name: '+8613800138000', orderCount: 0 }),
      ],
    });
    expect(server.poolCalls).toEqual([{ orgId: orgA, filter: { field: 'lifecycle_stage', op: 'in', value: ['at_risk'] }, limit: 50 }]);
  });

  it('refuses staff, non-members and content scripts without calling the API', async () => {
    const { server, send } = await start();
    expect(await send({ type: 'overview/pool', orgId: orgB, stage: null, tier: null })).toEqual({
      ok: false,
      error: 'forbidden',
      message: 'The pool is for sales reps and admins',
    });
    expect(await send({ type: 'overview/pool', orgId: '33333333-3333-4333-8333-333333333333', stage: null, tier: null })).toMatchObject({ ok: false, error: 'forbidden' });
    expect(await send({ type: 'overview/pool', orgId: orgA, stage: null, tier: null }, gmailTab)).toMatchObject({ ok: false, error: 'forbidden' });
    expect(await send({ type: 'overview/pool', orgId: orgA, stage: 'vip', tier: null })).toMatchObject({ ok: false, error: 'invalid-message' });
    expect(server.poolCalls).toEqual([]);
  });

  it('reports an unreachable API as a failure', async () => {
    const { server, send } = await start();
    server.state.online = false;
    expect(await send({ type: 'overview/pool', orgId: orgA, stage: null, tier: null })).toEqual({
      ok: false,
      error: 'failed',
      message: 'The API cannot be reached',
    });
  });
});

describe('overview/claim', () => {
  it('claims through the write queue in the organization the page shows, once', async () => {
    const { server, send } = await start();
    const answer = await send({ type: 'overview/claim', orgId: orgA, customerId: poolCustomer });
    expect(answer).toMatchObject({ ok: true, pending: false });
    expect([...server.appliedWrites.values()].map((write) => [write.write, write.orgId, write.userId])).toEqual([
      [{ op: 'claim', customerId: poolCustomer }, orgA, userId],
    ]);
  });

  it('keeps a claim made offline and sends it once when the API is back', async () => {
    const { server, send, background } = await start();
    server.state.online = false;
    expect(await send({ type: 'overview/claim', orgId: orgA, customerId: poolCustomer })).toMatchObject({ ok: true, pending: true });
    expect(server.appliedWrites.size).toBe(0);
    server.state.online = true;
    await background.wake();
    await background.wake();
    expect([...server.appliedWrites.values()].map((write) => write.write)).toEqual([{ op: 'claim', customerId: poolCustomer }]);
    expect(await background.services.queue.writes()).toEqual([]);
  });

  it('refuses staff and content scripts', async () => {
    const { server, send } = await start();
    expect(await send({ type: 'overview/claim', orgId: orgB, customerId: poolCustomer })).toEqual({
      ok: false,
      error: 'forbidden',
      message: 'Only sales reps and admins claim customers',
    });
    expect(await send({ type: 'overview/claim', orgId: orgA, customerId: poolCustomer }, gmailTab)).toMatchObject({ ok: false, error: 'forbidden' });
    expect(server.applyAttempts).toEqual([]);
  });
});

describe('portrait/members', () => {
  const members = [
    { userId, displayName: 'Ada Admin', email: 'ada@lotus.test', role: 'admin' as const },
    { userId: orgB, displayName: null, email: 'rei@lotus.test', role: 'rep' as const },
  ];

  it("gives an admin's card the organization's members", async () => {
    const { server, send } = await start('admin');
    server.state.members = members;
    expect(await send({ type: 'portrait/members' }, gmailTab)).toEqual({ ok: true, members });
  });

  it('refuses a rep (only admins assign)', async () => {
    const { server, send } = await start('rep');
    server.state.members = members;
    expect(await send({ type: 'portrait/members' }, gmailTab)).toEqual({ ok: false, error: 'forbidden', message: 'Only admins assign customers' });
  });
});

describe("the popup's customers returning to the pool", () => {
  it('lists them soonest first for the next seven days, each opening the customer', async () => {
    const { server, send } = await start();
    server.state.poolReturns = [
      { customer_id: orgB, display_name: 'Later Li', primary_email: 'li@example.com', primary_phone: null, lifecycle_stage: 'active', value_tier: 'normal', recycle_at: '2026-11-29T09:00:00+00:00' },
      { customer_id: poolCustomer, display_name: null, primary_email: 'soon@example.com', primary_phone: null, lifecycle_stage: 'lead', value_tier: 'normal', recycle_at: '2026-11-24T09:00:00+00:00' },
    ];
    const state = (await send({ type: 'popup/state' })) as PopupStateResponse;
    expect(state.poolReturns).toEqual([
      { customerId: poolCustomer, customerName: 'soon@example.com', recycleAt: '2026-11-24T09:00:00+00:00', url: 'https://mail.google.com/mail/u/0/#search/soon%40example.com' },
      { customerId: orgB, customerName: 'Later Li', recycleAt: '2026-11-29T09:00:00+00:00', url: 'https://mail.google.com/mail/u/0/#search/li%40example.com' },
    ]);
    expect(server.poolReturnCalls.at(-1)).toEqual({ orgId: orgA, withinDays: poolReturnsWithinDays });
    expect(poolReturnsWithinDays).toBe(7);
  });

  it('leaves the list out when it cannot be read, and the popup still answers', async () => {
    const { server, send } = await start();
    server.state.online = false;
    const state = (await send({ type: 'popup/state' })) as PopupStateResponse;
    expect(state.ok).toBe(true);
    expect(state.poolReturns).toBeUndefined();
  });
});
