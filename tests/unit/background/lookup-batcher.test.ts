import { describe, expect, it, vi } from 'vitest';
import { identifierKey } from '../../../extension/background/identifiers.ts';
import { createLookupBatcher, type FetchBatch } from '../../../extension/background/lookup-batcher.ts';
import type { Identifier } from '../../../extension/platform/messaging/schemas.ts';
import { manualClock, orgA, orgB, portraitFor } from './fakes.ts';

const email = (value: string): Identifier => ({ kind: 'email', value });

/** An API that knows every address and records each call. */
function recordingApi() {
  let release: () => void = () => undefined;
  let held = false;
  const fetchBatch = vi.fn<FetchBatch>(async (_orgId, identifiers) => {
    if (held) await new Promise<void>((resolve) => (release = resolve));
    return new Map(identifiers.map((id) => [identifierKey(id), portraitFor(id)]));
  });
  return {
    fetchBatch,
    hold() {
      held = true;
    },
    release: () => release(),
  };
}

describe('lookup batcher', () => {
  it('sends what several tabs ask within the window as one call, each identifier once', async () => {
    const clock = manualClock();
    const api = recordingApi();
    const batcher = createLookupBatcher({ fetchBatch: api.fetchBatch, clock, windowMs: 8 });

    const tabOne = batcher.load(orgA, [email('a@example.com'), email('b@example.com')]);
    const tabTwo = batcher.load(orgA, [email('b@example.com'), email('c@example.com')]);
    const tabThree = batcher.load(orgA, [email('a@example.com')]);
    expect(api.fetchBatch).not.toHaveBeenCalled();
    await clock.advance(8);

    expect(api.fetchBatch).toHaveBeenCalledTimes(1);
    expect(api.fetchBatch.mock.calls[0]![1].map((id) => id.value)).toEqual(['a@example.com', 'b@example.com', 'c@example.com']);
    expect([...(await tabOne).keys()]).toEqual(['email:a@example.com', 'email:b@example.com']);
    expect((await tabTwo).get('email:c@example.com')?.displayName).toBe('c@example.com');
    expect((await tabThree).size).toBe(1);
  });

  it('makes one call per organization', async () => {
    const clock = manualClock();
    const api = recordingApi();
    const batcher = createLookupBatcher({ fetchBatch: api.fetchBatch, clock });

    void batcher.load(orgA, [email('a@example.com')]);
    void batcher.load(orgB, [email('a@example.com')]);
    await clock.advance(10);

    expect(api.fetchBatch.mock.calls.map(([org]) => org).sort()).toEqual([orgA, orgB].sort());
  });

  it('sends a full batch at once and splits larger ones', async () => {
    const clock = manualClock();
    const api = recordingApi();
    const batcher = createLookupBatcher({ fetchBatch: api.fetchBatch, clock, maxBatch: 3 });
    const many = Array.from({ length: 7 }, (_, i) => email(`p${i}@example.com`));

    const answer = batcher.load(orgA, many);
    await clock.advance(0);
    expect(api.fetchBatch.mock.calls.map(([, ids]) => ids.length)).toEqual([3, 3]);
    await clock.advance(10);
    expect(api.fetchBatch.mock.calls.map(([, ids]) => ids.length)).toEqual([3, 3, 1]);
    expect((await answer).size).toBe(7);
  });

  it('lets a later asker join a call already under way instead of making another', async () => {
    const clock = manualClock();
    const api = recordingApi();
    api.hold();
    const batcher = createLookupBatcher({ fetchBatch: api.fetchBatch, clock });

    const first = batcher.load(orgA, [email('a@example.com')]);
    await clock.advance(10);
    const second = batcher.load(orgA, [email('a@example.com')]);
    await clock.advance(10);
    api.release();

    expect(api.fetchBatch).toHaveBeenCalledTimes(1);
    expect((await first).get('email:a@example.com')).toEqual((await second).get('email:a@example.com'));
  });

  it('gives every asker the failure of the call', async () => {
    const clock = manualClock();
    const batcher = createLookupBatcher({
      clock,
      fetchBatch: async () => {
        throw new Error('Failed to fetch');
      },
    });
    const one = expect(batcher.load(orgA, [email('a@example.com')])).rejects.toThrow('Failed to fetch');
    const two = expect(batcher.load(orgA, [email('a@example.com'), email('b@example.com')])).rejects.toThrow('Failed to fetch');
    await clock.advance(10);
    await one;
    await two;
  });

  it('answers null for identifiers the API does not know', async () => {
    const clock = manualClock();
    const batcher = createLookupBatcher({ clock, fetchBatch: async () => new Map() });
    const answer = batcher.load(orgA, [email('nobody@example.com')]);
    await clock.advance(10);
    expect((await answer).get('email:nobody@example.com')).toBeNull();
  });
});
