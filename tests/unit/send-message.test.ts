import { afterEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { sendMessage } from '../../extension/lib/messages.ts';

afterEach(() => fakeBrowser.reset());

function backgroundAnswers(answer: unknown): void {
  fakeBrowser.runtime.onMessage.addListener((_message, _sender, sendResponse) => {
    sendResponse(answer);
    return true;
  });
}

describe('sendMessage', () => {
  it('returns the background answer', async () => {
    const answer = { ok: true, apiUrl: 'http://127.0.0.1:54321', reachable: false };
    backgroundAnswers(answer);
    await expect(sendMessage({ type: 'portrait/status' })).resolves.toEqual(answer);
  });

  it('fails when the background refuses the message', async () => {
    backgroundAnswers({ ok: false, error: 'invalid-message' });
    await expect(sendMessage({ type: 'portrait/status' })).rejects.toThrow(/refused/);
  });

  it('fails when nothing answers', async () => {
    fakeBrowser.runtime.onMessage.addListener(() => false);
    await expect(sendMessage({ type: 'portrait/status' })).rejects.toThrow(/No answer/);
  });
});
