import { afterEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { BackgroundError, sendMessage } from '../../extension/features/send.ts';

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

  it('passes on the background’s reason and error code', async () => {
    backgroundAnswers({ ok: false, error: 'failed', message: 'Invalid login credentials' });
    const failure = await sendMessage({ type: 'account/sign-in', email: 'rep@lotus.test', password: 'x' }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(BackgroundError);
    expect(failure).toMatchObject({ code: 'failed', message: 'Invalid login credentials' });
  });

  it('fails when nothing answers', async () => {
    fakeBrowser.runtime.onMessage.addListener(() => false);
    await expect(sendMessage({ type: 'portrait/status' })).rejects.toThrow(/No answer/);
  });
});
