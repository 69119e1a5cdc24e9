import { describe, expect, it, vi } from 'vitest';
import { createMessageHandler } from '../../extension/lib/message-handler.ts';
import { extensionMessageSchema } from '../../extension/lib/message-schemas.ts';

const runtimeId = 'portrait-test-id';
const apiUrl = 'http://127.0.0.1:54321';

function handlerWith(fetchImpl: typeof fetch) {
  return createMessageHandler({ runtimeId, apiUrl, anonKey: 'anon', fetch: fetchImpl });
}

const healthy: typeof fetch = async () => new Response('{}', { status: 200 });
const refused: typeof fetch = async () => {
  throw new TypeError('Failed to fetch');
};

describe('extension message schema', () => {
  it('accepts a status request', () => {
    expect(extensionMessageSchema.safeParse({ type: 'portrait/status' }).success).toBe(true);
  });

  it.each([
    ['an unknown type', { type: 'portrait/delete-everything' }],
    ['a missing type', {}],
    ['extra fields', { type: 'portrait/status', token: 'stolen' }],
    ['a non-object', 'portrait/status'],
    ['null', null],
  ])('rejects %s', (_label, message) => {
    expect(extensionMessageSchema.safeParse(message).success).toBe(false);
  });
});

describe('background message handler', () => {
  it('answers a status request with the API URL and reachability', async () => {
    const fetchSpy = vi.fn(healthy);
    const answer = await handlerWith(fetchSpy)({ type: 'portrait/status' }, { id: runtimeId });
    expect(answer).toEqual({ ok: true, apiUrl, reachable: true });
    expect(fetchSpy).toHaveBeenCalledWith(`${apiUrl}/auth/v1/health`, expect.anything());
  });

  it('reports an unreachable API as not reachable instead of failing', async () => {
    const answer = await handlerWith(refused)({ type: 'portrait/status' }, { id: runtimeId });
    expect(answer).toEqual({ ok: true, apiUrl, reachable: false });
  });

  it('reports an API that answers with an error status as not reachable', async () => {
    const failing: typeof fetch = async () => new Response('', { status: 503 });
    const answer = await handlerWith(failing)({ type: 'portrait/status' }, { id: runtimeId });
    expect(answer).toEqual({ ok: true, apiUrl, reachable: false });
  });

  it('ignores messages from another extension without touching the network', async () => {
    const fetchSpy = vi.fn(healthy);
    const handle = handlerWith(fetchSpy);
    expect(await handle({ type: 'portrait/status' }, { id: 'someone-else' })).toBeUndefined();
    expect(await handle({ type: 'portrait/status' }, {})).toBeUndefined();
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('rejects a malformed message from its own pages', async () => {
    const fetchSpy = vi.fn(healthy);
    const answer = await handlerWith(fetchSpy)({ type: 'portrait/status', extra: 1 }, { id: runtimeId });
    expect(answer).toEqual({ ok: false, error: 'invalid-message' });
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});
