// Tags of the person shown: remove (manual tags), add with autocomplete from the organisation's tags.
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { t } from './texts.ts';
import type { OverlayStore, TagChip } from './store.ts';
import { Section } from './ui.tsx';
import { safeColor, TagCombobox } from '../../platform/ui/TagCombobox.tsx';

const SUGGEST_DELAY_MS = 150;

function TagItem({ tag, onRemove }: { tag: TagChip; onRemove: (() => void) | null }) {
  const color = safeColor(tag.color);
  const busy = tag.pending || tag.removing;
  return (
    <li
      class={`inline-flex max-w-full items-center gap-1 rounded-full bg-slate-100 py-0.5 pr-1 pl-2 text-xs text-slate-800 ${busy ? 'ov-pending' : ''} ${tag.removing ? 'line-through' : ''}`}
      data-pending={tag.pending ? 'true' : undefined}
      title={tag.source === 'rule' ? t('tags.rule') : undefined}
    >
      <span aria-hidden="true" class="inline-block size-2 shrink-0 rounded-full bg-slate-400" style={color ? { backgroundColor: color } : undefined} />
      <span class="min-w-0 truncate">{tag.name}</span>
      {tag.pending && <span class="text-slate-500">{` (${t('tags.pending')})`}</span>}
      {tag.removing && <span class="sr-only">{` (${t('tags.removing')})`}</span>}
      {onRemove && (
        <button
          type="button"
          onClick={onRemove}
          aria-label={t('tags.remove', { tag: tag.name })}
          class="inline-flex size-4 items-center justify-center rounded-full text-slate-500 hover:bg-slate-200 hover:text-slate-900 ov-focus"
        >
          <span aria-hidden="true">×</span>
        </button>
      )}
    </li>
  );
}

/** A tag typed or picked from the organisation's tags (platform/ui/TagCombobox.tsx); Enter adds it. */
export function TagInput({ store }: { store: OverlayStore }) {
  const [value, setValue] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const inputId = useId();
  const typed = value.trim().toLowerCase();
  const items = open && typed !== '' ? store.suggestions.value.filter((s) => s.name.toLowerCase().startsWith(typed)) : [];

  useEffect(() => () => clearTimeout(timer.current), []);

  function onInput(next: string) {
    setValue(next);
    setOpen(true);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void store.requestSuggestions(next), SUGGEST_DELAY_MS);
  }

  function close() {
    setOpen(false);
    setActive(-1);
    store.clearSuggestions();
  }

  function add(name: string) {
    if (name.trim() === '') return;
    void store.addTag(name);
    setValue('');
    close();
  }

  function onSubmit(event: Event) {
    event.preventDefault();
    add(active >= 0 && items[active] ? items[active].name : value);
  }

  return (
    <form class="relative flex gap-1.5" onSubmit={onSubmit}>
      <label for={inputId} class="sr-only">
        {t('tags.add')}
      </label>
      <TagCombobox
        id={inputId}
        value={value}
        placeholder={t('tags.placeholder')}
        items={items}
        active={active}
        onActive={setActive}
        listLabel={t('tags')}
        inputClass="ov-input"
        onInput={onInput}
        onPick={add}
        onDismiss={close}
      />
      <button type="submit" class="ov-btn-quiet" disabled={value.trim() === ''}>
        {t('tags.addButton')}
      </button>
    </form>
  );
}

export function TagsSection({ store, canRemove }: { store: OverlayStore; canRemove: boolean }) {
  const tags = store.tags.value;
  return (
    <Section title={t('tags')}>
      {tags.length === 0 ? (
        <p class="text-slate-600">{t('tags.none')}</p>
      ) : (
        <ul class="flex flex-wrap gap-1.5" aria-label={t('tags')}>
          {tags.map((tag) => (
            <TagItem
              key={tag.id}
              tag={tag}
              onRemove={canRemove && tag.source === 'manual' && !tag.pending && !tag.removing ? () => void store.removeTag(tag.name) : null}
            />
          ))}
        </ul>
      )}
      <TagInput store={store} />
    </Section>
  );
}
