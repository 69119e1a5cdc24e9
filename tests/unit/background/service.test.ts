// The whole background over fake storage, time and API: what pages and the popup see.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createBackground } from '../../../extension/background/service.ts';
import { memoryArea, storageArea, type KeyValueArea } from '../../../extension/platform/storage/storage.ts';
import { dictionaries as overlayDictionaries } from '../../../extension/features/overlay/texts.ts';
import type { PageSettingsResponse } from '../../../extension/features/overlay/schemas.ts';
import type { PopupStateResponse } from '../../../extension/features/popup/schemas.ts';
import type { BackgroundPush, Identifier, WriteResponse } from '../../../extension/platform/messaging/schemas.ts';
import type { LookupResponse } from '../../../extension/features/overlay/schemas.ts';
import { fakeBackend, manualClock, orgA, orgB, portraitFor, settle, type FakeBackend, type ManualClock } from './fakes.ts';

beforeEach(() => {
  // Offline cases log that the organization list could not be refreshed.
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});

afterEach(() => {
  fakeBrowser.reset();
  vi.restoreAllMocks();
});

const runtimeId = fakeBrowser.runtime.id;
const popup = { id: runtimeId, url: `chrome-extension://${runtimeId}/popup.html` };
const gmailTab = (tabId: number) => ({ id: runtimeId, url: 'https://mail.google.com/mail/u/0/#inbox', tab: { id: tabId }, frameId: 0 });
const customer: Identifier = { kind: 'email', value: 'li.wei@example.com' };
const writeAnswerMs = 500;

interface Harness {
  background: ReturnType<typeof createBackground>;
  pushes: Array<{ tabId: number; message: BackgroundPush | { type: string } }>;
  clock: ManualClock;
  server: FakeBackend;
  local: KeyValueArea;
  session: KeyValueArea;
  send<T>(message: unknown, sender?: object): Promise<T>;
}

function start(
  options: { server?: FakeBackend; clock?: ManualClock; local?: KeyValueArea; session?: KeyValueArea; fetch?: typeof fetch; uiLanguage?: string } = {},
): Harness {
  const server = options.server ?? fakeBackend();
  const clock = options.clock ?? manualClock();
  const local = options.local ?? storageArea(fakeBrowser.storage.local);
  const session = options.session ?? memoryArea();
  const pushes: Harness['pushes'] = [];
  let ids = 0;
  const background = createBackground({
    runtimeId,
    extensionOrigin: `chrome-extension://${runtimeId}/`,
    local,
    session,
    push: async (tabId, message) => void pushes.push({ tabId, message }),
    buildApi: { apiUrl: server.backend.apiUrl, anonKey: server.backend.anonKey },
    createBackend: () => server.backend,
    clock,
    random: () => 0.5,
    newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
    lookupWindowMs: 5,
    writeAnswerMs,
    fetch: options.fetch,
    uiLanguage: () => options.uiLanguage ?? 'en-US',
  });
  return {
    background,
    pushes,
    clock,
    server,
    local,
    session,
    async send<T>(message: unknown, sender: object = popup) {
      const answer = background.handleMessage(message, sender);
      // Let the lookup window (and a write's wait for its first attempt) pass on the fake clock.
      await clock.advance(writeAnswerMs);
      return (await answer) as T;
    },
  };
}

async function signedIn(harness: Harness): Promise<PopupStateResponse> {
  return harness.send<PopupStateResponse>({ type: 'account/sign-in', email: 'rep@lotus.test', password: 'correct horse battery' });
}

describe('session', () => {
  it('lists open invitations in the popup; accepting one adds the organization, a refused answer says why', async () => {
    const harness = start();
    const roseId = '33333333-3333-4333-8333-333333333333';
    const invitationId = '44444444-4444-4444-8444-444444444444';
    harness.server.state.invitations.push({ id: invitationId, orgId: roseId, orgName: 'Rose Exports', role: 'rep', invitedBy: 'Ada', expiresAt: '2026-12-31T00:00:00Z' });

    const state = await signedIn(harness);
    expect(state.invitations).toEqual([{ id: invitationId, orgId: roseId, orgName: 'Rose Exports', role: 'rep', invitedBy: 'Ada', expiresAt: '2026-12-31T00:00:00Z' }]);

    // The message is checked before anything is called.
    expect(await harness.send({ type: 'account/answer-invitation', invitationId: 'not-a-uuid', accept: true })).toMatchObject({ ok: false, error: 'invalid-message' });
    const accepted = await harness.send<PopupStateResponse>({ type: 'account/answer-invitation', invitationId, accept: true });
    expect(accepted.invitations).toEqual([]);
    expect(accepted.orgs).toContainEqual({ id: roseId, name: 'Rose Exports', role: 'rep' });

    const again = await harness.send({ type: 'account/answer-invitation', invitationId, accept: false });
    expect(again).toMatchObject({ ok: false, error: 'failed' });
  });

  it('answers a lookup while signed out with the signed-out session, not an error', async () => {
    const harness = start();
    const answer = await harness.send<LookupResponse>({ type: 'portrait/lookup', identifiers: [customer] }, gmailTab(1));
    expect(answer).toEqual({ ok: true, session: { signedIn: false, reason: 'signed-out' }, results: [], fetchedAt: null, stale: false });
    expect(harness.server.contextCalls).toEqual([]);
  });

  it('signs in from the popup, picks the organization and tells the tabs', async () => {
    const harness = start();
    await harness.send({ type: 'portrait/session' }, gmailTab(4));

    const state = await signedIn(harness);

    expect(state.session).toEqual({ signedIn: true, email: 'rep@lotus.test', orgId: orgA, orgName: 'Lotus Trading', role: 'rep' });
    expect(state.orgs).toEqual([{ id: orgA, name: 'Lotus Trading', role: 'rep' }]);
    expect(harness.pushes).toContainEqual({ tabId: 4, message: { type: 'portrait/session-changed', session: state.session } });
  });

  it('refuses wrong credentials with the API message', async () => {
    const harness = start();
    const answer = await harness.send({ type: 'account/sign-in', email: 'rep@lotus.test', password: 'wrong' });
    expect(answer).toEqual({ ok: false, error: 'failed', message: 'Invalid login credentials' });
  });

  it('signs out: forgets the account, the cache and the queued writes', async () => {
    const harness = start();
    await signedIn(harness);
    harness.server.addCustomer(orgA, customer);
    await harness.send({ type: 'portrait/lookup', identifiers: [customer] }, gmailTab(1));
    harness.server.state.online = false;
    await harness.send({ type: 'portrait/write', write: { op: 'note', customerId: portraitFor(customer).customerId, body: 'x' } });

    const state = await harness.send<PopupStateResponse>({ type: 'account/sign-out' });

    expect(state.session).toEqual({ signedIn: false, reason: 'signed-out' });
    expect(state.pendingWrites).toBe(0);
    expect(harness.background.services.cache.size()).toBe(0);
  });
});

describe('lookups', () => {
  it('answers from the cache at once, marked stale, then pushes the fresh portrait to the tabs that asked', async () => {
    const harness = start();
    await signedIn(harness);
    harness.server.addCustomer(orgA, customer, portraitFor(customer, { displayName: 'Li Wei' }));

    const first = await harness.send<LookupResponse>({ type: 'portrait/lookup', identifiers: [customer] }, gmailTab(1));
    expect(first).toMatchObject({ stale: false, results: [{ identifier: customer, portrait: { displayName: 'Li Wei' } }] });
    const firstFetchedAt = first.fetchedAt;

    // Fresh: a second tab gets the cached portrait without a call.
    const again = await harness.send<LookupResponse>({ type: 'portrait/lookup', identifiers: [customer] }, gmailTab(2));
    expect(again.stale).toBe(false);
    expect(harness.server.contextCalls).toHaveLength(1);

    // Two minutes later the customer has changed; the answer is the old one, marked stale…
    await harness.clock.advance(120_000);
    harness.server.addCustomer(orgA, customer, portraitFor(customer, { displayName: 'Li Wei (VIP)' }));
    const answer = harness.background.handleMessage({ type: 'portrait/lookup', identifiers: [customer] }, gmailTab(2));
    const stale = (await answer) as LookupResponse;
    expect(stale).toMatchObject({ stale: true, fetchedAt: firstFetchedAt, results: [{ portrait: { displayName: 'Li Wei' } }] });

    // …and the refresh reaches both tabs that show the customer.
    await harness.clock.advance(10);
    expect(harness.server.contextCalls).toHaveLength(2);
    const updates = harness.pushes.filter((p) => p.message.type === 'portrait/updated');
    expect(updates.map((p) => p.tabId).sort()).toEqual([1, 2]);
    expect(updates[0]!.message).toEqual({
      type: 'portrait/updated',
      results: [{ identifier: customer, portrait: expect.objectContaining({ displayName: 'Li Wei (VIP)' }) }],
    });
  });

  it('batches what several tabs ask at the same moment into one call', async () => {
    const harness = start();
    await signedIn(harness);
    const a: Identifier = { kind: 'email', value: 'a@example.com' };
    const b: Identifier = { kind: 'email', value: 'b@example.com' };
    const c: Identifier = { kind: 'email', value: 'c@example.com' };

    const one = harness.background.handleMessage({ type: 'portrait/lookup', identifiers: [a, b] }, gmailTab(1));
    const two = harness.background.handleMessage({ type: 'portrait/lookup', identifiers: [b, c] }, gmailTab(2));
    await harness.clock.advance(5);
    await Promise.all([one, two]);

    expect(harness.server.contextCalls).toHaveLength(1);
    expect(harness.server.contextCalls[0]!.identifiers.map((i) => i.value)).toEqual(['a@example.com', 'b@example.com', 'c@example.com']);
  });

  it('never looks up the user’s own addresses or internal domains', async () => {
    const harness = start();
    await signedIn(harness);
    await harness.send({
      type: 'settings/preferences',
      ownAddresses: ['Me@Private.test'],
      internalDomains: ['@lotus.test'],
      language: 'auto',
    });

    const answer = await harness.send<LookupResponse>(
      {
        type: 'portrait/lookup',
        identifiers: [
          { kind: 'email', value: 'rep@lotus.test' },
          { kind: 'email', value: 'boss@sales.lotus.test' },
          { kind: 'email', value: 'me@private.test' },
          { kind: 'domain', value: 'lotus.test' },
          { kind: 'email', value: 'buyer@lotus-hq.test' },
          { kind: 'email', value: 'not an address' },
          { kind: 'phone', value: '138 0013 8000' },
          { kind: 'email', value: ' Li.Wei@Example.com ' },
          customer,
        ],
      },
      gmailTab(1),
    );

    // The API is asked about the customer once, and about the phone number read in the
    // organization's region (CN); the answer names each identifier as the page wrote it.
    expect(harness.server.contextCalls.flatMap((c) => c.identifiers)).toEqual([{ kind: 'phone', value: '+8613800138000' }, customer]);
    expect(answer.results.map((r) => r.identifier)).toEqual([
      { kind: 'phone', value: '138 0013 8000' },
      { kind: 'email', value: ' Li.Wei@Example.com ' },
      customer,
    ]);
    expect(answer.results[1]!.portrait).toEqual(answer.results[2]!.portrait);
  });

  it('never looks up the organization’s members, read once per organization', async () => {
    const roseId = '33333333-3333-4333-8333-333333333333';
    const server = fakeBackend({
      orgs: [
        { id: orgA, name: 'Lotus Trading', role: 'rep', currency: 'CNY', defaultPhoneRegion: 'CN', internalDomains: [] },
        { id: roseId, name: 'Rose Exports', role: 'rep', currency: 'CNY', defaultPhoneRegion: 'CN', internalDomains: [] },
      ],
    });
    server.state.memberAddresses = ['colleague@gmail.test', 'boss@outlook.test'];
    const harness = start({ server });
    await signedIn(harness);
    const colleague: Identifier = { kind: 'email', value: 'Colleague@Gmail.test' };

    const answer = await harness.send<LookupResponse>({ type: 'portrait/lookup', identifiers: [colleague, customer, { kind: 'email', value: 'boss@outlook.test' }] }, gmailTab(1));
    expect(harness.server.contextCalls.flatMap((c) => c.identifiers)).toEqual([customer]);
    expect(answer.results.map((r) => r.identifier)).toEqual([customer]);

    // Asked once for the organization, not per lookup.
    await harness.send({ type: 'portrait/lookup', identifiers: [colleague, { kind: 'email', value: 'other@example.com' }] }, gmailTab(2));
    expect(harness.server.memberAddressCalls).toEqual([orgA]);
    expect(harness.server.contextCalls.flatMap((c) => c.identifiers)).not.toContainEqual(expect.objectContaining({ value: 'colleague@gmail.test' }));

    // Another organization has other members: its list is read, and the former colleague is a stranger there.
    await harness.send({ type: 'account/select-org', orgId: roseId });
    harness.server.state.memberAddresses = ['boss@outlook.test'];
    await harness.send({ type: 'portrait/lookup', identifiers: [colleague] }, gmailTab(1));
    expect(harness.server.memberAddressCalls).toEqual([orgA, roseId]);
    expect(harness.server.contextCalls.at(-1)).toEqual({ orgId: roseId, identifiers: [{ kind: 'email', value: 'colleague@gmail.test' }] });
  });

  it('answers from an old cache while offline, and says it failed when nothing is cached', async () => {
    const harness = start();
    await signedIn(harness);
    harness.server.addCustomer(orgA, customer);
    await harness.send({ type: 'portrait/lookup', identifiers: [customer] }, gmailTab(1));
    harness.server.state.online = false;
    await harness.clock.advance(120_000);

    const cached = await harness.send<LookupResponse>({ type: 'portrait/lookup', identifiers: [customer] }, gmailTab(1));
    expect(cached).toMatchObject({ ok: true, stale: true, results: [{ identifier: customer }] });

    const unknown = await harness.send({ type: 'portrait/lookup', identifiers: [{ kind: 'email', value: 'new@example.com' }] }, gmailTab(1));
    expect(unknown).toEqual({ ok: false, error: 'failed', message: 'The API cannot be reached' });
  });

  it('answers from the cache without reading the account from storage again, and sees the organization the user picks at once', async () => {
    const stored = storageArea(fakeBrowser.storage.local);
    const accountReads: string[] = [];
    const local: KeyValueArea = {
      ...stored,
      get<T>(key: string) {
        if (key.startsWith('portrait:account')) accountReads.push(key);
        return stored.get<T>(key);
      },
    };
    const orgs = [
      { id: orgA, name: 'Lotus Trading', role: 'rep' as const, currency: 'CNY', defaultPhoneRegion: 'CN', internalDomains: [] },
      { id: orgB, name: 'Rose Exports', role: 'rep' as const, currency: 'CNY', defaultPhoneRegion: 'CN', internalDomains: [] },
    ];
    const harness = start({ local, server: fakeBackend({ orgs }) });
    await signedIn(harness);
    harness.server.addCustomer(orgA, customer);
    await harness.send<LookupResponse>({ type: 'portrait/lookup', identifiers: [customer] }, gmailTab(1));

    accountReads.length = 0;
    const cached = await harness.send<LookupResponse>({ type: 'portrait/lookup', identifiers: [customer] }, gmailTab(2));
    expect(cached.results[0]?.portrait?.customerId).toBe(portraitFor(customer).customerId);
    expect(accountReads).toEqual([]);

    // Another organization: the next answer is the new organization's, not the remembered account's.
    await harness.send({ type: 'account/select-org', orgId: orgB });
    const other = await harness.send<LookupResponse>({ type: 'portrait/lookup', identifiers: [customer] }, gmailTab(2));
    expect(other.session).toMatchObject({ signedIn: true, orgId: orgB });
    expect(other.results).toEqual([{ identifier: customer, portrait: null }]);
  });

  it('answers a lookup from the cache with no storage read at all, writes still queued included', async () => {
    const reads: string[] = [];
    const counted = (area: KeyValueArea, name: string): KeyValueArea => ({
      ...area,
      get<T>(key: string) {
        reads.push(`${name}:${key}`);
        return area.get<T>(key);
      },
    });
    const harness = start({ local: counted(storageArea(fakeBrowser.storage.local), 'local'), session: counted(memoryArea(), 'session') });
    await signedIn(harness);
    const existing = harness.server.addCustomer(orgA, customer);
    await harness.send({ type: 'portrait/lookup', identifiers: [customer] }, gmailTab(1));
    harness.server.state.online = false;
    await harness.send({ type: 'portrait/write', write: { op: 'note', customerId: existing.customerId, body: 'Call on Monday' } }, gmailTab(1));

    reads.length = 0;
    const cached = await harness.send<LookupResponse>({ type: 'portrait/lookup', identifiers: [customer] }, gmailTab(2));

    // The queued note is overlaid on the cached portrait, read from the queue kept in memory.
    expect(cached.results[0]?.portrait?.notes).toEqual([expect.objectContaining({ body: 'Call on Monday', pending: true })]);
    expect(reads).toEqual([]);
  });

  it('keeps the cache across a service-worker restart', async () => {
    const harness = start({ session: memoryArea() });
    await signedIn(harness);
    harness.server.addCustomer(orgA, customer);
    await harness.send({ type: 'portrait/lookup', identifiers: [customer] }, gmailTab(1));
    await harness.clock.advance(1_000);

    const restarted = start({ server: harness.server, clock: harness.clock, local: harness.local, session: harness.session });
    const answer = await restarted.send<LookupResponse>({ type: 'portrait/lookup', identifiers: [customer] }, gmailTab(1));

    expect(answer.results[0]?.portrait?.customerId).toBe(portraitFor(customer).customerId);
    expect(harness.server.contextCalls).toHaveLength(1);
  });
});

describe('writes', () => {
  it('queues a tag and a note offline, shows them pending, and applies each exactly once after a restart', async () => {
    const harness = start();
    await signedIn(harness);
    const existing = harness.server.addCustomer(orgA, customer);
    await harness.send({ type: 'portrait/lookup', identifiers: [customer] }, gmailTab(3));
    harness.server.state.online = false;

    const tag = await harness.send<WriteResponse>(
      { type: 'portrait/write', write: { op: 'tag', identifier: customer, tags: ['VIP'], pageUrl: null, pageTitle: null } },
      gmailTab(3),
    );
    const note = await harness.send<WriteResponse>(
      { type: 'portrait/write', write: { op: 'note', customerId: existing.customerId, body: 'Wants the blue one' } },
      gmailTab(3),
    );
    expect(tag).toEqual({ ok: true, requestId: expect.any(String), pending: true });
    expect(note).toEqual({ ok: true, requestId: expect.any(String), pending: true });

    // The tab saw both at once, marked pending.
    const lastPush = harness.pushes.filter((p) => p.tabId === 3 && p.message.type === 'portrait/updated').at(-1)!.message;
    expect(lastPush).toMatchObject({
      results: [
        {
          portrait: {
            tags: [{ name: 'VIP', pending: true }],
            notes: [{ body: 'Wants the blue one', pending: true }],
          },
        },
      ],
    });
    const popupState = await harness.send<PopupStateResponse>({ type: 'popup/state' });
    expect(popupState.pendingWrites).toBe(2);

    // The worker stops; a new one starts over the same storage, online again.
    harness.server.state.online = true;
    const restarted = start({ server: harness.server, clock: manualClock(harness.clock.now() + 60_000), local: harness.local, session: harness.session });
    await restarted.background.wake();
    await settle();

    expect([...harness.server.appliedWrites.values()].map((w) => w.requestId)).toEqual([tag.requestId, note.requestId]);
    const attemptsPerRequest = new Set(harness.server.applyAttempts.map((w) => w.requestId));
    expect(attemptsPerRequest).toEqual(new Set([tag.requestId, note.requestId]));
    expect((await restarted.send<PopupStateResponse>({ type: 'popup/state' })).pendingWrites).toBe(0);
  });

  it('removes a tag through an identifier the pages have shown, and shows the API’s portrait after it', async () => {
    const harness = start();
    await signedIn(harness);
    const existing = harness.server.addCustomer(orgA, customer, portraitFor(customer, {
      tags: [{ id: '66666666-6666-4666-8666-666666666666', name: 'VIP', color: '#aa0000', source: 'manual' }],
    }));
    await harness.send({ type: 'portrait/lookup', identifiers: [customer] }, gmailTab(2));
    harness.server.addCustomer(orgA, customer, { ...existing, tags: [] });

    const answer = await harness.send<WriteResponse>({ type: 'portrait/write', write: { op: 'untag', customerId: existing.customerId, tag: 'VIP' } }, gmailTab(2));

    expect(answer).toMatchObject({ ok: true, pending: false });
    expect([...harness.server.appliedWrites.values()][0]).toMatchObject({ target: customer });
    const pushed = harness.pushes.filter((p) => p.tabId === 2 && p.message.type === 'portrait/updated');
    expect(pushed.at(-1)!.message).toMatchObject({ results: [{ portrait: { tags: [] } }] });
    // The landed write's answer updated the cache: the next lookup needs no call.
    await harness.send({ type: 'portrait/lookup', identifiers: [customer] }, gmailTab(2));
    expect(harness.server.contextCalls).toHaveLength(1);
  });

  it('refuses to remove a tag from a customer no page has shown', async () => {
    const harness = start();
    await signedIn(harness);
    const answer = await harness.send({ type: 'portrait/write', write: { op: 'untag', customerId: portraitFor(customer).customerId, tag: 'VIP' } });
    expect(answer).toEqual({ ok: false, error: 'invalid-message', message: 'Look the customer up before changing them' });
  });

  it('answers a write that landed at once as not pending', async () => {
    const harness = start();
    await signedIn(harness);
    const existing = harness.server.addCustomer(orgA, customer);
    const answer = await harness.send<WriteResponse>({
      type: 'portrait/write',
      write: { op: 'stage', customerId: existing.customerId, stage: 'loyal', reason: 'Long-time buyer' },
    });
    expect(answer).toEqual({ ok: true, requestId: expect.any(String), pending: false });
    expect(harness.server.appliedWrites.size).toBe(1);
  });

  it('reports a write the API refuses as failed', async () => {
    const harness = start();
    await signedIn(harness);
    harness.server.state.refuse = 'permission denied for function set_lifecycle_stage';
    const answer = await harness.send({
      type: 'portrait/write',
      write: { op: 'stage', customerId: portraitFor(customer).customerId, stage: 'loyal', reason: null },
    });
    expect(answer).toEqual({ ok: false, error: 'failed', message: 'permission denied for function set_lifecycle_stage' });
    expect((await harness.send<PopupStateResponse>({ type: 'popup/state' })).failedWrites).toBe(1);
  });

  it('shows a tag on an unknown address as a pending lead', async () => {
    const harness = start();
    await signedIn(harness);
    harness.server.state.online = false;
    const stranger: Identifier = { kind: 'email', value: 'new.buyer@example.com' };
    await harness.send({ type: 'portrait/write', write: { op: 'tag', identifier: stranger, tags: ['Fair 2026'], pageUrl: null, pageTitle: null } }, gmailTab(5));

    const pushed = harness.pushes.find((p) => p.tabId === 5 && p.message.type === 'portrait/updated')!.message;
    expect(pushed).toMatchObject({
      results: [{ identifier: stranger, portrait: { displayName: 'new.buyer@example.com', stage: 'lead', tags: [{ name: 'Fair 2026', pending: true }] } }],
    });
  });

  it('refuses writes while signed out', async () => {
    const harness = start();
    const answer = await harness.send({ type: 'portrait/write', write: { op: 'note', customerId: portraitFor(customer).customerId, body: 'x' } });
    expect(answer).toEqual({ ok: false, error: 'signed-out' });
  });
});

describe('choosing another Supabase project', () => {
  const hosted = 'https://abcdefghijklmnopqrst.supabase.co';
  const key = 'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.signature-of-the-hosted-project';
  /** Auth settings answer for the right key only, as Supabase's gateway does. */
  const gateway: typeof fetch = async (input, init) => {
    const url = String(input);
    const apikey = new Headers(init?.headers).get('apikey');
    if (!url.startsWith(hosted)) throw new TypeError('Failed to fetch');
    if (apikey !== key) return Response.json({ message: 'Invalid API key' }, { status: 401 });
    return Response.json({ external: { email: true }, disable_signup: false });
  };

  it('saves nothing when the project refuses the key', async () => {
    const harness = start({ fetch: gateway });
    const answer = await harness.send({ type: 'settings/save-api', api: { apiUrl: hosted, anonKey: 'eyJ-wrong-key-0123456789abcdef' } });
    expect(answer).toMatchObject({ ok: true, saved: false, check: { auth: 'bad-key' }, settings: { apiIsDefault: true } });
  });

  it('checks the project with a real call, saves it, and leaves the old project’s session and queue behind', async () => {
    const harness = start({ fetch: gateway });
    await signedIn(harness);
    harness.server.state.online = false;
    await harness.send({ type: 'portrait/write', write: { op: 'note', customerId: portraitFor(customer).customerId, body: 'x' } });

    const answer = await harness.send({ type: 'settings/save-api', api: { apiUrl: `${hosted}/`, anonKey: key } });

    expect(answer).toMatchObject({ ok: true, saved: true, check: { auth: 'ok' }, settings: { apiUrl: hosted, anonKey: key, apiIsDefault: false } });
    const state = await harness.send<PopupStateResponse>({ type: 'popup/state' });
    expect(state).toMatchObject({ session: { signedIn: false, reason: 'signed-out' }, apiUrl: hosted, pendingWrites: 0 });

    const back = await harness.send({ type: 'settings/save-api', api: null });
    expect(back).toMatchObject({ saved: true, check: null, settings: { apiUrl: harness.server.backend.apiUrl, apiIsDefault: true } });
  });
});

describe('settings for pages', () => {
  it('tells a content script whether its site is on, and refuses lookups from a site switched off', async () => {
    const harness = start();
    await signedIn(harness);
    expect(await harness.send({ type: 'portrait/settings' }, gmailTab(1))).toMatchObject({ enabled: true });

    await harness.send({ type: 'settings/site', site: 'gmail', enabled: false });

    expect(harness.pushes).toContainEqual({ tabId: 1, message: { type: 'portrait/settings-changed' } });
    expect(await harness.send({ type: 'portrait/settings' }, gmailTab(1))).toEqual({
      ok: true,
      enabled: false,
      ownAddresses: ['rep@lotus.test'],
      internalDomains: [],
      language: 'auto',
      locale: 'en',
      messages: overlayDictionaries.en,
      placement: null,
    });
    expect(await harness.send({ type: 'portrait/lookup', identifiers: [customer] }, gmailTab(1))).toEqual({
      ok: false,
      error: 'forbidden',
      message: 'Portrait is switched off for this site',
    });
    expect(await harness.send({ type: 'portrait/lookup', identifiers: [customer] }, popup)).toMatchObject({ ok: true });
  });

  it("sends the overlay's texts in the language option, 'auto' following the browser's language", async () => {
    const chineseBrowser = start({ uiLanguage: 'zh-CN', local: memoryArea() });
    const auto = await chineseBrowser.send<PageSettingsResponse>({ type: 'portrait/settings' }, gmailTab(1));
    expect(auto).toMatchObject({ language: 'auto', locale: 'zh-CN' });
    expect(auto.messages).toEqual(overlayDictionaries['zh-CN']);
    expect(auto.messages?.['stage.loyal']).toBe('忠诚客户');

    await chineseBrowser.send({ type: 'settings/preferences', ownAddresses: [], internalDomains: [], language: 'en' });
    expect(chineseBrowser.pushes).toContainEqual({ tabId: 1, message: { type: 'portrait/settings-changed' } });
    expect(await chineseBrowser.send({ type: 'portrait/settings' }, gmailTab(1))).toMatchObject({ language: 'en', locale: 'en', messages: overlayDictionaries.en });

    const englishBrowser = start({ uiLanguage: 'de-DE', local: memoryArea() });
    await englishBrowser.send({ type: 'settings/preferences', ownAddresses: [], internalDomains: [], language: 'zh-CN' });
    const chosen = await englishBrowser.send<PageSettingsResponse>({ type: 'portrait/settings' }, gmailTab(2));
    expect(chosen).toMatchObject({ language: 'zh-CN', locale: 'zh-CN' });
    expect(chosen.messages?.['unknown.addLead']).toBe('添加为意向客户');
  });

  it('refuses an own address that is not an address', async () => {
    const harness = start();
    const answer = await harness.send({ type: 'settings/preferences', ownAddresses: ['me at home'], internalDomains: [], language: 'en' });
    expect(answer).toEqual({ ok: false, error: 'invalid-message', message: '"me at home" is not an email address' });
  });
});
