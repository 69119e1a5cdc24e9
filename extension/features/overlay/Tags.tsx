// Tags of the person shown: remove (manual tags), add with autocomplete from the organisation's tags.
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { t } from './texts.ts';
import { safeColor } from './format.ts';
import type { OverlayStore, TagChip } from './store.ts';
import { Section } from './ui.tsx';

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

/** A combobox: type a tag, pick a suggestion with the arrow keys or the mouse, Enter adds. */
export function TagInput({ store }: { store: OverlayStore }) {
  const [value, setValue] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const inputId = useId();
  const listId = useId();
  const typed = value.trim().toLowerCase();
  const items = open && typed !== '' ? store.suggestions.value.filter((s) => s.name.toLowerCase().startsWith(typed)) : [];

  useEffect(() => () => clearTimeout(timer.current), []);

  function onInput(event: Event) {
    const next = (event.currentTarget as HTMLInputElement).value;
    setValue(next);
    setOpen(true);
    setActive(-1);
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

  function onKeyDown(event: KeyboardEvent) {
    if (event.key === 'ArrowDown' && items.length > 0) {
      event.preventDefault();
      setActive((i) => (i + 1) % items.length);
    } else if (event.key === 'ArrowUp' && items.length > 0) {
      event.preventDefault();
      setActive((i) => (i <= 0 ? items.length - 1 : i - 1));
    } else if (event.key === 'Escape' && items.length > 0) {
      // Close the list only; a second Escape collapses the card.
      event.preventDefault();
      close();
    }
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
      <input
        id={inputId}
        type="text"
        role="combobox"
        autocomplete="off"
        maxLength={64}
        aria-autocomplete="list"
        aria-expanded={items.length > 0}
        aria-controls={listId}
        aria-activedescendant={active >= 0 && items[active] ? `${listId}-${active}` : undefined}
        placeholder={t('tags.placeholder')}
        value={value}
        onInput={onInput}
        onKeyDown={onKeyDown}
        onBlur={() => setTimeout(close, 100)}
        class="ov-input"
      />
      <button type="submit" class="ov-btn-quiet" disabled={value.trim() === ''}>
        {t('tags.addButton')}
      </button>
      <ul
        id={listId}
        role="listbox"
        aria-label={t('tags')}
        hidden={items.length === 0}
        class="absolute top-full right-0 left-0 z-10 mt-1 max-h-48 overflow-y-auto rounded-md bg-white py-1 shadow-lg ring-1 ring-slate-200"
      >
        {items.map((item, i) => (
          <li
            key={item.name}
            id={`${listId}-${i}`}
            role="option"
            aria-selected={i === active}
            // mousedown, not click: the input would lose focus (and close the list) first.
            onMouseDown={(event) => {
              event.preventDefault();
              add(item.name);
            }}
            class={`flex cursor-pointer items-center gap-2 px-3 py-1 text-sm ${i === active ? 'bg-sky-100' : 'hover:bg-slate-50'}`}
          >
            <span aria-hidden="true" class="inline-block size-2 rounded-full bg-slate-400" style={safeColor(item.color) ? { backgroundColor: safeColor(item.color) } : undefined} />
            {item.name}
          </li>
        ))}
      </ul>
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
