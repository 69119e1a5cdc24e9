// The tagging dialog (features/tagger) over a stand-in for the background's answers: what it
// shows for each answer, what it sends, in both languages, and page text shown as text only.
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TagDialog } from '../../../extension/features/tagger/TagDialog.tsx';
import { dictionaries } from '../../../extension/features/tagger/texts.ts';
import { createTaggerStore } from '../../../extension/features/tagger/store.ts';
import { setLocale } from '../../../extension/platform/i18n/i18n.ts';
import { placeDialog } from '../../../extension/features/tagger/place-dialog.ts';
import type { TaggerOpenResponse, TaggerRequest, TaggerResolution } from '../../../extension/features/tagger/schemas.ts';

afterEach(() => {
  cleanup();
  setLocale('en');
});

const liWei = { kind: 'email', value: 'li.wei@example.com' } as const;
const known: TaggerResolution = {
  text: 'li.wei@example.com',
  candidates: [{ identifier: liWei, customer: { customerId: 'c1', displayName: 'Li Wei', stage: 'active', email: liWei.value, phone: null, tags: ['VIP'] } }],
  searchedName: null,
  suggestedName: null,
  offline: false,
};

function background(open: Partial<TaggerOpenResponse> = {}, options: { pending?: boolean; saveError?: object } = {}) {
  const sent: TaggerRequest[] = [];
  const send = vi.fn(async (message: TaggerRequest) => {
    sent.push(message);
    switch (message.type) {
      case 'tagger/open':
        return { ok: true, session: { signedIn: true, email: 'rep@lotus.test', orgId: 'o', orgName: 'Lotus', role: 'rep' }, language: 'en', linkUrl: null, resolution: known, ...open };
      case 'tagger/tags':
        return { ok: true, tags: [{ name: 'Trade fair 2026', color: null }, { name: 'Trial', color: null }] };
      case 'tagger/save':
        return options.saveError ?? { ok: true, requestId: 'r1', pending: options.pending ?? false };
      default:
        return { ok: true };
    }
  });
  return { send, sent };
}

async function showDialog(bg: ReturnType<typeof background>, selection = 'li.wei@example.com') {
  const store = createTaggerStore(bg.send, { title: () => 'Exhibitor contacts' }, () => 'en-US');
  const onClose = vi.fn();
  const view = render(<TagDialog store={store} position={{ top: 10, left: 10 }} onClose={onClose} />);
  await act(() => store.open(selection));
  return { store, onClose, ...view };
}

const tagInput = () => screen.getByTestId('tagger-tag-input') as HTMLInputElement;
const saves = (bg: ReturnType<typeof background>) => bg.sent.filter((m) => m.type === 'tagger/save');

describe('tagging dialog', () => {
  it('shows whom the selection means, and Enter saves the typed tag with the page title', async () => {
    const bg = background();
    await showDialog(bg);
    expect(screen.getByTestId('portrait-tag-dialog').dataset.state).toBe('ready');
    expect(screen.getByTestId('tagger-candidate-name').textContent).toBe('Li WeiActive');
    expect(screen.getByText('Already tagged: VIP')).toBeTruthy();
    // The tag input has the focus: typing goes there at once.
    expect(document.activeElement).toBe(tagInput());

    fireEvent.input(tagInput(), { target: { value: 'Trade fair 2026' } });
    await act(async () => void fireEvent.keyDown(tagInput(), { key: 'Enter' }));
    expect(saves(bg)).toEqual([{ type: 'tagger/save', identifier: liWei, tags: ['Trade fair 2026'], displayName: null, pageTitle: 'Exhibitor contacts' }]);
    await waitFor(() => expect(screen.getByTestId('tagger-saved').textContent).toBe('Tagged Li Wei.'));
  });

  it('a comma makes a chip; Enter saves the chips and what is typed; a suggestion is taken with the arrow keys', async () => {
    const bg = background();
    await showDialog(bg);
    fireEvent.input(tagInput(), { target: { value: 'Samples,' } });
    expect(screen.getByTestId('tagger-chips').textContent).toContain('Samples');
    fireEvent.input(tagInput(), { target: { value: 'Tr' } });
    await waitFor(() => expect(screen.getAllByRole('option')).toHaveLength(2), { timeout: 1_000 });
    fireEvent.keyDown(tagInput(), { key: 'ArrowDown' });
    fireEvent.keyDown(tagInput(), { key: 'Enter' });
    expect(saves(bg)).toEqual([]);
    expect(screen.getByTestId('tagger-chips').textContent).toContain('Trade fair 2026');
    fireEvent.input(tagInput(), { target: { value: 'samples' } });
    await act(async () => void fireEvent.keyDown(tagInput(), { key: 'Enter' }));
    // "samples" repeats a chip (tag names are case-insensitive): sent once.
    expect(saves(bg).map((m) => (m as { tags: string[] }).tags)).toEqual([['Samples', 'Trade fair 2026']]);
  });

  it('Escape closes the open list of suggestions first, the dialog on the second press', async () => {
    const bg = background();
    const { onClose } = await showDialog(bg);
    fireEvent.input(tagInput(), { target: { value: 'Tr' } });
    await waitFor(() => expect(screen.getAllByRole('option')).toHaveLength(2), { timeout: 1_000 });
    fireEvent.keyDown(tagInput(), { key: 'Escape' });
    expect(screen.queryAllByRole('option')).toHaveLength(0);
    expect(onClose).not.toHaveBeenCalled();
    expect(tagInput().value).toBe('Tr');
    fireEvent.keyDown(tagInput(), { key: 'Escape' });
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('asks for a tag instead of saving nothing', async () => {
    const bg = background();
    await showDialog(bg);
    await act(async () => void fireEvent.keyDown(tagInput(), { key: 'Enter' }));
    expect(saves(bg)).toEqual([]);
    expect(screen.getByTestId('tagger-error').textContent).toBe('Type a tag first.');
  });

  it('offers to name a new lead and sends the name', async () => {
    const bg = background({
      resolution: { text: '"Wang Fang" <wang@example.org>', candidates: [{ identifier: { kind: 'email', value: 'wang@example.org' }, customer: null }], searchedName: null, suggestedName: 'Wang Fang', offline: false },
    });
    await showDialog(bg);
    expect(screen.getByTestId('tagger-new-lead').textContent).toBe('Not a customer yet: saving adds them as a lead.');
    expect((screen.getByTestId('tagger-lead-name') as HTMLInputElement).value).toBe('Wang Fang');
    fireEvent.input(tagInput(), { target: { value: 'Lead' } });
    await act(async () => void fireEvent.keyDown(tagInput(), { key: 'Enter' }));
    expect(saves(bg)).toMatchObject([{ identifier: { kind: 'email', value: 'wang@example.org' }, displayName: 'Wang Fang' }]);
  });

  it('lets the user choose among several people, and says when a name matches nobody', async () => {
    const bg = background({
      resolution: {
        ...known,
        candidates: [...known.candidates, { identifier: { kind: 'phone', value: '+8613800138000' }, customer: null }],
      },
    });
    const { store } = await showDialog(bg);
    const radios = screen.getAllByRole('radio') as HTMLInputElement[];
    expect(radios.map((r) => r.checked)).toEqual([true, false]);
    fireEvent.click(radios[1]!);
    expect(store.candidate.value?.identifier?.value).toBe('+8613800138000');

    bg.send.mockImplementationOnce(async () => ({ ok: true, resolution: { text: 'Nobody', candidates: [], searchedName: 'Nobody', suggestedName: null, offline: false } }));
    await act(() => store.resolveText('Nobody'));
    expect(screen.getByTestId('tagger-who-status').textContent).toBe('No customer is called “Nobody”. Type their email or phone number to add them as a lead.');
    expect((screen.getByTestId('tagger-save') as HTMLButtonElement).disabled).toBe(true);
  });

  it('says when the tag waits for the network', async () => {
    const bg = background({ resolution: { ...known, candidates: [{ identifier: liWei, customer: null }], offline: true } }, { pending: true });
    await showDialog(bg);
    expect(screen.getByTestId('tagger-who-status').textContent).toMatch(/^Offline/);
    fireEvent.input(tagInput(), { target: { value: 'Offline tag' } });
    await act(async () => void fireEvent.keyDown(tagInput(), { key: 'Enter' }));
    await waitFor(() => expect(screen.getByTestId('tagger-saved').dataset.pending).toBe('true'));
  });

  it('shows why a save failed and keeps what was typed', async () => {
    const bg = background({}, { saveError: { ok: false, error: 'forbidden', message: 'no' } });
    await showDialog(bg);
    fireEvent.input(tagInput(), { target: { value: 'X' } });
    await act(async () => void fireEvent.keyDown(tagInput(), { key: 'Enter' }));
    await waitFor(() => expect(screen.getByTestId('tagger-error').textContent).toBe('Your role does not allow this.'));
    expect(tagInput().value).toBe('X');
  });

  it('asks to sign in when signed out, and closes on Escape', async () => {
    const bg = background({ session: { signedIn: false, reason: 'signed-out' }, resolution: null });
    const { onClose } = await showDialog(bg);
    expect(screen.getByTestId('portrait-tag-dialog').dataset.state).toBe('signed-out');
    expect(screen.queryByTestId('tagger-tag-input')).toBeNull();
    fireEvent.keyDown(screen.getByTestId('portrait-tag-dialog'), { key: 'Escape' });
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('speaks Chinese when the setting says so', async () => {
    const bg = background({ language: 'zh-CN' });
    await showDialog(bg);
    expect(screen.getByRole('heading').textContent).toBe('标记客户');
    expect(screen.getByTestId('tagger-candidate-name').textContent).toBe('Li Wei活跃客户');
    expect(screen.getByTestId('portrait-tag-dialog').getAttribute('lang')).toBe('zh-CN');
    expect(tagInput().placeholder).toBe('标签名，按 Enter 保存');
  });

  it('renders page and customer text as text', async () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const bg = background({
      resolution: { ...known, text: hostile, candidates: [{ identifier: liWei, customer: { ...known.candidates[0]!.customer!, displayName: hostile, tags: [hostile] } }] },
    });
    const { container } = await showDialog(bg, hostile);
    expect(container.querySelector('img')).toBeNull();
    expect(screen.getByTestId('tagger-candidate-name').textContent).toContain(hostile);
    expect((screen.getByTestId('tagger-who') as HTMLInputElement).value).toBe(hostile);
  });

  it('has every text in both languages', () => {
    expect(Object.keys(dictionaries['zh-CN']).sort()).toEqual(Object.keys(dictionaries.en).sort());
    for (const [key, text] of Object.entries(dictionaries['zh-CN'])) expect(text.trim(), key).not.toBe('');
  });
});

describe('where the dialog opens', () => {
  const viewport = { width: 1200, height: 800 };
  const rect = (left: number, top: number, width = 120, height = 20) => ({ left, top, bottom: top + height, width, height });

  it('below the selection, or above it near the bottom of the window', () => {
    expect(placeDialog(rect(100, 200), viewport)).toEqual({ top: 228, left: 100 });
    expect(placeDialog(rect(100, 700), viewport)).toEqual({ top: 372, left: 100 });
  });

  it('inside the window at the right edge, and top right when nothing is selected', () => {
    expect(placeDialog(rect(1150, 100), viewport)).toEqual({ top: 128, left: 852 });
    expect(placeDialog(null, viewport)).toEqual({ top: 16, left: 844 });
    expect(placeDialog(rect(0, 0, 0, 0), viewport)).toEqual({ top: 16, left: 844 });
    expect(placeDialog(rect(-50, 10), { width: 300, height: 200 })).toEqual({ top: 8, left: 8 });
  });
});
