import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { storageArea, type KeyValueArea } from '../../../extension/platform/storage/storage.ts';
import {
  backoffDelay,
  createWriteQueue,
  queueStorageKey,
  writeQueueItem,
  type ApplyOutcome,
  type QueuedWrite,
  type WriteQueueOptions,
} from '../../../extension/background/write-queue.ts';
import type { WriteOp } from '../../../extension/platform/messaging/schemas.ts';
import { fakeBackend, manualClock, orgA, settle, userId, type ManualClock } from './fakes.ts';
import v1Fixture from './fixtures/write-queue-v1.json' with { type: 'json' };

afterEach(() => fakeBrowser.reset());

const customerId = '33333333-3333-4333-8333-333333333333';
const tag: WriteOp = {
  op: 'tag',
  identifier: { kind: 'email', value: 'li.wei@example.com' },
  tags: ['VIP'],
  pageUrl: 'https://mail.google.com/mail/u/0/#inbox/1',
  pageTitle: 'Order question',
};
const note: WriteOp = { op: 'note', customerId, body: 'Called back about the refund' };
const owner = { orgId: orgA, userId };

let ids = 0;
function queueOver(
  area: KeyValueArea,
  clock: ManualClock,
  apply: (write: QueuedWrite) => Promise<ApplyOutcome>,
  extra: Partial<WriteQueueOptions> = {},
) {
  return createWriteQueue({
    area,
    clock,
    apply,
    canSend: () => true,
    random: () => 0.5,
    newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
    ...extra,
  });
}

describe('write queue', () => {
  it('stores a write with its request id before answering', async () => {
    const area = storageArea(fakeBrowser.storage.local);
    const queue = queueOver(area, manualClock(), async () => ({ ok: true, customerId: null }));

    const queued = await queue.enqueue(note, owner);

    const stored = await area.get<{ writes: QueuedWrite[] }>(queueStorageKey);
    expect(stored?.writes).toEqual([expect.objectContaining({ requestId: queued.requestId, write: note, attempts: 0 })]);
  });

  it('applies a write persisted before a restart exactly once after it, with the same request id', async () => {
    // The same storage.local before and after: fakeBrowser's, as the service worker sees it.
    const area = storageArea(fakeBrowser.storage.local);
    const server = fakeBackend();
    server.state.signedIn = true;
    const clock = manualClock();

    // First life: the API commits the write but the answer is lost, then the worker stops.
    server.state.loseAnswers = true;
    const before = queueOver(area, clock, (w) => server.backend.applyWrite(w, { orgId: orgA, currency: 'USD' }));
    const queued = await before.enqueue(tag, owner);
    await before.drain();
    expect(server.appliedWrites.size).toBe(1);
    expect((await before.writes()).map((w) => w.requestId)).toEqual([queued.requestId]);

    // Second life: a new queue over the same storage (the old one's timers died with it), a
    // minute later, and the network answers again.
    server.state.loseAnswers = false;
    const settled: string[] = [];
    const after = queueOver(area, manualClock(clock.now() + 60_000), (w) => server.backend.applyWrite(w, { orgId: orgA, currency: 'USD' }), {
      onSettled: (w, s) => settled.push(`${w.requestId}:${s.status}`),
    });
    await after.drain();

    expect(server.applyAttempts.map((w) => w.requestId)).toEqual([queued.requestId, queued.requestId]);
    expect(server.appliedWrites.size).toBe(1);
    expect(await after.writes()).toEqual([]);
    expect(settled).toEqual([`${queued.requestId}:landed`]);
  });

  it('retries a write that met no network with growing, jittered delays and the same request id', async () => {
    const area = storageArea(fakeBrowser.storage.local);
    const server = fakeBackend();
    server.state.signedIn = true;
    server.state.online = false;
    const clock = manualClock();
    const wakes: number[] = [];
    const queue = queueOver(area, clock, (w) => server.backend.applyWrite(w, { orgId: orgA, currency: 'USD' }), {
      baseDelayMs: 1_000,
      maxDelayMs: 60_000,
      wakeAt: (time) => wakes.push(time - clock.now()),
    });

    const queued = await queue.enqueue(note, owner);
    await queue.drain();
    expect(server.applyAttempts).toHaveLength(1);
    // random() = 0.5 → three quarters of the exponential delay.
    expect(clock.pendingDelays()).toEqual([750]);

    await clock.advance(750);
    expect(server.applyAttempts).toHaveLength(2);
    expect(clock.pendingDelays()).toEqual([1_500]);

    await clock.advance(1_500);
    expect(server.applyAttempts).toHaveLength(3);
    expect(clock.pendingDelays()).toEqual([3_000]);
    expect(wakes).toEqual([750, 1_500, 3_000]);
    const [stored] = await queue.writes();
    expect(stored).toMatchObject({ attempts: 3, lastError: 'TypeError: Failed to fetch' });

    server.state.online = true;
    await clock.advance(3_000);
    expect(server.applyAttempts.map((w) => w.requestId)).toEqual(Array(4).fill(queued.requestId));
    expect(server.appliedWrites.size).toBe(1);
    expect(await queue.writes()).toEqual([]);
  });

  it('keeps the backoff within its bounds whatever the jitter', () => {
    for (const attempts of [1, 2, 5, 12, 40]) {
      const ceiling = Math.min(300_000, 1_000 * 2 ** (attempts - 1));
      expect(backoffDelay(attempts, () => 0, 1_000, 300_000)).toBe(ceiling / 2);
      expect(backoffDelay(attempts, () => 0.999999, 1_000, 300_000)).toBeLessThanOrEqual(ceiling);
    }
  });

  it('sends writes in the order they were made and stops at the first that has to wait', async () => {
    const area = storageArea(fakeBrowser.storage.local);
    const clock = manualClock();
    const sent: string[] = [];
    let failNext = true;
    const queue = queueOver(area, clock, async (w) => {
      sent.push(w.write.op);
      if (w.write.op === 'tag' && failNext) {
        failNext = false;
        return { ok: false, retry: true, message: 'HTTP 503' };
      }
      return { ok: true, customerId: null };
    });
    await queue.enqueue(tag, owner);
    await queue.enqueue({ op: 'untag', customerId, tag: 'VIP' }, owner);

    await queue.drain();
    expect(sent).toEqual(['tag']);
    await clock.advance(10_000);
    expect(sent).toEqual(['tag', 'tag', 'untag']);
  });

  it('drops a write the API refuses, records it, and sends the next one', async () => {
    const area = storageArea(fakeBrowser.storage.local);
    const clock = manualClock();
    const settled: string[] = [];
    const queue = queueOver(
      area,
      clock,
      async (w) =>
        w.write.op === 'stage'
          ? { ok: false, retry: false, message: 'permission denied for function set_lifecycle_stage' }
          : { ok: true, customerId: null },
      { onSettled: (w, s) => settled.push(`${w.write.op}:${s.status}`) },
    );
    await queue.enqueue({ op: 'stage', customerId, stage: 'loyal', reason: null }, owner);
    await queue.enqueue(note, owner);

    await queue.drain();

    expect(settled).toEqual(['stage:failed', 'note:landed']);
    expect(await queue.writes()).toEqual([]);
    expect(await queue.failed()).toEqual([
      expect.objectContaining({ write: expect.objectContaining({ op: 'stage' }), message: expect.stringContaining('permission denied') }),
    ]);
  });

  it('waits while its user is signed out and sends when they are back', async () => {
    const area = storageArea(fakeBrowser.storage.local);
    let signedIn = false;
    const sent: string[] = [];
    const queue = queueOver(area, manualClock(), async (w) => {
      sent.push(w.requestId);
      return { ok: true, customerId: null };
    }, { canSend: () => signedIn });
    await queue.enqueue(note, owner);

    await queue.drain();
    expect(sent).toEqual([]);
    signedIn = true;
    await queue.drain();
    expect(sent).toHaveLength(1);
  });

  it('does not let writes of a user who is signed out hold up the signed-in user’s', async () => {
    const area = storageArea(fakeBrowser.storage.local);
    const sent: string[] = [];
    const queue = queueOver(area, manualClock(), async (w) => {
      sent.push(w.userId);
      return { ok: true, customerId: null };
    }, { canSend: (w) => w.userId === userId });
    await queue.enqueue(note, { orgId: orgA, userId: 'someone-who-left' });
    await queue.enqueue(note, owner);

    await queue.drain();

    expect(sent).toEqual([userId]);
    expect((await queue.writes()).map((w) => w.userId)).toEqual(['someone-who-left']);
  });

  it('sends a write made against a new lead with the id the API gave the lead', async () => {
    const area = storageArea(fakeBrowser.storage.local);
    const realId = '55555555-5555-4555-8555-555555555555';
    const sent: WriteOp[] = [];
    const clock = manualClock();
    let online = false;
    const queue = queueOver(area, clock, async (w) => {
      if (!online) return { ok: false, retry: true, message: 'offline' };
      sent.push(w.write);
      return { ok: true, customerId: w.write.op === 'lead' ? realId : null };
    });
    const lead = await queue.enqueue(
      { op: 'lead', identifier: { kind: 'email', value: 'new@example.com' }, displayName: 'New Person', pageUrl: null, pageTitle: null },
      owner,
    );
    expect(lead.placeholderCustomerId).toBeTruthy();
    await queue.enqueue({ op: 'note', customerId: lead.placeholderCustomerId!, body: 'Met at the fair' }, owner);
    await queue.drain();

    online = true;
    await clock.advance(5_000);

    expect(sent).toEqual([
      expect.objectContaining({ op: 'lead' }),
      { op: 'note', customerId: realId, body: 'Met at the fair' },
    ]);
    expect(await queue.resolveCustomerId(lead.placeholderCustomerId!)).toBe(realId);
  });

  it('tells a waiting request whether its write landed, failed or is still pending', async () => {
    const area = storageArea(fakeBrowser.storage.local);
    const clock = manualClock();
    let outcome: ApplyOutcome = { ok: true, customerId: null };
    const queue = queueOver(area, clock, async () => outcome);

    const first = await queue.enqueue(note, owner);
    const firstAnswer = queue.settled(first.requestId, 1_000);
    await queue.drain();
    await expect(firstAnswer).resolves.toEqual({ status: 'landed', customerId: null, portrait: null });

    outcome = { ok: false, retry: true, message: 'offline' };
    const second = await queue.enqueue(note, owner);
    const secondAnswer = queue.settled(second.requestId, 1_000);
    await queue.drain();
    await clock.advance(1_000);
    await expect(secondAnswer).resolves.toEqual({ status: 'pending' });
  });

  it('forgets every write when cleared', async () => {
    const area = storageArea(fakeBrowser.storage.local);
    const queue = queueOver(area, manualClock(), async () => ({ ok: false, retry: true, message: 'offline' }));
    await queue.enqueue(note, owner);
    await queue.clear();
    expect(await queue.writes()).toEqual([]);
    await settle();
  });
});

describe('write queue after a restart', () => {
  it('tries the first write at once when woken, whatever its backoff', async () => {
    const area = storageArea(fakeBrowser.storage.local);
    const clock = manualClock();
    let online = false;
    const sent: string[] = [];
    const queue = queueOver(area, clock, async (w) => {
      sent.push(w.requestId);
      return online ? { ok: true, customerId: null } : { ok: false, retry: true, message: 'offline' };
    });
    await queue.enqueue(note, owner);
    for (let i = 0; i < 6; i++) await queue.drain({ now: true });
    const [waiting] = await queue.writes();
    expect(waiting!.nextAttemptAt - clock.now()).toBeGreaterThan(10_000);

    online = true;
    await queue.drain();
    expect(sent).toHaveLength(6);
    await queue.drain({ now: true });
    expect(sent).toHaveLength(7);
    expect(await queue.writes()).toEqual([]);
  });
});

/** An area that counts reads of the queue's key, and can be made to fail its writes. */
function watchedArea(area: KeyValueArea) {
  const watched = { reads: 0, failWrites: false };
  const wrapped: KeyValueArea = {
    ...area,
    get<T>(key: string) {
      if (key.startsWith(queueStorageKey)) watched.reads += 1;
      return area.get<T>(key);
    },
    async set(key, value) {
      if (watched.failWrites) throw new Error('QUOTA_BYTES quota exceeded');
      return area.set(key, value);
    },
  };
  return { area: wrapped, watched };
}

describe('write queue kept in memory', () => {
  it('reads storage once per worker: reads and changes after that are served from memory', async () => {
    const { area, watched } = watchedArea(storageArea(fakeBrowser.storage.local));
    const queue = queueOver(area, manualClock(), async () => ({ ok: false, retry: true, message: 'offline' }));

    const queued = await queue.enqueue(note, owner);
    const readsAfterStart = watched.reads;
    expect(readsAfterStart).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) expect((await queue.writes()).map((w) => w.requestId)).toEqual([queued.requestId]);
    await queue.enqueue(tag, owner);
    await queue.drain({ now: true });
    await queue.failed();
    await queue.resolveCustomerId(customerId);
    expect(watched.reads).toBe(readsAfterStart);

    // A restarted worker reads what the first one stored, once.
    const { area: again, watched: restarted } = watchedArea(storageArea(fakeBrowser.storage.local));
    const next = queueOver(again, manualClock(), async () => ({ ok: true, customerId: null }));
    const [first, second] = await next.writes();
    expect(first).toMatchObject({ requestId: queued.requestId, attempts: 1, lastError: 'offline' });
    expect(second).toMatchObject({ write: tag });
    const readsOnce = restarted.reads;
    await next.writes();
    await next.failed();
    expect(restarted.reads).toBe(readsOnce);
  });

  it('takes a change only once storage has it: a failed storage write leaves the queue as it was', async () => {
    const { area, watched } = watchedArea(storageArea(fakeBrowser.storage.local));
    const queue = queueOver(area, manualClock(), async () => ({ ok: true, customerId: null }));
    const kept = await queue.enqueue(note, owner);

    watched.failWrites = true;
    await expect(queue.enqueue(tag, owner)).rejects.toThrow('quota');
    expect((await queue.writes()).map((w) => w.requestId)).toEqual([kept.requestId]);
    // A landed write stays queued (and is sent again, with its request id) while storage refuses.
    await queue.drain({ now: true }).catch(() => undefined);
    expect((await queue.writes()).map((w) => w.requestId)).toEqual([kept.requestId]);

    watched.failWrites = false;
    await queue.drain({ now: true });
    expect(await queue.writes()).toEqual([]);
    expect(await area.get(queueStorageKey)).toMatchObject({ writes: [] });
  });

  it('hands out writes that cannot change the queue behind its back', async () => {
    const queue = queueOver(storageArea(fakeBrowser.storage.local), manualClock(), async () => ({ ok: true, customerId: null }));
    await queue.enqueue(note, owner);
    const [write] = await queue.writes();
    expect(() => {
      (write!.write as { body: string }).body = 'changed';
    }).toThrow(TypeError);
    expect((await queue.writes())[0]?.write).toEqual(note);
  });
});

// A queue as the first builds stored it (version 1, no version recorded): written by that code
// (createWriteQueue before the queue was a versioned storage item) with a landed lead, a refused
// stage change and six writes waiting, one of them against the lead's placeholder id.
const storedV1 = v1Fixture['portrait:write-queue'];
/** A minute after the fixture's writes were queued: every one of them is due. */
const afterV1 = () => manualClock(Date.UTC(2026, 10, 23, 9, 1, 0));

describe('write queue stored by an older version', () => {
  it('reads a version 1 queue after the upgrade with every write intact, and sends each once, in order', async () => {
    await fakeBrowser.storage.local.set(structuredClone(v1Fixture));
    const area = storageArea(fakeBrowser.storage.local);
    const sent: QueuedWrite[] = [];
    const queue = queueOver(area, afterV1(), async (w) => {
      sent.push(w);
      return { ok: true, customerId: null };
    });

    const [placeholder, realId] = Object.entries(storedV1.resolved)[0]!;
    const expected = storedV1.writes.map((w) =>
      'customerId' in w.write && w.write.customerId === placeholder ? { ...w, write: { ...w.write, customerId: realId } } : w,
    );
    expect(await queue.writes()).toEqual(expected);
    expect(await queue.failed()).toEqual(storedV1.failed);
    expect(await queue.resolveCustomerId(placeholder)).toBe(realId);
    // Upgraded in place: the value keeps its writes and records its version, as WXT's items do.
    expect(await fakeBrowser.storage.local.get(null)).toEqual({
      [queueStorageKey]: { ...storedV1, setAside: [] },
      [`${queueStorageKey}$`]: { v: writeQueueItem.version },
    });

    await queue.drain();
    expect(sent).toEqual(expected);
    expect(await queue.writes()).toEqual([]);
  });

  it('keeps aside a stored write it cannot read, without losing or holding up the others', async () => {
    const unreadable = { ...storedV1.writes[1]!, write: { op: 'merge', customerId: 'somebody' } };
    const writes = [storedV1.writes[0]!, unreadable, ...storedV1.writes.slice(2)];
    await fakeBrowser.storage.local.set({ [queueStorageKey]: { ...storedV1, writes } });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const area = storageArea(fakeBrowser.storage.local);
    const sent: string[] = [];
    const queue = queueOver(area, afterV1(), async (w) => {
      sent.push(w.requestId);
      return { ok: true, customerId: null };
    });

    expect((await queue.writes()).map((w) => w.requestId)).toEqual(storedV1.writes.filter((w) => w !== storedV1.writes[1]).map((w) => w.requestId));
    await queue.drain();
    expect(sent).not.toContain(unreadable.requestId);
    expect(sent).toHaveLength(storedV1.writes.length - 1);
    const stored = await area.get<{ setAside: Array<{ value: unknown; reason: string }> }>(queueStorageKey);
    expect(stored?.setAside).toEqual([{ value: unreadable, reason: expect.stringContaining('write.op') }]);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });

  it('keeps aside a whole queue it cannot read (a newer version’s) and starts empty', async () => {
    await fakeBrowser.storage.local.set({ [queueStorageKey]: storedV1, [`${queueStorageKey}$`]: { v: writeQueueItem.version + 1 } });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const area = storageArea(fakeBrowser.storage.local);
    const queue = queueOver(area, manualClock(), async () => ({ ok: true, customerId: null }));

    expect(await queue.writes()).toEqual([]);
    expect(await area.get(`${queueStorageKey}#unreadable`)).toMatchObject({ value: storedV1, version: writeQueueItem.version + 1, reason: expect.stringContaining('newer version') });
    expect(await area.get(queueStorageKey)).toBeUndefined();
    expect(warn.mock.calls).toEqual([[expect.stringContaining('kept aside')]]);
    warn.mockRestore();
  });
});
