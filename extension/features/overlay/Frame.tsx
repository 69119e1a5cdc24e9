// The overlay's frame in the window: where it sits (placement.ts), moving it by dragging the card's
// top bar or by keyboard, docking it to an edge, and keeping it inside the window when it resizes.
import { signal, type Signal } from '@preact/signals';
import type { ComponentChildren, CSSProperties, HTMLAttributes } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from './texts.ts';
import {
  KEY_STEP,
  cardRoom,
  clampPlacement,
  defaultPlacement,
  dockTo,
  fromRect,
  moveBy,
  overlayBox,
  toRect,
  type Placement,
  type Size,
} from './placement.ts';

export interface PlacementState {
  readonly current: Signal<Placement>;
  /** The stored placement (or the site's default) — unless the user has moved the card since. */
  restore(placement: Placement | null): void;
  /** `persist`: the move is finished (drop, end of keyboard move): remember it for the site. */
  set(placement: Placement, persist: boolean): void;
}

export function createPlacementState(siteId: string | undefined, save: (placement: Placement) => void = () => {}): PlacementState {
  const fallback = defaultPlacement(siteId);
  const current = signal(fallback);
  let moved = false;
  return {
    current,
    restore(placement) {
      if (!moved) current.value = placement ?? fallback;
    },
    set(placement, persist) {
      moved = true;
      current.value = placement;
      if (persist) save(placement);
    },
  };
}

function readViewport(): Size {
  const root = document.documentElement;
  // The layout viewport (what `position: fixed` measures from), without a page scrollbar.
  const width = root.clientWidth > 0 ? Math.min(root.clientWidth, window.innerWidth) : window.innerWidth;
  const height = root.clientHeight > 0 ? Math.min(root.clientHeight, window.innerHeight) : window.innerHeight;
  return { width, height };
}

function useViewport(): Size {
  const [viewport, setViewport] = useState(readViewport);
  useEffect(() => {
    const onResize = () => setViewport(readViewport());
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  return viewport;
}

/** The outer box's position and size for a placement, kept inside the window. */
export function frameStyle(placement: Placement, viewport: Size): CSSProperties {
  const p = clampPlacement(placement, viewport);
  const box = overlayBox(viewport);
  return {
    [p.side]: `${p.docked ? 0 : p.x}px`,
    [p.edge]: `${p.y}px`,
    width: `${box.width}px`,
    maxHeight: `${cardRoom(p, viewport)}px`,
    flexDirection: p.edge === 'top' ? 'column' : 'column-reverse',
    alignItems: p.side === 'left' ? 'flex-start' : 'flex-end',
  };
}

export interface FrameControls {
  /** Spread on the card's top bar: dragging it moves the card. */
  handle: HTMLAttributes<HTMLDivElement>;
  /** The keyboard's way to move the card (a button in the top bar). */
  moveButton: ComponentChildren;
}

/**
 * The frame: a fixed box at the placement, the pill and the card inside it (`children` receives the
 * controls for the card's top bar).
 */
export function Frame({
  placement,
  children,
  attributes,
}: {
  placement: PlacementState;
  children: (controls: FrameControls) => ComponentChildren;
  attributes: HTMLAttributes<HTMLDivElement> & Record<`data-${string}`, string>;
}) {
  const viewport = useViewport();
  const [moving, setMoving] = useState(false);
  const drag = useRef<{ pointerId: number; startX: number; startY: number; left: number; top: number } | null>(null);
  const current = placement.current.value;

  const handle: HTMLAttributes<HTMLDivElement> = {
    onPointerDown(event) {
      if (event.button !== 0 || (event.target as Element).closest('button, a, input, textarea')) return;
      const { left, top } = toRect(clampPlacement(placement.current.value, viewport), viewport);
      drag.current = { pointerId: event.pointerId, startX: event.clientX, startY: event.clientY, left, top };
      event.currentTarget.setPointerCapture(event.pointerId);
      event.preventDefault();
    },
    onPointerMove(event) {
      const d = drag.current;
      if (!d || d.pointerId !== event.pointerId) return;
      placement.set(fromRect({ left: d.left + event.clientX - d.startX, top: d.top + event.clientY - d.startY }, viewport), false);
    },
    onPointerUp(event) {
      const d = drag.current;
      if (!d || d.pointerId !== event.pointerId) return;
      drag.current = null;
      placement.set(fromRect({ left: d.left + event.clientX - d.startX, top: d.top + event.clientY - d.startY }, viewport), true);
    },
    onPointerCancel() {
      drag.current = null;
    },
  };

  function onMoveKey(event: KeyboardEvent) {
    if (!moving) return;
    const step = event.shiftKey ? KEY_STEP * 5 : KEY_STEP;
    const now = placement.current.value;
    const moves: Record<string, () => Placement> = {
      ArrowLeft: () => moveBy(now, -step, 0, viewport),
      ArrowRight: () => moveBy(now, step, 0, viewport),
      ArrowUp: () => moveBy(now, 0, -step, viewport),
      ArrowDown: () => moveBy(now, 0, step, viewport),
      Home: () => dockTo(now, 'left'),
      End: () => dockTo(now, 'right'),
    };
    const move = moves[event.key];
    if (move) {
      event.preventDefault();
      placement.set(move(), false);
    } else if (event.key === 'Enter' || event.key === 'Escape' || event.key === ' ') {
      // Handled here: Escape ends the move, not the card; Enter does not press the button again.
      event.preventDefault();
      setMoving(false);
      placement.set(placement.current.value, true);
    }
  }

  const moveButton = (
    <button
      type="button"
      aria-label={t('move')}
      aria-description={t('move.help')}
      aria-pressed={moving}
      data-testid="portrait-move"
      onClick={() => setMoving(!moving)}
      onKeyDown={onMoveKey}
      onBlur={() => {
        if (!moving) return;
        setMoving(false);
        placement.set(placement.current.value, true);
      }}
      class={`inline-flex size-6 cursor-move items-center justify-center rounded-md text-slate-500 hover:bg-slate-100 hover:text-slate-900 ov-focus ${moving ? 'bg-sky-50 text-sky-800 ring-1 ring-sky-400' : ''}`}
    >
      <span aria-hidden="true">✥</span>
    </button>
  );

  const docked = clampPlacement(current, viewport).docked;
  return (
    <div
      {...attributes}
      class="pointer-events-none fixed z-[2147483000] flex max-w-[calc(100vw-16px)] gap-2 font-sans text-sm text-slate-900 antialiased"
      style={frameStyle(current, viewport)}
      data-side={current.side}
      data-edge={current.edge}
      data-docked={docked ? 'true' : 'false'}
    >
      {children({ handle, moveButton })}
      {moving && (
        <p role="status" class="sr-only">
          {t('move.moving')}
        </p>
      )}
    </div>
  );
}
