// The tagging dialog: whom (the selection, resolved by the background, or typed), the tags (with
// the organisation's tags as suggestions), Enter saves. Page and customer text is rendered as text.
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { TaggerCandidate } from './schemas.ts';
import { t, type TaggerMessageKey } from './texts.ts';
import type { DialogError, TaggerStore } from './store.ts';
import { TagCombobox } from '../../platform/ui/TagCombobox.tsx';

const RESOLVE_DELAY_MS = 300;
const SUGGEST_DELAY_MS = 150;

function errorText(error: DialogError): string {
  if (error.code === 'noTags') return t('error.noTags');
  return t(`error.${error.code}` as TaggerMessageKey, { message: error.message });
}

function Candidate({ candidate }: { candidate: TaggerCandidate }) {
  const customer = candidate.customer;
  const address = candidate.identifier?.value ?? null;
  return (
    <span class="flex min-w-0 flex-col">
      <span class="truncate font-medium" data-testid="tagger-candidate-name">
        {customer?.displayName || address}
        {customer?.stage && <span class="ml-2 rounded-full bg-slate-100 px-2 py-0.5 text-xs font-normal text-slate-700">{t(`stage.${customer.stage}`)}</span>}
      </span>
      {customer && <span class="truncate text-xs text-slate-600">{address ?? t('who.noIdentifier')}</span>}
    </span>
  );
}

function Who({ store }: { store: TaggerStore }) {
  const inputId = useId();
  const leadId = useId();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const [text, setText] = useState(store.whoText.value);
  useEffect(() => () => clearTimeout(timer.current), []);
  const resolution = store.resolution.value;
  const candidates = store.candidates.value;

  function onInput(event: Event) {
    const next = (event.currentTarget as HTMLInputElement).value;
    setText(next);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void store.resolveText(next), RESOLVE_DELAY_MS);
  }
  function onKeyDown(event: KeyboardEvent) {
    // Enter here looks the typed text up at once; it does not save.
    if (event.key === 'Enter') {
      event.preventDefault();
      clearTimeout(timer.current);
      void store.resolveText(text);
    }
  }

  let status: string | null = null;
  if (store.resolving.value) status = t('who.searching');
  else if (resolution?.offline) status = t('who.offline');
  else if (candidates.length === 0) status = resolution?.searchedName ? t('who.noMatch', { name: resolution.searchedName }) : t('who.nothing');

  return (
    <div class="flex flex-col gap-1.5">
      <label for={inputId} class="tg-label">
        {t('who.label')}
      </label>
      <input id={inputId} type="text" class="tg-input" autocomplete="off" maxLength={200} placeholder={t('who.placeholder')} value={text} onInput={onInput} onKeyDown={onKeyDown} data-testid="tagger-who" />
      {candidates.length === 1 && (
        <div class="rounded-md bg-slate-50 px-2 py-1.5" data-testid="tagger-candidate">
          <Candidate candidate={candidates[0]!} />
        </div>
      )}
      {candidates.length > 1 && (
        <div role="radiogroup" aria-label={t('who.choose')} class="flex max-h-40 flex-col gap-1 overflow-y-auto">
          {candidates.map((candidate, index) => (
            <label key={`${candidate.identifier?.value ?? ''}|${candidate.customer?.customerId ?? index}`} class={`flex cursor-pointer items-center gap-2 rounded-md px-2 py-1 ${index === store.selected.value ? 'bg-sky-50 ring-1 ring-sky-300' : 'hover:bg-slate-50'}`} data-testid="tagger-candidate">
              <input type="radio" name="portrait-who" checked={index === store.selected.value} disabled={!candidate.identifier} onChange={() => store.select(index)} class="tg-focus" />
              <Candidate candidate={candidate} />
            </label>
          ))}
        </div>
      )}
      {status && (
        <p class="text-xs text-slate-600" role="status" data-testid="tagger-who-status">
          {status}
        </p>
      )}
      {store.createsLead.value && !resolution?.offline && (
        <>
          <p class="text-xs text-slate-700" data-testid="tagger-new-lead">
            {t('who.new')}
          </p>
          <label for={leadId} class="sr-only">
            {t('who.lead')}
          </label>
          <input id={leadId} type="text" class="tg-input" maxLength={200} placeholder={t('who.lead')} value={store.leadName.value} onInput={(event) => (store.leadName.value = (event.currentTarget as HTMLInputElement).value)} data-testid="tagger-lead-name" />
        </>
      )}
    </div>
  );
}

function Tags({ store, onSaved }: { store: TaggerStore; onSaved: () => void }) {
  const inputId = useId();
  const [value, setValue] = useState('');
  const [active, setActive] = useState(-1);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    input.current?.focus();
    return () => clearTimeout(timer.current);
  }, []);
  const typed = value.trim().toLocaleLowerCase();
  const items = typed === '' ? [] : store.suggestions.value.filter((s) => !store.chips.value.some((c) => c.toLocaleLowerCase() === s.name.toLocaleLowerCase())).slice(0, 8);
  const existing = store.candidate.value?.customer?.tags ?? [];

  function onInput(next: string) {
    if (/[,，]/.test(next)) {
      // A comma ends a tag: it becomes a chip and typing goes on.
      const parts = next.split(/[,，]/);
      for (const part of parts.slice(0, -1)) store.addChip(part);
      setValue(parts.at(-1) ?? '');
      store.clearSuggestions();
      return;
    }
    setValue(next);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void store.requestSuggestions(next), SUGGEST_DELAY_MS);
  }

  function pick(name: string) {
    store.addChip(name);
    setValue('');
    store.clearSuggestions();
  }

  async function save() {
    if (await store.save(value)) {
      setValue('');
      onSaved();
    }
  }

  function onOtherKey(event: KeyboardEvent) {
    if (event.key === 'Backspace' && value === '' && store.chips.value.length > 0) store.removeChip(store.chips.value.at(-1)!);
  }

  return (
    <div class="relative flex flex-col gap-1.5">
      <label for={inputId} class="tg-label">
        {t('tags.label')}
      </label>
      {existing.length > 0 && <p class="text-xs text-slate-600">{t('tags.has', { tags: existing.join(', ') })}</p>}
      {store.chips.value.length > 0 && (
        <ul class="flex flex-wrap gap-1" data-testid="tagger-chips">
          {store.chips.value.map((chip) => (
            <li key={chip} class="inline-flex items-center gap-1 rounded-full bg-sky-100 py-0.5 pr-1 pl-2 text-xs text-sky-900">
              <span>{chip}</span>
              <button type="button" class="tg-focus rounded-full px-1 hover:bg-sky-200" aria-label={t('tags.remove', { tag: chip })} onClick={() => store.removeChip(chip)}>
                <span aria-hidden="true">×</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {/* Enter on a highlighted suggestion takes it; otherwise Enter saves. */}
      <TagCombobox
        id={inputId}
        value={value}
        placeholder={t('tags.placeholder')}
        items={items}
        active={active}
        onActive={setActive}
        listLabel={t('tags.suggestions')}
        inputClass="tg-input"
        inputRef={input}
        testId="tagger-tag-input"
        onInput={onInput}
        onPick={pick}
        onDismiss={() => store.clearSuggestions()}
        onEnter={() => void save()}
        onOtherKey={onOtherKey}
      />
      <div class="mt-1 flex justify-end gap-2">
        <button type="button" class="tg-btn" disabled={store.saving.value || !store.candidate.value?.identifier} onClick={() => void save()} data-testid="tagger-save">
          {store.saving.value ? t('saving') : t('save')}
        </button>
      </div>
    </div>
  );
}

export interface DialogPosition {
  top: number;
  left: number;
}

export function TagDialog({ store, position, onClose }: { store: TaggerStore; position: DialogPosition; onClose: () => void }) {
  const titleId = useId();
  const phase = store.phase.value;
  const error = store.error.value;
  const saved = store.saved.value;

  function onKeyDown(event: KeyboardEvent) {
    // The tag input takes Escape first while its list is open, and marks it handled.
    if (event.key === 'Escape' && !event.defaultPrevented) {
      event.preventDefault();
      onClose();
    }
  }

  const notice: Partial<Record<typeof phase, string>> = {
    loading: t('dialog.loading'),
    'signed-out': t('dialog.signedOut'),
    'not-configured': t('dialog.notConfigured'),
    unavailable: t('dialog.unavailable'),
  };

  return (
    <div
      role="dialog"
      aria-labelledby={titleId}
      lang={store.locale.value}
      data-testid="portrait-tag-dialog"
      data-state={phase}
      onKeyDown={onKeyDown}
      class="fixed z-[2147483647] flex w-[340px] flex-col gap-3 rounded-xl bg-white p-3 font-sans text-sm text-slate-900 shadow-xl ring-1 ring-slate-300"
      style={{ top: `${position.top}px`, left: `${position.left}px` }}
    >
      <div class="flex items-center justify-between">
        <h2 id={titleId} class="text-base font-semibold">
          {t('dialog.label')}
        </h2>
        <button type="button" class="tg-focus rounded-md px-2 text-lg leading-none text-slate-500 hover:bg-slate-100" aria-label={t('dialog.close')} onClick={onClose}>
          <span aria-hidden="true">×</span>
        </button>
      </div>
      {notice[phase] && <p class="text-slate-700">{notice[phase]}</p>}
      {phase === 'ready' && (
        <>
          <Who store={store} />
          <Tags store={store} onSaved={() => undefined} />
          {error && (
            <p role="alert" class="text-xs text-red-700" data-testid="tagger-error">
              {errorText(error)}
            </p>
          )}
        </>
      )}
      {phase === 'saved' && saved && (
        <p role="status" class="text-slate-800" data-testid="tagger-saved" data-pending={saved.pending ? 'true' : 'false'}>
          {saved.pending ? t('savedOffline') : t('saved', { name: saved.name })}
        </p>
      )}
    </div>
  );
}
