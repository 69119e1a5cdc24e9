// The tag input of the card and of the tagging dialog: a text input with the organisation's tags as
// suggestions (the WAI-ARIA combobox pattern). The arrow keys move through the list, Enter or a
// click takes the highlighted tag, Escape or leaving the input closes the list. What a tag becomes
// (added at once, a chip) and what Enter does with typed text are the caller's.
import type { Ref } from 'preact';
import { useId } from 'preact/hooks';

export interface TagSuggestion {
  name: string;
  color: string | null;
}

/** A colour from the tags table, used only when it is a plain hex colour. */
export function safeColor(color: string | null | undefined): string | undefined {
  return color && /^#[0-9a-fA-F]{3,8}$/.test(color) ? color : undefined;
}

export interface TagComboboxProps {
  /** The id the caller's <label for> points at. */
  id: string;
  value: string;
  placeholder: string;
  /** The suggestions shown; an empty list closes it. */
  items: readonly TagSuggestion[];
  /** The highlighted suggestion's index, -1 for none: the caller's state, so that its own submit can take it. */
  active: number;
  onActive(index: number): void;
  listLabel: string;
  /** The feature's input style (its stylesheet's utility). */
  inputClass: string;
  inputRef?: Ref<HTMLInputElement>;
  testId?: string;
  onInput(value: string): void;
  /** A suggestion taken. */
  onPick(name: string): void;
  /** The list closed without a pick. */
  onDismiss(): void;
  /** Enter with nothing highlighted; without it, Enter goes on to the surrounding form. */
  onEnter?(): void;
  /** Any other key (e.g. Backspace on an empty input). */
  onOtherKey?(event: KeyboardEvent): void;
}

export function TagCombobox(props: TagComboboxProps) {
  const { items } = props;
  const listId = useId();
  const { active } = props;
  const setActive = (next: number | ((i: number) => number)) => props.onActive(typeof next === 'number' ? next : next(active));
  const highlighted = active >= 0 && active < items.length ? items[active] : undefined;

  function pick(name: string) {
    setActive(-1);
    props.onPick(name);
  }

  function onKeyDown(event: KeyboardEvent) {
    if (event.key === 'ArrowDown' && items.length > 0) {
      event.preventDefault();
      setActive((i) => (i + 1) % items.length);
    } else if (event.key === 'ArrowUp' && items.length > 0) {
      event.preventDefault();
      setActive((i) => (i <= 0 ? items.length - 1 : i - 1));
    } else if (event.key === 'Escape' && items.length > 0) {
      // Close the list only (marked handled): a second Escape is the card's or the dialog's.
      event.preventDefault();
      setActive(-1);
      props.onDismiss();
    } else if (event.key === 'Enter' && highlighted) {
      event.preventDefault();
      pick(highlighted.name);
    } else if (event.key === 'Enter' && props.onEnter) {
      event.preventDefault();
      props.onEnter();
    } else {
      props.onOtherKey?.(event);
    }
  }

  return (
    <>
      <input
        ref={props.inputRef}
        id={props.id}
        type="text"
        role="combobox"
        autocomplete="off"
        maxLength={64}
        aria-autocomplete="list"
        aria-expanded={items.length > 0}
        aria-controls={listId}
        aria-activedescendant={highlighted ? `${listId}-${active}` : undefined}
        placeholder={props.placeholder}
        value={props.value}
        onInput={(event) => {
          setActive(-1);
          props.onInput((event.currentTarget as HTMLInputElement).value);
        }}
        onKeyDown={onKeyDown}
        onBlur={() =>
          setTimeout(() => {
            setActive(-1);
            props.onDismiss();
          }, 100)
        }
        class={props.inputClass}
        data-testid={props.testId}
      />
      <ul
        id={listId}
        role="listbox"
        aria-label={props.listLabel}
        hidden={items.length === 0}
        class="absolute top-full right-0 left-0 z-10 mt-1 max-h-48 overflow-y-auto rounded-md bg-white py-1 shadow-lg ring-1 ring-slate-200"
      >
        {items.map((item, i) => {
          const color = safeColor(item.color);
          return (
            <li
              key={item.name}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              // mousedown, not click: the input would lose focus (and close the list) first.
              onMouseDown={(event) => {
                event.preventDefault();
                pick(item.name);
              }}
              class={`flex cursor-pointer items-center gap-2 px-3 py-1 text-sm ${i === active ? 'bg-sky-100' : 'hover:bg-slate-50'}`}
            >
              <span aria-hidden="true" class="inline-block size-2 rounded-full bg-slate-400" style={color ? { backgroundColor: color } : undefined} />
              {item.name}
            </li>
          );
        })}
      </ul>
    </>
  );
}
