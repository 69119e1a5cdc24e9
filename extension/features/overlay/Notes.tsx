// The latest notes about the customer, and a form to add one.
import { useId, useState } from 'preact/hooks';
import { t } from './texts.ts';
import { timeAgo } from './format.ts';
import type { OverlayStore } from './store.ts';
import { Section } from './ui.tsx';

const SHOWN_NOTES = 3;

export function NotesSection({ store }: { store: OverlayStore }) {
  const [body, setBody] = useState('');
  const fieldId = useId();
  const notes = store.notes.value.slice(0, SHOWN_NOTES);
  const now = store.now.value;

  function submit(event?: Event) {
    event?.preventDefault();
    if (body.trim() === '') return;
    void store.addNote(body);
    setBody('');
  }

  return (
    <Section title={t('notes')}>
      {notes.length === 0 ? (
        <p class="text-slate-600">{t('notes.none')}</p>
      ) : (
        <ul class="flex flex-col gap-2">
          {notes.map((note) => (
            <li key={note.id} class={`rounded-md bg-slate-50 px-2.5 py-1.5 ${note.pending ? 'ov-pending' : ''}`} data-pending={note.pending ? 'true' : undefined}>
              <p class="line-clamp-4 break-words whitespace-pre-wrap">{note.body}</p>
              <p class="mt-0.5 text-xs text-slate-500">
                {note.pending
                  ? t('notes.pending')
                  : `${note.authorName ?? t('notes.you')} · ${timeAgo(Date.parse(note.createdAt), now)}`}
              </p>
            </li>
          ))}
        </ul>
      )}
      <form class="flex flex-col gap-1.5" onSubmit={submit}>
        <label for={fieldId} class="sr-only">
          {t('notes.add')}
        </label>
        <textarea
          id={fieldId}
          rows={2}
          maxLength={4000}
          placeholder={t('notes.add')}
          value={body}
          onInput={(event) => setBody((event.currentTarget as HTMLTextAreaElement).value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) submit(event);
          }}
          class="ov-input resize-y"
        />
        <div>
          <button type="submit" class="ov-btn" disabled={body.trim() === ''}>
            {t('notes.addButton')}
          </button>
        </div>
      </form>
    </Section>
  );
}
