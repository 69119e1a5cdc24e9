import { effect } from '@preact/signals';
import { describe, expect, it, vi } from 'vitest';
import { QUIET_LOADING_MS, createOverlayStore } from '../../../extension/features/overlay/store.ts';
import { PageRequestError } from '../../../extension/features/page-client.ts';
import { email, fakeBackground, now, page, participants, portrait, signedIn } from './data.ts';

const clock = () => now;

describe('overlay store', () => {
  it('stays hidden until the page shows someone', () => {
    const store = createOverlayStore(fakeBackground(), page, clock);
    expect(store.view.value).toEqual({ kind: 'hidden' });
  });

  it('looks the participants up in one request and shows the first', async () => {
    const background = fakeBackground({ 'li.wei@example.com': portrait() });
    const store = createOverlayStore(background, page, clock);
    store.setParticipants(participants(['li.wei@example.com', 'new.person@example.com']));
    // A quick answer is shown straight away, with no "looking up" state before it.
    expect(store.view.value.kind).toBe('hidden');
    await vi.waitFor(() => expect(store.view.value.kind).toBe('customer'));
    expect(background.lookup).toHaveBeenCalledTimes(1);
    expect(background.lookup).toHaveBeenCalledWith([email('li.wei@example.com'), email('new.person@example.com')]);
    store.select('email:new.person@example.com');
    expect(store.view.value.kind).toBe('unknown');
  });

  it('keeps the view the same value from people appearing to the answer, so the overlay renders once, with the answer', async () => {
    const background = fakeBackground({ 'li.wei@example.com': portrait() });
    let release: () => void = () => {};
    const answer = background.lookup.getMockImplementation()!;
    background.lookup.mockImplementationOnce((identifiers) => new Promise((resolve) => (release = () => resolve(answer(identifiers)))));
    const store = createOverlayStore(background, page, clock);
    const views: string[] = [];
    const stop = effect(() => void views.push(store.view.value.kind));

    store.setParticipants(participants(['li.wei@example.com']));
    expect(background.lookup).toHaveBeenCalledTimes(1);
    expect(store.status.value).toBe('loading');
    expect(views).toEqual(['hidden']);
    release();
    await vi.waitFor(() => expect(store.view.value.kind).toBe('customer'));
    expect(views).toEqual(['hidden', 'customer']);
    stop();
  });

  it('shows "looking up" when the answer takes longer than a moment, and at once when switching people', async () => {
    const background = fakeBackground({ 'b@example.com': portrait({ displayName: 'B' }) });
    let release: () => void = () => {};
    const answer = background.lookup.getMockImplementation()!;
    background.lookup.mockImplementationOnce(
      (identifiers) => new Promise((resolve) => (release = () => resolve(answer(identifiers)))),
    );
    const store = createOverlayStore(background, page, clock);
    store.setParticipants(participants(['a@example.com']));
    expect(store.view.value.kind).toBe('hidden');
    await new Promise((resolve) => setTimeout(resolve, QUIET_LOADING_MS + 30));
    expect(store.view.value.kind).toBe('loading');
    release();
    await vi.waitFor(() => expect(store.view.value.kind).toBe('unknown'));
    // The overlay is showing someone: another person on the page shows "looking up" at once.
    store.setParticipants(participants(['b@example.com']));
    expect(store.view.value.kind).toBe('loading');
    await vi.waitFor(() => expect(store.view.value.kind).toBe('customer'));
  });

  it('does not look up again when the same people are read again', async () => {
    const background = fakeBackground();
    const store = createOverlayStore(background, page, clock);
    store.setParticipants(participants(['a@example.com']));
    store.setParticipants(participants(['a@example.com'], { degraded: true }));
    await vi.waitFor(() => expect(store.view.value.kind).toBe('unknown'));
    expect(background.lookup).toHaveBeenCalledTimes(1);
    expect(store.participants.value.degraded).toBe(true);
  });

  it('keeps only the latest answer when the page changes during a lookup', async () => {
    const background = fakeBackground({ 'b@example.com': portrait({ displayName: 'B' }) });
    let release: () => void = () => {};
    background.lookup.mockImplementationOnce(
      (identifiers) =>
        new Promise((resolve) => {
          release = () => resolve({ ok: true, session: signedIn, results: identifiers.map((identifier) => ({ identifier, portrait: portrait({ displayName: 'Stale A' }) })), fetchedAt: null, stale: false });
        }),
    );
    const store = createOverlayStore(background, page, clock);
    store.setParticipants(participants(['a@example.com']));
    store.setParticipants(participants(['b@example.com']));
    await vi.waitFor(() => expect(store.view.value.kind).toBe('customer'));
    release();
    await Promise.resolve();
    const view = store.view.value;
    expect(view.kind === 'customer' && view.portrait.displayName).toBe('B');
  });

  it('shows the sign-in prompt when the session is signed out, as an answer or as an error', async () => {
    const signedOut = fakeBackground({}, { session: { signedIn: false, reason: 'signed-out' } });
    const store = createOverlayStore(signedOut, page, clock);
    store.setParticipants(participants(['a@example.com']));
    await vi.waitFor(() => expect(store.view.value).toEqual({ kind: 'signed-out', reason: 'signed-out' }));

    const refusing = fakeBackground();
    refusing.lookup.mockRejectedValue(new PageRequestError('signed-out'));
    const other = createOverlayStore(refusing, page, clock);
    other.setParticipants(participants(['a@example.com']));
    await vi.waitFor(() => expect(other.view.value).toEqual({ kind: 'signed-out', reason: 'signed-out' }));
  });

  it('says it is unavailable when the background does not answer, and recovers on retry', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const background = fakeBackground();
    background.lookup.mockRejectedValueOnce(new PageRequestError('no-answer'));
    const store = createOverlayStore(background, page, clock);
    store.setParticipants(participants(['a@example.com']));
    await vi.waitFor(() => expect(store.view.value.kind).toBe('unavailable'));
    await store.lookup();
    expect(store.view.value.kind).toBe('unknown');
  });

  it('follows pushes: fresher portraits and session changes', async () => {
    const background = fakeBackground({}, { session: { signedIn: false, reason: 'signed-out' } });
    const store = createOverlayStore(background, page, clock);
    store.setParticipants(participants(['li.wei@example.com']));
    await vi.waitFor(() => expect(store.view.value.kind).toBe('signed-out'));

    background.lookup.mockResolvedValue({ ok: true, session: signedIn, results: [{ identifier: email('li.wei@example.com'), portrait: null }], fetchedAt: null, stale: false });
    store.applyPush({ type: 'portrait/session-changed', session: signedIn });
    await vi.waitFor(() => expect(store.view.value.kind).toBe('unknown'));

    store.applyPush({ type: 'portrait/updated', results: [{ identifier: email('li.wei@example.com'), portrait: portrait() }] });
    expect(store.view.value.kind).toBe('customer');

    store.applyPush({ type: 'portrait/session-changed', session: { signedIn: false, reason: 'signed-out' } });
    expect(store.view.value.kind).toBe('signed-out');
  });

  it('shows an added tag as pending until the background view includes it', async () => {
    const background = fakeBackground({ 'li.wei@example.com': portrait() });
    const store = createOverlayStore(background, page, clock);
    store.setParticipants(participants(['li.wei@example.com']));
    await vi.waitFor(() => expect(store.view.value.kind).toBe('customer'));

    const added = store.addTag('  key   account ');
    expect(store.tags.value.at(-1)).toMatchObject({ name: 'key account', pending: true });
    expect(await added).toBe(true);
    expect(background.write).toHaveBeenCalledWith({
      op: 'tag',
      identifier: email('li.wei@example.com'),
      tags: ['key account'],
      pageUrl: page.url(),
      pageTitle: page.title(),
    });
    // Queued: still pending until the background pushes its view, which marks the tag itself.
    expect(store.tags.value.at(-1)).toMatchObject({ name: 'key account', pending: true });
    const tags = [...portrait().tags, { id: 'tag-9', name: 'key account', color: null, source: 'manual' as const, pending: true }];
    store.applyPush({ type: 'portrait/updated', results: [{ identifier: email('li.wei@example.com'), portrait: portrait({ tags }) }] });
    expect(store.tags.value.filter((tag) => tag.name === 'key account')).toEqual([{ ...tags[2] }]);
    store.applyPush({ type: 'portrait/updated', results: [{ identifier: email('li.wei@example.com'), portrait: portrait({ tags: [...portrait().tags, { ...tags[2]!, pending: false }] }) }] });
    expect(store.tags.value.at(-1)).toMatchObject({ name: 'key account', pending: false });
  });

  it('refuses a tag the customer already has, whatever its case', async () => {
    const background = fakeBackground({ 'li.wei@example.com': portrait() });
    const store = createOverlayStore(background, page, clock);
    store.setParticipants(participants(['li.wei@example.com']));
    await vi.waitFor(() => expect(store.view.value.kind).toBe('customer'));
    expect(await store.addTag('WHOLESALE')).toBe(false);
    expect(await store.addTag('   ')).toBe(false);
    expect(background.write).not.toHaveBeenCalled();
  });

  it('looks up again when a write lands at once', async () => {
    const background = fakeBackground({ 'li.wei@example.com': portrait() });
    background.write.mockResolvedValue({ ok: true, requestId: 'req-2', pending: false });
    const store = createOverlayStore(background, page, clock);
    store.setParticipants(participants(['li.wei@example.com']));
    await vi.waitFor(() => expect(store.view.value.kind).toBe('customer'));
    await store.addNote('Called, will order in January.');
    await vi.waitFor(() => expect(background.lookup).toHaveBeenCalledTimes(2));
    // The fresh answer does not include the note (the fake never changes): the local copy is dropped.
    await vi.waitFor(() => expect(store.notes.value.some((note) => note.pending)).toBe(false));
  });

  it('removes a failed write and says why', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const background = fakeBackground({ 'li.wei@example.com': portrait() });
    background.write.mockRejectedValue(new PageRequestError('forbidden', 'not allowed'));
    const store = createOverlayStore(background, page, clock);
    store.setParticipants(participants(['li.wei@example.com']));
    await vi.waitFor(() => expect(store.view.value.kind).toBe('customer'));
    expect(await store.removeTag('wholesale')).toBe(false);
    expect(store.tags.value.find((tag) => tag.name === 'wholesale')?.removing).toBeUndefined();
    expect(store.writeProblem.value).toBe('forbidden');
  });

  it('adds an unknown address as a lead with the name the page shows, once', async () => {
    const background = fakeBackground();
    const store = createOverlayStore(background, page, clock);
    store.setParticipants(participants(['new.person@example.com'], { names: { 'email:new.person@example.com': 'New Person' } }));
    await vi.waitFor(() => expect(store.view.value.kind).toBe('unknown'));
    const first = store.addLead();
    expect(store.leadPending.value).toBe(true);
    expect(await store.addLead()).toBe(false);
    await first;
    expect(background.write).toHaveBeenCalledTimes(1);
    expect(background.write).toHaveBeenCalledWith({
      op: 'lead',
      identifier: email('new.person@example.com'),
      displayName: 'New Person',
      pageUrl: page.url(),
      pageTitle: page.title(),
    });
  });

  it('suggests only tags the person does not have yet', async () => {
    const background = fakeBackground({ 'li.wei@example.com': portrait() });
    const store = createOverlayStore(background, page, clock);
    store.setParticipants(participants(['li.wei@example.com']));
    await vi.waitFor(() => expect(store.view.value.kind).toBe('customer'));
    await store.requestSuggestions('w');
    expect(background.tagSuggestions).toHaveBeenCalledWith('w');
    expect(store.suggestions.value.map((tag) => tag.name)).toEqual(['webinar-2025', 'west coast']);
  });

  it('remembers how fresh the data is', async () => {
    const fetchedAt = new Date(now - 120_000).toISOString();
    const store = createOverlayStore(fakeBackground({}, { fetchedAt, stale: true }), page, clock);
    store.setParticipants(participants(['a@example.com']));
    await vi.waitFor(() => expect(store.fetchedAt.value).toBe(now - 120_000));
    expect(store.stale.value).toBe(true);
    store.applyPush({ type: 'portrait/updated', results: [] });
    expect(store.stale.value).toBe(false);
    expect(store.fetchedAt.value).toBe(now);
  });
});
