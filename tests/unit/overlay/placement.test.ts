import { describe, expect, it } from 'vitest';
import {
  DOCK_SNAP,
  PILL_HEIGHT,
  cardRoom,
  clampPlacement,
  defaultPlacement,
  dockTo,
  fromRect,
  moveBy,
  overlayBox,
  parsePlacement,
  toRect,
  type Placement,
} from '../../../extension/features/overlay/placement.ts';
import { createPlacementStore, placementsKey } from '../../../extension/platform/storage/placements.ts';
import { memoryArea } from '../../../extension/platform/storage/storage.ts';

const desktop = { width: 1280, height: 800 };
const small = { width: 1024, height: 600 };
const narrow = { width: 480, height: 700 };
const topRight: Placement = { side: 'right', x: 72, edge: 'top', y: 72, docked: false };

describe('overlay placement', () => {
  it('round-trips a rectangle: the pill stays where it was dropped', () => {
    for (const viewport of [desktop, small, narrow]) {
      for (const rect of [{ left: 100, top: 100 }, { left: 900, top: 500 }, { left: 40, top: 550 }]) {
        const box = overlayBox(viewport);
        const placed = fromRect(rect, viewport);
        const back = toRect(placed, viewport);
        // Inside the window, and where it was put (unless it snapped to a side).
        expect(back.left).toBeGreaterThanOrEqual(0);
        expect(back.left + box.width).toBeLessThanOrEqual(viewport.width);
        expect(back.top + PILL_HEIGHT).toBeLessThanOrEqual(viewport.height);
        if (!placed.docked) expect(back).toEqual({ left: Math.min(rect.left, viewport.width - box.width), top: Math.min(rect.top, viewport.height - PILL_HEIGHT) });
      }
    }
  });

  it('hangs from the nearer side and edge, so the card opens towards the larger part of the window', () => {
    expect(fromRect({ left: 800, top: 50 }, desktop)).toMatchObject({ side: 'right', edge: 'top', x: 1280 - 800 - 340, y: 50 });
    expect(fromRect({ left: 100, top: 700 }, desktop)).toMatchObject({ side: 'left', edge: 'bottom', x: 100, y: 800 - 700 - PILL_HEIGHT });
  });

  it('docks when dropped within the snap distance of a side, and by keyboard', () => {
    expect(fromRect({ left: DOCK_SNAP - 1, top: 300 }, desktop)).toMatchObject({ side: 'left', x: 0, docked: true });
    expect(fromRect({ left: 1280 - 340 - 3, top: 300 }, desktop)).toMatchObject({ side: 'right', x: 0, docked: true });
    expect(fromRect({ left: 200, top: 300 }, desktop).docked).toBe(false);
    expect(dockTo(topRight, 'left')).toEqual({ side: 'left', x: 0, edge: 'top', y: 72, docked: true });
  });

  it('keeps a placement from a larger window inside a smaller one (resize)', () => {
    const far: Placement = { side: 'right', x: 1100, edge: 'top', y: 760, docked: false };
    const clamped = clampPlacement(far, narrow);
    const rect = toRect(clamped, narrow);
    expect(rect.left).toBeGreaterThanOrEqual(0);
    expect(rect.top).toBeGreaterThanOrEqual(0);
    expect(rect.top + PILL_HEIGHT).toBeLessThanOrEqual(narrow.height);
    expect(overlayBox(narrow).width).toBeLessThanOrEqual(narrow.width);
    expect(overlayBox({ width: 300, height: 400 }).width).toBe(300 - 16);
  });

  it('moves by keyboard steps and never past the window', () => {
    const moved = moveBy(topRight, -16, 16, desktop);
    expect(toRect(moved, desktop)).toEqual({ left: 1280 - 72 - 340 - 16, top: 88 });
    const pushed = moveBy(topRight, 10_000, -10_000, desktop);
    expect(toRect(pushed, desktop)).toEqual({ left: 1280 - 340, top: 0 });
    expect(pushed.docked).toBe(true);
  });

  it('gives the card the room between the pill and the far edge', () => {
    expect(cardRoom(topRight, small)).toBe(600 - 72 - 8);
    expect(cardRoom({ ...topRight, y: 5_000 }, small)).toBe(600 - (600 - PILL_HEIGHT) - 8);
  });

  it('mail sites default clear of the message header at the top right', () => {
    for (const site of ['gmail', 'outlook']) {
      const placement = defaultPlacement(site);
      const rect = toRect(placement, desktop);
      // Not in the top-right quarter, where the thread's date, star and reply sit.
      expect(rect.left + 340 <= desktop.width / 2 + 340 && placement.edge === 'bottom').toBe(true);
      expect(placement.side).toBe('left');
    }
    expect(defaultPlacement('unknown-site')).toEqual(topRight);
    expect(defaultPlacement('__proto__')).toEqual(topRight);
  });

  it('reads back only well-formed placements', () => {
    expect(parsePlacement(topRight)).toEqual(topRight);
    expect(parsePlacement({ ...topRight, side: 'up' })).toBeNull();
    expect(parsePlacement({ ...topRight, x: -1 })).toBeNull();
    expect(parsePlacement({ ...topRight, y: Number.NaN })).toBeNull();
    expect(parsePlacement(null)).toBeNull();
  });
});

describe('placement storage', () => {
  it('remembers a placement per site, versioned, and ignores what it cannot read', async () => {
    const area = memoryArea();
    const store = createPlacementStore(area);
    expect(await store.get('gmail')).toBeNull();
    await store.set('gmail', topRight);
    await store.set('outlook', dockTo(topRight, 'left'));
    expect(await store.get('gmail')).toEqual(topRight);
    expect(await store.get('outlook')).toMatchObject({ docked: true, side: 'left' });
    expect(area.data.get(placementsKey)).toMatchObject({ version: 1 });
    await expect(store.set('gmail', { ...topRight, x: -5 })).rejects.toThrow();
    area.data.set(placementsKey, { version: 99, sites: { gmail: topRight } });
    expect(await store.get('gmail')).toBeNull();
    expect(await store.get('__proto__')).toBeNull();
  });
});
