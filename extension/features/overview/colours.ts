// Stage colours for the charts' canvases, read from the same Tailwind classes the overlay's stage
// dots use (features/overlay/format.ts), so a stage looks the same everywhere.
import { stageStyle } from '../overlay/format.ts';
import type { LifecycleStage } from '../../platform/messaging/schemas.ts';

export interface SeriesColour {
  stroke: string;
  fill: string;
}

/** Tailwind's palette in sRGB, for a context without styles (the class colours win when present). */
const fallback: Record<LifecycleStage, [number, number, number]> = {
  prospect: [148, 163, 184],
  lead: [14, 165, 233],
  new: [20, 184, 166],
  active: [16, 185, 129],
  loyal: [99, 102, 241],
  at_risk: [245, 158, 11],
  churned: [244, 63, 94],
  reactivated: [139, 92, 246],
};

/**
 * The colour of each stage's dot class as RGB: the computed style may be in any CSS colour space
 * (Tailwind 4 uses oklch), so it is painted on a one-pixel canvas and read back.
 */
export function stageColours(stages: readonly LifecycleStage[], doc: Document = document): Record<LifecycleStage, SeriesColour> {
  const probe = doc.createElement('span');
  probe.setAttribute('aria-hidden', 'true');
  probe.style.position = 'absolute';
  probe.style.visibility = 'hidden';
  doc.body.append(probe);
  const canvas = doc.createElement('canvas');
  canvas.width = 1;
  canvas.height = 1;
  let context: CanvasRenderingContext2D | null;
  try {
    context = canvas.getContext('2d', { willReadFrequently: true });
  } catch {
    // A context without canvas support (a test DOM): the palette below.
    context = null;
  }
  const colours = {} as Record<LifecycleStage, SeriesColour>;
  for (const stage of stages) {
    let rgb = fallback[stage];
    probe.className = stageStyle[stage].dot;
    const css = doc.defaultView?.getComputedStyle(probe).backgroundColor ?? '';
    if (context && css && css !== 'rgba(0, 0, 0, 0)' && css !== 'transparent') {
      context.clearRect(0, 0, 1, 1);
      context.fillStyle = css;
      context.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = context.getImageData(0, 0, 1, 1).data;
      if (a === 255) rgb = [r!, g!, b!];
    }
    colours[stage] = { stroke: `rgb(${rgb.join(', ')})`, fill: `rgba(${rgb.join(', ')}, 0.72)` };
  }
  probe.remove();
  return colours;
}
