import { describe, expect, it, vi } from 'vitest';
import { createMessageHandler, type MessageHandlers } from '../../extension/platform/messaging/front-door.ts';
import type { SenderFrame } from '../../extension/platform/messaging/sender.ts';
import { extensionMessageSchema, messageRoutes as routes, pageRequestSchema, taggerRequestSchema } from '../../extension/features/index.ts';
import { messageLimits } from '../../extension/platform/messaging/schemas.ts';

const runtimeId = 'portrait-test-id';
const extensionOrigin = `chrome-extension://${runtimeId}/`;

const popup = { id: runtimeId, url: `${extensionOrigin}popup.html` };
const optionsTab = { id: runtimeId, url: `${extensionOrigin}options.html`, tab: { id: 9 } };
const gmail = { id: runtimeId, url: 'https://mail.google.com/mail/u/0/#inbox/FMfc', tab: { id: 3 }, frameId: 0 };
const outlookFrame = { id: runtimeId, url: 'about:blank', origin: 'https://outlook.office.com', tab: { id: 4 }, frameId: 12 };

const email = { kind: 'email', value: 'li.wei@example.com' } as const;
const lookup = { type: 'portrait/lookup', identifiers: [email] };
const customerId = '33333333-3333-4333-8333-333333333333';

/** Handlers that only record what reached them. */
function recordingHandlers() {
  const reached: string[] = [];
  const handlers = new Proxy({} as MessageHandlers, {
    get: (_target, type: string) => async () => {
      reached.push(type);
      return { ok: true, handled: type };
    },
  });
  return { handlers, reached };
}

function handlerWith(options: { siteEnabled?: (site: string) => Promise<boolean>; injectedFrame?: (frame: SenderFrame) => boolean } = {}) {
  const { handlers, reached } = recordingHandlers();
  const handle = createMessageHandler({ runtimeId, extensionOrigin, routes, handlers, ...options });
  return { handle, reached };
}

describe('message schemas', () => {
  it.each([
    ['a lookup', lookup],
    ['an empty lookup', { type: 'portrait/lookup', identifiers: [] }],
    ['a tag write', { type: 'portrait/write', write: { op: 'tag', identifier: email, tags: ['VIP'], pageUrl: 'https://mail.google.com/', pageTitle: 'Re: order' } }],
    ['an untag', { type: 'portrait/write', write: { op: 'untag', customerId, tag: 'VIP' } }],
    ['a note', { type: 'portrait/write', write: { op: 'note', customerId, body: 'Called back' } }],
    ['a stage override cleared', { type: 'portrait/write', write: { op: 'stage', customerId, stage: null, reason: null } }],
    ['a lead', { type: 'portrait/write', write: { op: 'lead', identifier: email, displayName: 'Li Wei', pageUrl: null, pageTitle: null } }],
    ['a follow-up', { type: 'portrait/write', write: { op: 'follow_up', customerId, dueAt: '2026-05-11T01:00:00.000Z', note: null } }],
    ['a follow-up done', { type: 'portrait/write', write: { op: 'complete_follow_up', customerId, followUpId: customerId } }],
    ['a claim', { type: 'portrait/write', write: { op: 'claim', customerId } }],
    ['a release', { type: 'portrait/write', write: { op: 'release', customerId, reason: null } }],
    ['an assignment', { type: 'portrait/write', write: { op: 'assign', customerId, memberId: customerId } }],
    ['a visit', { type: 'portrait/write', write: { op: 'visit', customerId, score: 9, scale: 'nps10', comment: '很满意', channel: 'wechat' } }],
    ['the first timeline page', { type: 'portrait/timeline', customerId, before: null }],
    ['a later timeline page', { type: 'portrait/timeline', customerId, before: { before: '2026-05-10T10:00:00Z', beforeKey: `note:${customerId}` } }],
    ['tag suggestions', { type: 'portrait/tags', prefix: 'v' }],
    ['the session', { type: 'portrait/session' }],
    ["the organization's members (Assign to…)", { type: 'portrait/members' }],
  ])('accepts %s from the page protocol', (_label, message) => {
    expect(pageRequestSchema.safeParse(message).success).toBe(true);
  });

  it.each([
    ['an unknown type', { type: 'portrait/delete-everything' }],
    ['a missing type', {}],
    ['extra fields', { type: 'portrait/session', token: 'stolen' }],
    ['a non-object', 'portrait/status'],
    ['null', null],
    ['an unknown identifier kind', { type: 'portrait/lookup', identifiers: [{ kind: 'ssn', value: '1' }] }],
    ['an empty identifier', { type: 'portrait/lookup', identifiers: [{ kind: 'email', value: '  ' }] }],
    ['an identifier with extra fields', { type: 'portrait/lookup', identifiers: [{ ...email, owner: 'me' }] }],
    ['a note on a customer id that is not a uuid', { type: 'portrait/write', write: { op: 'note', customerId: "1' or 1=1", body: 'x' } }],
    ['an empty note', { type: 'portrait/write', write: { op: 'note', customerId, body: '   ' } }],
    ['a follow-up due at no time', { type: 'portrait/write', write: { op: 'follow_up', customerId, dueAt: 'tomorrow', note: null } }],
    ['a visit on an unknown channel', { type: 'portrait/write', write: { op: 'visit', customerId, score: 3, scale: 'csat5', comment: null, channel: 'fax' } }],
    ['a visit scored 11', { type: 'portrait/write', write: { op: 'visit', customerId, score: 11, scale: 'nps10', comment: null, channel: 'phone' } }],
    ['a timeline of a customer id that is not a uuid', { type: 'portrait/timeline', customerId: 'x', before: null }],
    ['a javascript: page URL', { type: 'portrait/write', write: { op: 'tag', identifier: email, tags: ['x'], pageUrl: 'javascript:alert(1)', pageTitle: null } }],
    ['a tag write without tags', { type: 'portrait/write', write: { op: 'tag', identifier: email, tags: [], pageUrl: null, pageTitle: null } }],
    ['an unknown stage', { type: 'portrait/write', write: { op: 'stage', customerId, stage: 'vip', reason: null } }],
    ['an unknown write', { type: 'portrait/write', write: { op: 'delete', customerId } }],
    ['a members request naming an organization', { type: 'portrait/members', orgId: customerId }],
    ['a pool request without the filters', { type: 'overview/pool', orgId: customerId }],
    ['a pool request with an unknown stage', { type: 'overview/pool', orgId: customerId, stage: 'vip', tier: null }],
    ['a pool request with an unknown tier', { type: 'overview/pool', orgId: customerId, stage: null, tier: 'gold' }],
    ['a pool request with a rule of its own', { type: 'overview/pool', orgId: customerId, stage: null, tier: null, filter: { all: [] } }],
    ['a claim of a customer id that is not a uuid', { type: 'overview/claim', orgId: customerId, customerId: "1' or 1=1" }],
    ['a claim without the organization', { type: 'overview/claim', customerId }],
  ])('rejects %s', (_label, message) => {
    expect(extensionMessageSchema.safeParse(message).success).toBe(false);
  });

  it.each([
    ['too many identifiers', { type: 'portrait/lookup', identifiers: Array(messageLimits.maxIdentifiersPerLookup + 1).fill(email) }],
    ['a too long identifier', { type: 'portrait/lookup', identifiers: [{ kind: 'email', value: `${'a'.repeat(600)}@example.com` }] }],
    ['too many tags', { type: 'portrait/write', write: { op: 'tag', identifier: email, tags: Array.from({ length: 21 }, (_, i) => `t${i}`), pageUrl: null, pageTitle: null } }],
    ['a too long tag', { type: 'portrait/write', write: { op: 'untag', customerId, tag: 'x'.repeat(65) } }],
    ['a too long note', { type: 'portrait/write', write: { op: 'note', customerId, body: 'x'.repeat(messageLimits.maxNoteLength + 1) } }],
  ])('rejects %s', (_label, message) => {
    expect(extensionMessageSchema.safeParse(message).success).toBe(false);
  });
});

describe('the pool messages', () => {
  it.each([
    ['the whole pool', { type: 'overview/pool', orgId: customerId, stage: null, tier: null }],
    ['the pool by stage and tier', { type: 'overview/pool', orgId: customerId, stage: 'churned', tier: 'vip' }],
    ['a claim', { type: 'overview/claim', orgId: customerId, customerId }],
  ])('accepts %s', (_label, message) => {
    expect(extensionMessageSchema.safeParse(message).success).toBe(true);
  });

  it('takes the pool and claims from extension pages only, and the members from content scripts', async () => {
    const { handle, reached } = handlerWith();
    const pool = { type: 'overview/pool', orgId: customerId, stage: null, tier: null };
    const claim = { type: 'overview/claim', orgId: customerId, customerId };
    expect(await handle(pool, gmail)).toMatchObject({ ok: false, error: 'forbidden' });
    expect(await handle(claim, gmail)).toMatchObject({ ok: false, error: 'forbidden' });
    expect(await handle(pool, optionsTab)).toEqual({ ok: true, handled: 'overview/pool' });
    expect(await handle(claim, popup)).toEqual({ ok: true, handled: 'overview/claim' });
    expect(await handle({ type: 'portrait/members' }, gmail)).toEqual({ ok: true, handled: 'portrait/members' });
    expect(reached).toEqual(['overview/pool', 'overview/claim', 'portrait/members']);
  });
});

describe('tagging dialog message schemas', () => {
  const save = { type: 'tagger/save', identifier: email, tags: ['Trade fair 2026'], displayName: 'Li Wei', pageTitle: 'Exhibitors' };

  it.each([
    ['an open with the selection', { type: 'tagger/open', selection: 'Li Wei <li.wei@example.com>' }],
    ['an open with nothing selected', { type: 'tagger/open', selection: '' }],
    ['a resolve of typed text', { type: 'tagger/resolve', text: '138 0013 8000' }],
    ['tag suggestions', { type: 'tagger/tags', prefix: 'tr' }],
    ['a save', save],
    ['a save without a name or title', { ...save, displayName: null, pageTitle: null }],
    ['a close', { type: 'tagger/close' }],
  ])('accepts %s', (_label, message) => {
    expect(taggerRequestSchema.safeParse(message).success).toBe(true);
    expect(extensionMessageSchema.safeParse(message).success).toBe(true);
  });

  it.each([
    ['a save without tags', { ...save, tags: [] }],
    ['a save with a blank tag', { ...save, tags: ['  '] }],
    ['a save with too many tags', { ...save, tags: Array.from({ length: messageLimits.maxTagsPerWrite + 1 }, (_, i) => `t${i}`) }],
    ['a save with a too long tag', { ...save, tags: ['x'.repeat(messageLimits.maxTagLength + 1)] }],
    ['a save naming its own page URL', { ...save, pageUrl: 'https://forged.example/' }],
    ['a save for a customer id instead of an identifier', { type: 'tagger/save', customerId, tags: ['x'], displayName: null, pageTitle: null }],
    ['a save with an unknown identifier kind', { ...save, identifier: { kind: 'passport', value: 'X1' } }],
    ['a save with an empty identifier', { ...save, identifier: { kind: 'email', value: ' ' } }],
    ['a save with a too long name', { ...save, displayName: 'n'.repeat(messageLimits.maxDisplayNameLength + 1) }],
    ['a save with a too long title', { ...save, pageTitle: 't'.repeat(messageLimits.maxTitleLength + 1) }],
    ['a save without the name field', { type: 'tagger/save', identifier: email, tags: ['x'], pageTitle: null }],
    ['an open with a huge selection', { type: 'tagger/open', selection: 'x'.repeat(messageLimits.maxSelectionLength + 1) }],
    ['an open without the selection', { type: 'tagger/open' }],
    ['an open carrying a link of its own', { type: 'tagger/open', selection: '', linkUrl: 'mailto:x@y.z' }],
    ['a resolve of a number', { type: 'tagger/resolve', text: 42 }],
    ['a close with extra fields', { type: 'tagger/close', tabId: 3 }],
    ['an unknown dialog message', { type: 'tagger/grant', tabId: 3 }],
  ])('rejects %s', (_label, message) => {
    expect(extensionMessageSchema.safeParse(message).success).toBe(false);
  });
});

describe('message handler: who may send what', () => {
  it('gives no answer at all to another extension or a sender without an id', async () => {
    const { handle, reached } = handlerWith();
    expect(await handle(lookup, { ...gmail, id: 'some-other-extension' })).toBeUndefined();
    expect(await handle(lookup, { url: gmail.url, tab: gmail.tab })).toBeUndefined();
    expect(reached).toEqual([]);
  });

  it('accepts the page protocol from a content script on a supported site, in a frame too', async () => {
    const { handle, reached } = handlerWith();
    expect(await handle(lookup, gmail)).toEqual({ ok: true, handled: 'portrait/lookup' });
    expect(await handle({ type: 'portrait/session' }, outlookFrame)).toEqual({ ok: true, handled: 'portrait/session' });
    expect(reached).toEqual(['portrait/lookup', 'portrait/session']);
  });

  it.each([
    ['a page Portrait does not support', { id: runtimeId, url: 'https://evil.example/', tab: { id: 5 } }],
    ['a look-alike host', { id: runtimeId, url: 'https://mail.google.com.evil.example/', tab: { id: 5 } }],
    ['plain http Gmail', { id: runtimeId, url: 'http://mail.google.com/', tab: { id: 5 } }],
    ['a URL that only contains the extension origin', { id: runtimeId, url: `https://evil.example/${extensionOrigin}`, tab: { id: 5 } }],
    ['a page without a tab', { id: runtimeId, url: 'https://mail.google.com/' }],
    ['an opaque frame', { id: runtimeId, url: 'about:blank', origin: 'null', tab: { id: 5 } }],
  ])('refuses a content script on %s', async (_label, sender) => {
    const { handle, reached } = handlerWith();
    expect(await handle(lookup, sender)).toMatchObject({ ok: false, error: 'forbidden' });
    expect(reached).toEqual([]);
  });

  describe('the tagging dialog', () => {
    // Portrait injected its dialog into frame 0 of tab 5, document "doc-1", on shop.example.
    const dialogFrame = { id: runtimeId, url: 'https://shop.example/orders/1', tab: { id: 5 }, frameId: 0, documentId: 'doc-1' };
    const injectedFrame = (frame: SenderFrame) =>
      frame.tabId === 5 && frame.frameId === 0 && (frame.documentId ? frame.documentId === 'doc-1' : new URL(frame.url).origin === 'https://shop.example');
    const save = { type: 'tagger/save', identifier: email, tags: ['Fair'], displayName: null, pageTitle: 'Order 1' };

    it('accepts its messages from the frame and document it was injected into', async () => {
      const { handle, reached } = handlerWith({ injectedFrame });
      expect(await handle({ type: 'tagger/open', selection: 'li.wei@example.com' }, dialogFrame)).toMatchObject({ ok: true });
      expect(await handle(save, dialogFrame)).toMatchObject({ ok: true });
      expect(await handle({ type: 'tagger/close' }, dialogFrame)).toMatchObject({ ok: true });
      expect(reached).toEqual(['tagger/open', 'tagger/save', 'tagger/close']);
    });

    it.each([
      ['another document in the same frame (the page navigated)', { ...dialogFrame, documentId: 'doc-2' }],
      ['another frame of the tab', { ...dialogFrame, frameId: 7 }],
      ['another tab', { ...dialogFrame, tab: { id: 6 } }],
      ['a content script on a supported site', { ...gmail, documentId: 'doc-9' }],
      ['the popup', popup],
      ['an extension page in a tab', optionsTab],
      ['a page Portrait never injected into', { id: runtimeId, url: 'https://evil.example/', tab: { id: 8 } }],
    ])('refuses its messages from %s', async (_label, sender) => {
      const { handle, reached } = handlerWith({ injectedFrame });
      expect(await handle(save, sender)).toMatchObject({ ok: false, error: 'forbidden' });
      expect(reached).toEqual([]);
    });

    it('gives no answer to another extension claiming to be the dialog', async () => {
      const { handle, reached } = handlerWith({ injectedFrame });
      expect(await handle(save, { ...dialogFrame, id: 'another-extension' })).toBeUndefined();
      expect(reached).toEqual([]);
    });

    it('lets the dialog send nothing but its own messages on a page Portrait does not support', async () => {
      const { handle, reached } = handlerWith({ injectedFrame });
      for (const message of [lookup, { type: 'portrait/write', write: { op: 'note', customerId, body: 'x' } }, { type: 'popup/state' }]) {
        expect(await handle(message, dialogFrame)).toMatchObject({ ok: false, error: 'forbidden' });
      }
      expect(reached).toEqual([]);
    });

    it('on a supported site, the same frame keeps the page protocol too', async () => {
      const gmailDialog = { ...gmail, documentId: 'doc-g' };
      const { handle, reached } = handlerWith({ injectedFrame: (frame) => frame.tabId === 3 && frame.documentId === 'doc-g' });
      expect(await handle(lookup, gmailDialog)).toMatchObject({ ok: true });
      expect(await handle(save, gmailDialog)).toMatchObject({ ok: true });
      expect(await handle(save, { ...gmail, documentId: 'doc-other' })).toMatchObject({ ok: false, error: 'forbidden' });
      expect(reached).toEqual(['portrait/lookup', 'tagger/save']);
    });

    it('refuses a malformed message from the dialog before any handler runs', async () => {
      const { handle, reached } = handlerWith({ injectedFrame });
      expect(await handle({ ...save, tags: [] }, dialogFrame)).toMatchObject({ ok: false, error: 'invalid-message' });
      expect(await handle({ ...save, customerId }, dialogFrame)).toMatchObject({ ok: false, error: 'invalid-message' });
      expect(reached).toEqual([]);
    });
  });

  it('refuses popup and options messages from a content script', async () => {
    const { handle, reached } = handlerWith();
    for (const message of [
      { type: 'account/sign-out' },
      { type: 'account/sign-in', email: 'rep@lotus.test', password: 'x' },
      { type: 'settings/save-api', api: null },
      { type: 'popup/state' },
    ]) {
      expect(await handle(message, gmail)).toMatchObject({ ok: false, error: 'forbidden' });
    }
    expect(reached).toEqual([]);
  });

  it('accepts everything from the extension’s own pages, in a tab too', async () => {
    const { handle, reached } = handlerWith();
    expect(await handle({ type: 'account/sign-out' }, popup)).toMatchObject({ ok: true });
    expect(await handle({ type: 'settings/get' }, optionsTab)).toMatchObject({ ok: true });
    expect(await handle(lookup, popup)).toMatchObject({ ok: true });
    expect(reached).toEqual(['account/sign-out', 'settings/get', 'portrait/lookup']);
  });

  it('answers a malformed message with invalid-message and never acts on it', async () => {
    const { handle, reached } = handlerWith();
    expect(await handle({ type: 'portrait/lookup', identifiers: 'everyone' }, gmail)).toMatchObject({
      ok: false,
      error: 'invalid-message',
      message: expect.stringContaining('identifiers'),
    });
    expect(await handle({ type: 'portrait/status', extra: 1 }, popup)).toMatchObject({ ok: false, error: 'invalid-message' });
    expect(reached).toEqual([]);
  });

  it('refuses an oversized message before parsing it', async () => {
    const { handle, reached } = handlerWith();
    const huge = { type: 'portrait/tags', prefix: 'a', padding: 'x'.repeat(messageLimits.maxMessageBytes) };
    expect(await handle(huge, gmail)).toEqual({
      ok: false,
      error: 'invalid-message',
      message: `The message is larger than ${messageLimits.maxMessageBytes} bytes`,
    });
    expect(reached).toEqual([]);
  });

  it('lets a switched-off site ask for its settings and session, nothing else', async () => {
    const siteEnabled = vi.fn(async (site: string) => site !== 'gmail');
    const { handle, reached } = handlerWith({ siteEnabled });
    expect(await handle(lookup, gmail)).toEqual({ ok: false, error: 'forbidden', message: 'Portrait is switched off for this site' });
    expect(await handle({ type: 'portrait/settings' }, gmail)).toMatchObject({ ok: true });
    expect(await handle({ type: 'portrait/session' }, gmail)).toMatchObject({ ok: true });
    expect(await handle(lookup, outlookFrame)).toMatchObject({ ok: true });
    expect(reached).toEqual(['portrait/settings', 'portrait/session', 'portrait/lookup']);
  });

  it('answers failed when a handler throws', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const handle = createMessageHandler({
      runtimeId,
      extensionOrigin,
      routes,
      handlers: new Proxy({} as MessageHandlers, {
        get: () => async () => {
          throw new Error('boom');
        },
      }),
    });
    expect(await handle({ type: 'portrait/session' }, gmail)).toEqual({ ok: false, error: 'failed', message: 'boom' });
    expect(logged).toHaveBeenCalled();
    logged.mockRestore();
  });
});
