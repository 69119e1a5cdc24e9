import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Overlay } from '../../../extension/features/overlay/Overlay.tsx';
import { createOverlayStore } from '../../../extension/features/overlay/store.ts';
import { email, fakeBackground, now, page, participants, portrait, type FakeBackground } from './data.ts';

const hostile = '<img src=x onerror=alert(1)>';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/**
 * What a browser does with a key on a focused element: happy-dom does not activate buttons from
 * the keyboard, so Enter (on keydown) and Space (on keyup) click a button here as they would there.
 */
function press(element: Element, key: string) {
  const down = fireEvent.keyDown(element, { key });
  if (element.tagName === 'BUTTON' && down && key === 'Enter') fireEvent.click(element);
  const up = fireEvent.keyUp(element, { key });
  if (element.tagName === 'BUTTON' && up && key === ' ') fireEvent.click(element);
}

async function showOverlay(background: FakeBackground, people = ['li.wei@example.com'], extra = {}) {
  const store = createOverlayStore(background, page, () => now);
  store.setParticipants(participants(people, extra));
  const view = render(<Overlay store={store} />);
  await waitFor(() => expect(store.view.value.kind).not.toBe('loading'));
  return { store, ...view };
}

const pill = () => screen.getByTestId('portrait-pill');

async function expand() {
  act(() => {
    pill().focus();
    press(pill(), 'Enter');
  });
  return screen.getByRole('region', { name: 'Portrait customer card' });
}

describe('Overlay', () => {
  it('renders nothing while the page shows nobody', () => {
    const store = createOverlayStore(fakeBackground(), page, () => now);
    const { container } = render(<Overlay store={store} />);
    expect(container.textContent).toBe('');
  });

  it('starts as a pill with the name and the stage colour', async () => {
    await showOverlay(fakeBackground({ 'li.wei@example.com': portrait() }));
    expect(pill().tagName).toBe('BUTTON');
    expect(pill().getAttribute('aria-expanded')).toBe('false');
    expect(pill().textContent).toContain('Li Wei');
    expect(pill().textContent).toContain('At risk');
    expect(pill().querySelector('[aria-hidden="true"]')?.className).toContain('bg-amber-500');
    expect(screen.queryByRole('region', { name: 'Portrait customer card' })).toBeNull();
  });

  it('expands with Enter and collapses with Escape, giving focus back to the pill', async () => {
    await showOverlay(fakeBackground({ 'li.wei@example.com': portrait() }));
    const card = await expand();
    expect(pill().getAttribute('aria-expanded')).toBe('true');
    expect(pill().getAttribute('aria-controls')).toBe(card.id);

    const input = within(card).getByRole('combobox', { name: 'Add tag' });
    act(() => input.focus());
    act(() => press(input, 'Escape'));
    expect(screen.queryByRole('region', { name: 'Portrait customer card' })).toBeNull();
    expect(pill().getAttribute('aria-expanded')).toBe('false');
    expect(document.activeElement).toBe(pill());

    act(() => press(pill(), ' '));
    expect(screen.getByRole('region', { name: 'Portrait customer card' })).toBeTruthy();
  });

  it('shows the portrait: identity, stage with reason and timeline, badges, numbers, tags, segments, notes, Studio', async () => {
    await showOverlay(fakeBackground({ 'li.wei@example.com': portrait() }));
    const card = await expand();
    const text = card.textContent!;
    expect(within(card).getByRole('heading', { name: 'Li Wei' })).toBeTruthy();
    expect(text).toContain('li.wei@example.com');
    expect(text).toContain('Example Ltd');
    expect(text).toContain('Owner: Sam Rep');
    expect(text).toContain('No order for 142 days (more than 90).');
    const timeline = within(card).getByRole('list', { name: 'Stage history' });
    expect(within(timeline).getAllByRole('listitem').map((item) => item.textContent)).toEqual([
      expect.stringContaining('New'),
      expect.stringContaining('Active'),
      expect.stringContaining('At risk'),
    ]);
    const badges = within(card).getByRole('list', { name: 'Classification' });
    expect(badges.textContent).toContain('VIP');
    expect(badges.textContent).toContain("Can't lose R2 F5 M5");
    expect(badges.textContent).toContain('High ticket');
    expect(badges.textContent).toContain('Partner');
    expect(badges.textContent).not.toContain('Invalid');
    expect(text).toContain('€12,840.50');
    expect(text).toContain('€1,834');
    expect(text).toContain('142 days ago');
    expect(within(card).getByRole('list', { name: 'Tags' }).textContent).toContain('wholesale');
    expect(text).toContain('Big spenders going quiet');
    // Latest note first.
    expect(text.indexOf('Asked for a volume discount.')).toBeLessThan(text.indexOf('Prefers calls after 3 pm.'));
    const studio = within(card).getByRole('link', { name: 'Open in Supabase Studio' });
    expect(studio.getAttribute('href')).toBe(portrait().studioUrl);
    expect(studio.getAttribute('rel')).toBe('noopener noreferrer');
    expect(text).toContain('Updated just now');
    expect(text).toContain('profile computed 3 hr. ago');
  });

  it('shows a manual stage beside the computed one, and invalid customers', async () => {
    await showOverlay(
      fakeBackground({ 'li.wei@example.com': portrait({ stage: 'loyal', stageOverride: 'loyal', isValid: false, studioUrl: null }) }),
    );
    const card = await expand();
    expect(card.textContent).toContain('Set by hand; computed: At risk');
    expect(within(card).getByRole('list', { name: 'Classification' }).textContent).toContain('Invalid');
    expect(within(card).queryByRole('link')).toBeNull();
  });

  it('follows only http(s) Studio links', async () => {
    await showOverlay(fakeBackground({ 'li.wei@example.com': portrait({ studioUrl: 'javascript:alert(1)' }) }));
    const card = await expand();
    expect(within(card).queryByRole('link')).toBeNull();
  });

  it('renders hostile names, tags and notes as text', async () => {
    const evil = portrait({
      displayName: hostile,
      company: '"><svg onload=alert(2)>',
      tags: [{ id: 't', name: '<b onmouseover=alert(3)>x</b>', color: 'red;background:url(https://evil.example)', source: 'manual' }],
      notes: [{ id: 'n', body: '<script>alert(4)</script>\u202Eexe.txt', authorName: '<i>x</i>', createdAt: new Date(now).toISOString() }],
      segments: [{ id: 's', name: '<iframe src=javascript:alert(5)>' }],
    });
    const { container } = await showOverlay(fakeBackground({ 'li.wei@example.com': evil }));
    expect(pill().textContent).toContain(hostile);
    const card = await expand();
    expect(within(card).getByRole('heading', { name: hostile })).toBeTruthy();
    expect(card.textContent).toContain('<script>alert(4)</script>');
    expect(container.querySelector('img, svg, script, iframe, b, i')).toBeNull();
    const dot = within(card).getByRole('list', { name: 'Tags' }).querySelector('[aria-hidden="true"]') as HTMLElement;
    expect(dot.getAttribute('style') ?? '').not.toContain('url');
  });

  it('says "Not a customer yet" for an unknown address and adds it as a lead', async () => {
    const background = fakeBackground();
    await showOverlay(background, ['new.person@example.com'], { names: { 'email:new.person@example.com': hostile } });
    expect(pill().textContent).toContain('Not a customer yet');
    const card = await expand();
    expect(card.textContent).toContain('Not a customer yet');
    expect(within(card).getByRole('heading', { name: hostile })).toBeTruthy();
    let answer: (value: { ok: true; requestId: string; pending: boolean }) => void = () => {};
    background.write.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)));
    fireEvent.click(within(card).getByRole('button', { name: 'Add as lead' }));
    const pending = within(card).getByRole('button', { name: 'Adding as lead…' }) as HTMLButtonElement;
    expect(pending.disabled).toBe(true);
    expect(background.write).toHaveBeenCalledWith(expect.objectContaining({ op: 'lead', identifier: email('new.person@example.com'), displayName: hostile }));
    await act(async () => answer({ ok: true, requestId: 'r', pending: true }));
    // Tagging is offered too, and also creates the lead.
    expect(within(card).getByRole('combobox', { name: 'Add tag' })).toBeTruthy();
  });

  it('shows a sign-in prompt, not an error, when signed out', async () => {
    const background = fakeBackground({ 'li.wei@example.com': portrait() }, { session: { signedIn: false, reason: 'signed-out' } });
    await showOverlay(background);
    expect(pill().textContent).toContain('Sign in');
    const card = await expand();
    expect(within(card).getByRole('heading', { name: 'Sign in to Portrait' })).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(card.textContent).not.toContain('Li Wei');
  });

  it('explains what to do when Portrait is not set up', async () => {
    await showOverlay(fakeBackground({}, { session: { signedIn: false, reason: 'not-configured' } }));
    const card = await expand();
    expect(within(card).getByRole('heading', { name: 'Portrait is not set up yet' })).toBeTruthy();
  });

  it('switches between several people on the page', async () => {
    await showOverlay(fakeBackground({ 'li.wei@example.com': portrait(), 'maria.garcia@example.com': portrait({ customerId: 'cus-m', displayName: 'Maria Garcia', stage: 'loyal', computedStage: 'loyal' }) }), [
      'li.wei@example.com',
      'maria.garcia@example.com',
      'new.person@example.com',
    ]);
    expect(pill().textContent).toContain('+2');
    const card = await expand();
    const switcher = within(card).getByRole('navigation', { name: 'People on this page' });
    const buttons = within(switcher).getAllByRole('button');
    expect(buttons.map((button) => button.textContent)).toEqual(['Li Wei', 'Maria Garcia', 'new.person@example.com']);
    expect(buttons[0]!.getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(buttons[1]!);
    expect(within(card).getByRole('heading', { name: 'Maria Garcia' })).toBeTruthy();
    expect(pill().textContent).toContain('Loyal');
    fireEvent.click(within(switcher).getByRole('button', { name: 'new.person@example.com' }));
    expect(card.textContent).toContain('Not a customer yet');
  });

  it('adds a tag from the suggestions with the keyboard and shows it pending', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const background = fakeBackground({ 'li.wei@example.com': portrait() });
    await showOverlay(background);
    const card = await expand();
    const input = within(card).getByRole('combobox', { name: 'Add tag' }) as HTMLInputElement;
    act(() => input.focus());
    fireEvent.input(input, { target: { value: 'we' } });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(200);
    });
    expect(background.tagSuggestions).toHaveBeenCalledWith('we');
    const list = within(card).getByRole('listbox');
    expect(within(list).getAllByRole('option').map((option) => option.textContent)).toEqual(['webinar-2025', 'west coast']);
    expect(input.getAttribute('aria-expanded')).toBe('true');

    fireEvent.keyDown(input, { key: 'ArrowDown' });
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(input.getAttribute('aria-activedescendant')).toBe(within(list).getAllByRole('option')[1]!.id);
    // Escape closes the suggestions first and leaves the card open.
    fireEvent.keyDown(input, { key: 'Escape' });
    expect(screen.getByRole('region', { name: 'Portrait customer card' })).toBeTruthy();
    fireEvent.input(input, { target: { value: 'wes' } });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(200);
    });
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    fireEvent.submit(input.form!);
    expect(background.write).toHaveBeenCalledWith(expect.objectContaining({ op: 'tag', tags: ['west coast'] }));
    const chip = within(within(card).getByRole('list', { name: 'Tags' })).getByText('west coast').closest('li')!;
    expect(chip.dataset.pending).toBe('true');
    expect(chip.textContent).toContain('saving');
    expect(input.value).toBe('');
  });

  it('removes a manual tag; rule tags cannot be removed here', async () => {
    const background = fakeBackground({ 'li.wei@example.com': portrait() });
    await showOverlay(background);
    const card = await expand();
    expect(within(card).queryByRole('button', { name: 'Remove tag EU' })).toBeNull();
    fireEvent.click(within(card).getByRole('button', { name: 'Remove tag wholesale' }));
    expect(background.write).toHaveBeenCalledWith({ op: 'untag', customerId: 'cus-li', tag: 'wholesale' });
    expect(within(card).getByText('wholesale').closest('li')!.className).toContain('line-through');
  });

  it('adds a note and shows it first, pending', async () => {
    const background = fakeBackground({ 'li.wei@example.com': portrait() });
    await showOverlay(background);
    const card = await expand();
    const field = within(card).getByRole('textbox', { name: 'Add a note' });
    fireEvent.input(field, { target: { value: 'Wants samples of the A-300.' } });
    fireEvent.keyDown(field, { key: 'Enter', ctrlKey: true });
    expect(background.write).toHaveBeenCalledWith({ op: 'note', customerId: 'cus-li', body: 'Wants samples of the A-300.' });
    const notes = card.querySelectorAll('[data-pending="true"]');
    expect(notes[0]?.textContent).toContain('Wants samples of the A-300.');
    expect(notes[0]?.textContent).toContain('Saving…');
  });

  it('says when a change could not be saved', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const background = fakeBackground({ 'li.wei@example.com': portrait() });
    background.write.mockRejectedValue(new Error('boom'));
    await showOverlay(background);
    const card = await expand();
    fireEvent.click(within(card).getByRole('button', { name: 'Remove tag wholesale' }));
    expect(await within(card).findByRole('alert')).toHaveProperty('textContent', 'Could not save. Try again.');
  });

  it('shows how fresh the data is and that a refresh is on its way', async () => {
    const background = fakeBackground({ 'li.wei@example.com': portrait() }, { fetchedAt: new Date(now - 2 * 60_000).toISOString(), stale: true });
    await showOverlay(background);
    const card = await expand();
    expect(card.textContent).toContain('Updated 2 min. ago');
    expect(within(card).getByRole('status').textContent).toContain('Refreshing…');
  });

  it('says when the page layout was not recognised', async () => {
    await showOverlay(fakeBackground(), ['a@example.com'], { degraded: true, mode: 'fallback' });
    expect(pill().textContent).toContain('Page layout not recognised');
    const card = await expand();
    expect(within(card).getByRole('note').textContent).toContain('offers the first few addresses in the message text');
  });

  it('offers a retry when the background does not answer', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const background = fakeBackground();
    background.lookup.mockRejectedValueOnce(new Error('no answer'));
    await showOverlay(background, ['a@example.com']);
    expect(pill().textContent).toContain('Unavailable');
    const card = await expand();
    fireEvent.click(within(card).getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(card.textContent).toContain('Not a customer yet'));
  });
});
