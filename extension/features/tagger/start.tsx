// What the injected tagging script does (entrypoints/tag-dialog.ts): open the dialog beside the
// selection (or the right-clicked mailto:/tel: link) in a closed shadow root whose events stay
// inside it, ask the background whom the selection means, and close after saving or on Escape.
import { effect, signal } from '@preact/signals';
import { render } from 'preact';
import { browser } from 'wxt/browser';
import { ContentScriptContext } from 'wxt/utils/content-script-context';
import { createShadowRootUi } from '../../platform/shadow-root-ui.ts';
import css from './tagger.css?inline';
import { TagDialog } from './TagDialog.tsx';
import { createTaggerStore } from './store.ts';
import { placeDialog } from './place-dialog.ts';

/** How long the "Tagged" confirmation stays before the dialog closes by itself. */
const savedMs = 1_500;

function selectionRect(selection: Selection | null): DOMRect | null {
  if (!selection || selection.isCollapsed || selection.rangeCount === 0) return null;
  return selection.getRangeAt(0).getBoundingClientRect();
}

function linkRect(linkUrl: string): DOMRect | null {
  for (const link of document.querySelectorAll('a[href]')) {
    if ((link as HTMLAnchorElement).href === linkUrl) return link.getBoundingClientRect();
  }
  return null;
}

export async function startTagDialog(): Promise<void> {
  // A dialog opened again in this frame replaces the earlier one (its context is invalidated).
  const ctx = new ContentScriptContext('portrait-tag-dialog', { noScriptStartedPostMessage: true });
  const selection = document.getSelection();
  const selectedText = selection?.toString() ?? '';
  const viewport = () => ({ width: window.innerWidth, height: window.innerHeight });
  const position = signal(placeDialog(selectionRect(selection), viewport()));
  const store = createTaggerStore((message) => browser.runtime.sendMessage(message));

  let closed = false;
  function close(): void {
    if (closed) return;
    closed = true;
    store.close();
    ui.remove();
    ctx.abort('closed');
  }

  function Root() {
    return <TagDialog store={store} position={position.value} onClose={close} />;
  }

  const ui = await createShadowRootUi<HTMLElement>(ctx, {
    name: 'portrait-tag-dialog',
    mode: 'closed',
    isolateEvents: true,
    css,
    onMount(container) {
      render(<Root />, container);
      return container;
    },
    onRemove(container) {
      if (container) render(null, container);
    },
  });
  if (ctx.isInvalid) return;
  ui.mount();

  await store.open(selectedText);
  const link = store.linkUrl.value;
  if (link && !selectionRect(selection)) position.value = placeDialog(linkRect(link), viewport());
  ctx.onInvalidated(
    effect(() => {
      if (store.phase.value === 'saved') ctx.setTimeout(close, savedMs);
    }),
  );
}
