// The Overview page's request through the whole background (fake API): reps and admins get the
// figures of their own organizations, staff and content scripts do not, bad ranges never reach
// the API.
import { afterEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createBackground } from '../../../extension/background/service.ts';
import { memoryArea, storageArea } from '../../../extension/platform/storage/storage.ts';
import type { Membership } from '../../../extension/background/rpc.ts';
import { fakeBackend, manualClock, orgA, orgB } from './fakes.ts';

afterEach(() => {
  fakeBrowser.reset();
});

const runtimeId = fakeBrowser.runtime.id;
const overviewPage = { id: runtimeId, url: `chrome-extension://${runtimeId}/overview.html` };
const gmailTab = { id: runtimeId, url: 'https://mail.google.com/mail/u/0/#inbox', tab: { id: 3 }, frameId: 0 };

const orgs: Membership[] = [
  { id: orgA, name: 'Lotus Trading', role: 'rep', currency: 'CNY', defaultPhoneRegion: 'CN', internalDomains: [] },
  { id: orgB, name: 'Orchid Supply', role: 'staff', currency: 'USD', defaultPhoneRegion: 'US', internalDomains: [] },
];

async function start() {
  const server = fakeBackend({ orgs });
  const background = createBackground({
    runtimeId,
    extensionOrigin: `chrome-extension://${runtimeId}/`,
    local: storageArea(fakeBrowser.storage.local),
    session: memoryArea(),
    push: async () => undefined,
    buildApi: { apiUrl: server.backend.apiUrl, anonKey: server.backend.anonKey },
    createBackend: () => server.backend,
    clock: manualClock(),
  });
  const send = (message: unknown, sender: object = overviewPage) => background.handleMessage(message, sender);
  return { server, send };
}

const request = (orgId: string, from = '2026-10-24', to = '2026-11-23') => ({ type: 'overview/data', orgId, from, to });

describe('overview/data', () => {
  it('answers a rep with the figures of the organization and range asked for', async () => {
    const { server, send } = await start();
    await send({ type: 'account/sign-in', email: 'rep@lotus.test', password: 'correct horse battery' });
    const answer = await send(request(orgA));
    expect(answer).toMatchObject({ ok: true, overview: { org_id: orgA, from: '2026-10-24', to: '2026-11-23', days: ['2026-11-23'] } });
    expect(server.overviewCalls).toEqual([{ orgId: orgA, from: '2026-10-24', to: '2026-11-23' }]);
  });

  it('refuses where the user is staff, or not a member, without calling the API', async () => {
    const { server, send } = await start();
    await send({ type: 'account/sign-in', email: 'rep@lotus.test', password: 'correct horse battery' });
    expect(await send(request(orgB))).toEqual({ ok: false, error: 'forbidden', message: 'The overview is for sales reps and admins' });
    expect(await send(request('33333333-3333-4333-8333-333333333333'))).toMatchObject({ ok: false, error: 'forbidden' });
    expect(server.overviewCalls).toEqual([]);
  });

  it('refuses signed out', async () => {
    const { server, send } = await start();
    expect(await send(request(orgA))).toMatchObject({ ok: false, error: 'forbidden' });
    expect(server.overviewCalls).toEqual([]);
  });

  it('is not for content scripts', async () => {
    const { server, send } = await start();
    await send({ type: 'account/sign-in', email: 'rep@lotus.test', password: 'correct horse battery' });
    expect(await send(request(orgA), gmailTab)).toMatchObject({ ok: false, error: 'forbidden' });
    expect(server.overviewCalls).toEqual([]);
  });

  it.each([
    ['days the wrong way round', request(orgA, '2026-11-23', '2026-11-01'), 'invalid-message'],
    ['a date that is not a day', request(orgA, '2026-11-01T00:00:00Z', '2026-11-23'), 'invalid-message'],
    ['more than five years', request(orgA, '2019-01-01', '2026-11-23'), 'invalid-message'],
    ['an organization that is not a UUID', request('org-a'), 'invalid-message'],
  ])('refuses %s before calling the API', async (_label, message, error) => {
    const { server, send } = await start();
    await send({ type: 'account/sign-in', email: 'rep@lotus.test', password: 'correct horse battery' });
    expect(await send(message)).toMatchObject({ ok: false, error });
    expect(server.overviewCalls).toEqual([]);
  });

  it('reports an unreachable API as a failure', async () => {
    const { server, send } = await start();
    await send({ type: 'account/sign-in', email: 'rep@lotus.test', password: 'correct horse battery' });
    server.state.online = false;
    expect(await send(request(orgA))).toEqual({ ok: false, error: 'failed', message: 'The API cannot be reached' });
  });
});
