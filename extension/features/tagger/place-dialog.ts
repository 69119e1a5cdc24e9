// Where the tagging dialog opens: beside what was selected, inside the viewport.
import type { DialogPosition } from './TagDialog.tsx';

const dialogWidth = 340;
const dialogHeight = 320;
const margin = 8;

/** Below the anchor (above when there is no room), kept inside the viewport. */
export function placeDialog(
  anchor: Pick<DOMRect, 'top' | 'bottom' | 'left' | 'width' | 'height'> | null,
  viewport: { width: number; height: number },
): DialogPosition {
  if (!anchor || (anchor.width === 0 && anchor.height === 0)) {
    return { top: margin * 2, left: Math.max(margin, viewport.width - dialogWidth - margin * 2) };
  }
  const below = anchor.bottom + margin;
  const top = below + dialogHeight <= viewport.height ? below : Math.max(margin, anchor.top - dialogHeight - margin);
  const left = Math.min(Math.max(margin, anchor.left), Math.max(margin, viewport.width - dialogWidth - margin));
  return { top, left };
}
