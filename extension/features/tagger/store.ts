// The tagging dialog's state: who the selection means (the background resolves it), the tags to
// add, and the save. Components read these signals and call the actions; nothing else changes them.
import { batch, computed, signal } from '@preact/signals';
import { setLocale, type Locale } from '../../platform/i18n/i18n.ts';
import { PageRequestError } from '../page-client.ts';
import type { Language, SessionState } from '../../platform/messaging/schemas.ts';
import type { TaggerCandidate, TaggerRequest, TaggerResolution, TaggerResponseByType } from './schemas.ts';

export type TaggerSend = <R extends TaggerRequest>(message: R) => Promise<unknown>;

export type DialogPhase = 'loading' | 'signed-out' | 'not-configured' | 'unavailable' | 'ready' | 'saved';

export type DialogError =
  | { code: 'noTags' }
  | { code: PageRequestError['code']; message: string };

export interface PageInfo {
  title(): string | null;
}

const maxTags = 20;
const maxTagLength = 64;
const sameName = (a: string, b: string) => a.toLocaleLowerCase() === b.toLocaleLowerCase();

export function localeFor(language: Language, browserLanguage: string): Locale {
  if (language !== 'auto') return language;
  return browserLanguage.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function createTaggerStore(
  send: TaggerSend,
  page: PageInfo = { title: () => (typeof document === 'undefined' ? null : document.title || null) },
  browserLanguage: () => string = () => (typeof navigator === 'undefined' ? 'en' : navigator.language),
) {
  const phase = signal<DialogPhase>('loading');
  const locale = signal<Locale>('en');
  const linkUrl = signal<string | null>(null);
  const resolution = signal<TaggerResolution | null>(null);
  const selected = signal(0);
  const whoText = signal('');
  const resolving = signal(false);
  const leadName = signal('');
  const chips = signal<string[]>([]);
  const suggestions = signal<Array<{ name: string; color: string | null }>>([]);
  const saving = signal(false);
  const error = signal<DialogError | null>(null);
  const saved = signal<{ name: string; pending: boolean } | null>(null);
  let resolveSeq = 0;
  let suggestSeq = 0;

  async function request<T extends TaggerRequest>(message: T): Promise<TaggerResponseByType[T['type']]> {
    let answer: unknown;
    try {
      answer = await send(message);
    } catch (cause) {
      throw new PageRequestError('no-answer', message.type, { cause });
    }
    if (!answer || typeof answer !== 'object') throw new PageRequestError('no-answer', message.type);
    const response = answer as { ok?: unknown; error?: PageRequestError['code']; message?: string };
    if (response.ok !== true) throw new PageRequestError(response.error ?? 'failed', response.message);
    return answer as TaggerResponseByType[T['type']];
  }

  const candidates = computed<TaggerCandidate[]>(() => resolution.value?.candidates ?? []);
  const candidate = computed<TaggerCandidate | null>(() => candidates.value[selected.value] ?? candidates.value[0] ?? null);
  /** Saving creates a lead: the identifier belongs to nobody (as far as the API could be asked). */
  const createsLead = computed(() => {
    const chosen = candidate.value;
    return !!chosen?.identifier && !chosen.customer;
  });

  function showResolution(next: TaggerResolution | null) {
    batch(() => {
      resolution.value = next;
      selected.value = 0;
      if (next?.suggestedName && leadName.value === '') leadName.value = next.suggestedName;
    });
  }

  function sessionPhase(session: SessionState): DialogPhase {
    if (session.signedIn) return 'ready';
    return session.reason === 'not-configured' ? 'not-configured' : 'signed-out';
  }

  return {
    phase,
    locale,
    linkUrl,
    resolution,
    candidates,
    candidate,
    createsLead,
    selected,
    whoText,
    resolving,
    leadName,
    chips,
    suggestions,
    saving,
    error,
    saved,

    /** Asks the background what the gesture selected, and in which language to speak. */
    async open(selection: string): Promise<void> {
      try {
        const answer = await request({ type: 'tagger/open', selection: selection.slice(0, 2000) });
        const nextLocale = localeFor(answer.language, browserLanguage());
        setLocale(nextLocale);
        batch(() => {
          locale.value = nextLocale;
          linkUrl.value = answer.linkUrl;
          whoText.value = answer.resolution?.text ?? selection.replace(/\s+/g, ' ').trim().slice(0, 200);
          showResolution(answer.resolution);
          phase.value = sessionPhase(answer.session);
        });
      } catch {
        phase.value = 'unavailable';
      }
    },

    /** Resolves what the user typed in place of the selection. */
    async resolveText(text: string): Promise<void> {
      const seq = ++resolveSeq;
      whoText.value = text;
      if (text.trim() === '') {
        showResolution(null);
        return;
      }
      resolving.value = true;
      try {
        const answer = await request({ type: 'tagger/resolve', text: text.slice(0, 2000) });
        if (seq === resolveSeq) showResolution(answer.resolution);
      } catch (caught) {
        if (seq !== resolveSeq) return;
        if (caught instanceof PageRequestError && caught.code === 'signed-out') phase.value = 'signed-out';
        else error.value = { code: caught instanceof PageRequestError ? caught.code : 'failed', message: String(caught) };
      } finally {
        if (seq === resolveSeq) resolving.value = false;
      }
    },

    select(index: number) {
      if (index >= 0 && index < candidates.value.length) selected.value = index;
    },

    async requestSuggestions(prefix: string): Promise<void> {
      const seq = ++suggestSeq;
      if (prefix.trim() === '') {
        suggestions.value = [];
        return;
      }
      try {
        const answer = await request({ type: 'tagger/tags', prefix: prefix.slice(0, 64) });
        if (seq === suggestSeq) suggestions.value = answer.tags;
      } catch {
        if (seq === suggestSeq) suggestions.value = [];
      }
    },

    clearSuggestions() {
      suggestSeq++;
      suggestions.value = [];
    },

    addChip(name: string): boolean {
      const tag = name.replace(/\s+/g, ' ').trim().slice(0, maxTagLength);
      if (tag === '' || chips.value.length >= maxTags) return false;
      if (!chips.value.some((chip) => sameName(chip, tag))) chips.value = [...chips.value, tag];
      error.value = null;
      return true;
    },

    removeChip(name: string) {
      chips.value = chips.value.filter((chip) => chip !== name);
    },

    /** Saves the chips and what is still typed as tags of the chosen person. */
    async save(typed = ''): Promise<boolean> {
      const chosen = candidate.value;
      if (saving.value || !chosen?.identifier) return false;
      const tags: string[] = [];
      for (const name of [...chips.value, typed]) {
        const tag = name.replace(/\s+/g, ' ').trim().slice(0, maxTagLength);
        if (tag !== '' && !tags.some((other) => sameName(other, tag))) tags.push(tag);
      }
      if (tags.length === 0) {
        error.value = { code: 'noTags' };
        return false;
      }
      batch(() => {
        saving.value = true;
        error.value = null;
      });
      try {
        const answer = await request({
          type: 'tagger/save',
          identifier: chosen.identifier,
          tags: tags.slice(0, maxTags),
          displayName: !chosen.customer && leadName.value.trim() !== '' ? leadName.value.trim().slice(0, 200) : null,
          pageTitle: page.title()?.slice(0, 512) ?? null,
        });
        batch(() => {
          saved.value = {
            name: chosen.customer?.displayName || leadName.value.trim() || chosen.identifier!.value,
            pending: answer.pending,
          };
          phase.value = 'saved';
        });
        return true;
      } catch (caught) {
        const code = caught instanceof PageRequestError ? caught.code : 'failed';
        const message = caught instanceof PageRequestError ? caught.message.replace(/^[\w-]+: ?/, '') : String(caught);
        error.value = { code, message };
        return false;
      } finally {
        saving.value = false;
      }
    },

    /** Tells the background the dialog is gone: its frame may send nothing more. */
    close(): void {
      void request({ type: 'tagger/close' }).catch(() => undefined);
    },
  };
}

export type TaggerStore = ReturnType<typeof createTaggerStore>;
