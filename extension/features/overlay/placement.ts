// Where the overlay sits in the window: which side and edge it hangs from and how far from them,
// or docked flush to the left or right edge. Pure maths, so the drag, the keyboard moves and a
// window resize share one set of rules (tests/unit/overlay/placement.test.ts).

export type Side = 'left' | 'right';
export type Edge = 'top' | 'bottom';

/**
 * `x`: px from the `side` edge of the window to the overlay; `y`: px from the `edge` (top or
 * bottom) to the pill. From the top the card opens downwards, from the bottom upwards, so it always
 * opens towards the larger part of the window. Docked: flush to `side` (x = 0).
 */
export interface Placement {
  side: Side;
  x: number;
  edge: Edge;
  y: number;
  docked: boolean;
}

export interface Size {
  width: number;
  height: number;
}

/** The overlay's own size for the maths: the card's width and the collapsed pill's height. */
export const OVERLAY_WIDTH = 340;
export const PILL_HEIGHT = 36;
/** Space kept between the card and the window's edge it opens towards. */
export const EDGE_MARGIN = 8;
/** Dropped this close to the left or right edge, the overlay docks to it. */
export const DOCK_SNAP = 12;
/** One arrow key press in move mode; with Shift, five. */
export const KEY_STEP = 16;

/** Where the overlay goes on a site until the user moves it: clear of the site's own controls. */
export const siteDefaults: Readonly<Record<string, Placement>> = {
  // Gmail and Outlook put the open message's header (date, star, reply, more) at the top right of
  // the reading pane and compose windows at the bottom right: the lower left, over the folder list,
  // leaves both free.
  gmail: { side: 'left', x: 16, edge: 'bottom', y: 16, docked: false },
  outlook: { side: 'left', x: 16, edge: 'bottom', y: 16, docked: false },
  // Shop admin pages keep their actions (edit, refund, update) at the top right.
  shopify: { side: 'right', x: 24, edge: 'bottom', y: 24, docked: false },
  woocommerce: { side: 'right', x: 24, edge: 'bottom', y: 24, docked: false },
};
export const fallbackPlacement: Placement = { side: 'right', x: 72, edge: 'top', y: 72, docked: false };

export function defaultPlacement(siteId: string | undefined): Placement {
  return (siteId !== undefined && Object.hasOwn(siteDefaults, siteId) ? siteDefaults[siteId] : undefined) ?? fallbackPlacement;
}

/** The overlay's box in the window: width, and the pill's height. Narrow windows narrow the card. */
export function overlayBox(viewport: Size): Size {
  return { width: Math.max(0, Math.min(OVERLAY_WIDTH, viewport.width - 2 * EDGE_MARGIN)), height: PILL_HEIGHT };
}

const within = (value: number, max: number) => Math.min(Math.max(0, value), Math.max(0, max));

/** The pill's top-left corner in the window. */
export function toRect(placement: Placement, viewport: Size): { left: number; top: number } {
  const box = overlayBox(viewport);
  const x = placement.docked ? 0 : placement.x;
  return {
    left: placement.side === 'left' ? x : viewport.width - x - box.width,
    top: placement.edge === 'top' ? placement.y : viewport.height - placement.y - box.height,
  };
}

/**
 * The placement of an overlay whose pill has its top-left corner at `rect`, kept inside the window:
 * it hangs from the nearer side and edge, and docks when it is within DOCK_SNAP of a side.
 */
export function fromRect(rect: { left: number; top: number }, viewport: Size): Placement {
  const box = overlayBox(viewport);
  const left = within(rect.left, viewport.width - box.width);
  const top = within(rect.top, viewport.height - box.height);
  const right = viewport.width - left - box.width;
  const bottom = viewport.height - top - box.height;
  const side: Side = left + box.width / 2 <= viewport.width / 2 ? 'left' : 'right';
  const edge: Edge = top + box.height / 2 <= viewport.height / 2 ? 'top' : 'bottom';
  const x = Math.round(side === 'left' ? left : right);
  const y = Math.round(edge === 'top' ? top : bottom);
  const docked = x <= DOCK_SNAP;
  return { side, x: docked ? 0 : x, edge, y, docked };
}

/** The placement kept inside the window (after a resize, or a stored one from a larger window). */
export function clampPlacement(placement: Placement, viewport: Size): Placement {
  const box = overlayBox(viewport);
  const x = placement.docked ? 0 : within(placement.x, viewport.width - box.width);
  const y = within(placement.y, viewport.height - box.height);
  return { ...placement, x, y };
}

export function moveBy(placement: Placement, dx: number, dy: number, viewport: Size): Placement {
  const { left, top } = toRect(clampPlacement(placement, viewport), viewport);
  return fromRect({ left: left + dx, top: top + dy }, viewport);
}

export function dockTo(placement: Placement, side: Side): Placement {
  return { ...placement, side, x: 0, docked: true };
}

/** How high the card may grow: from the pill to the window's far edge, less the margin. */
export function cardRoom(placement: Placement, viewport: Size): number {
  return Math.max(0, viewport.height - clampPlacement(placement, viewport).y - EDGE_MARGIN);
}

const finiteBetween = (value: unknown, max: number): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= max;

/** A placement read back from storage or a message, or null when it is not one. */
export function parsePlacement(value: unknown): Placement | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  if (v.side !== 'left' && v.side !== 'right') return null;
  if (v.edge !== 'top' && v.edge !== 'bottom') return null;
  if (!finiteBetween(v.x, 100_000) || !finiteBetween(v.y, 100_000) || typeof v.docked !== 'boolean') return null;
  return { side: v.side, x: Math.round(v.x), edge: v.edge, y: Math.round(v.y), docked: v.docked };
}
