import { describe, expect, it, vi } from 'vitest';
import { createMessageHandler, type MessageHandlers } from '../../extension/lib/message-handler.ts';
import { extensionMessageSchema, messageLimits, pageRequestSchema } from '../../extension/lib/message-schemas.ts';

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

function handlerWith(options: { siteEnabled?: (site: string) => Promise<boolean>; grantedTab?: (tabId: number, url: string) => boolean } = {}) {
  const { handlers, reached } = recordingHandlers();
  const handle = createMessageHandler({ runtimeId, extensionOrigin, handlers, ...options });
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
    ['tag suggestions', { type: 'portrait/tags', prefix: 'v' }],
    ['the session', { type: 'portrait/session' }],
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
    ['a javascript: page URL', { type: 'portrait/write', write: { op: 'tag', identifier: email, tags: ['x'], pageUrl: 'javascript:alert(1)', pageTitle: null } }],
    ['a tag write without tags', { type: 'portrait/write', write: { op: 'tag', identifier: email, tags: [], pageUrl: null, pageTitle: null } }],
    ['an unknown stage', { type: 'portrait/write', write: { op: 'stage', customerId, stage: 'vip', reason: null } }],
    ['an unknown write', { type: 'portrait/write', write: { op: 'delete', customerId } }],
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

  it('accepts a tab the user handed over, while it stays on that origin', async () => {
    const granted = new Map([[5, 'https://shop.example']]);
    const { handle } = handlerWith({ grantedTab: (tabId, url) => granted.get(tabId) === new URL(url).origin });
    expect(await handle(lookup, { id: runtimeId, url: 'https://shop.example/orders/1', tab: { id: 5 } })).toMatchObject({ ok: true });
    expect(await handle(lookup, { id: runtimeId, url: 'https://evil.example/', tab: { id: 5 } })).toMatchObject({ error: 'forbidden' });
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
