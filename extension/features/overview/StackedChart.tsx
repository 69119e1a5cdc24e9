// A stacked area chart of one value per lifecycle stage and day, drawn by uPlot on a canvas.
// Stacking follows uPlot's documented approach: each series holds the running total of the
// stages below it and bands fill between neighbours; the legend and the text alternative show
// the stages' own values.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { SeriesColour } from './colours.ts';
import { formatDay, formatTick } from './format.ts';
import { daysBetween } from './period.ts';

/** Room for an axis' longest label (uPlot's documented auto-size approach): labels differ by locale and currency. */
function axisSize(self: uPlot, values: string[] | null, axisIndex: number, cycle: number): number {
  const axis = self.axes[axisIndex] as uPlot.Axis & { _size?: number; font?: [string, number] };
  // Sizing converges over a few cycles; keep the first answer after the second.
  if (cycle > 1 && axis._size) return axis._size;
  let size = (axis.ticks?.size ?? 10) + (axis.gap ?? 5) + 4;
  const longest = (values ?? []).reduce((widest, value) => (value.length > widest.length ? value : widest), '');
  if (longest) {
    self.ctx.font = axis.font?.[0] ?? self.ctx.font;
    size += self.ctx.measureText(longest).width / (globalThis.devicePixelRatio || 1);
  }
  return Math.ceil(size);
}

export interface StackedChartProps {
  /** What the canvas shows, for screen readers (the chart's text summary). */
  label: string;
  days: readonly string[];
  /** One array per stage, bottom first, each with one value per day. */
  values: ReadonlyArray<readonly number[]>;
  names: readonly string[];
  /** The legend's label of the x values. */
  dayLabel: string;
  colours: readonly SeriesColour[];
  formatValue(value: number): string;
  formatAxis(value: number): string;
  /** A click on the chart picks the day under the cursor. */
  onPick?(index: number): void;
  height?: number;
  testId?: string;
}

/** The chart's data: x in Unix seconds, then the running totals of the stages. */
export function stackedData(days: readonly string[], values: ReadonlyArray<readonly number[]>): uPlot.AlignedData {
  const xs = days.map((day) => Date.parse(`${day}T00:00:00Z`) / 1000);
  const running = new Array<number>(days.length).fill(0);
  const stacked = values.map((series) => series.map((value, i) => (running[i] = running[i]! + value)));
  return [xs, ...stacked];
}

export function StackedChart(props: StackedChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const current = useRef(props);
  current.current = props;
  const structure = `${props.dayLabel}|${props.names.join('|')}#${props.colours.map((c) => c.stroke).join('|')}`;

  // The chart is built when its series change (names follow the language) and destroyed with the component.
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const { names, colours } = current.current;
    const spanDays = () => {
      const days = current.current.days;
      return days.length > 1 ? daysBetween(days[0]!, days[days.length - 1]!) : 1;
    };
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 200),
      height: current.current.height ?? 260,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      scales: {
        x: { time: true },
        // Stacked areas start at zero.
        y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] },
      },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      legend: { show: true, live: true },
      series: [
        { label: current.current.dayLabel, value: (_u, ts) => (ts == null ? '–' : formatDay(new Date(ts * 1000).toISOString().slice(0, 10))) },
        ...names.map((name, s) => ({
          label: name,
          stroke: colours[s]!.stroke,
          fill: colours[s]!.fill,
          width: 1,
          points: { show: false },
          value: (_u: uPlot, _v: number | null, _series: number, index: number | null) => {
            const raw = index == null ? undefined : current.current.values[s]?.[index];
            return raw === undefined ? '–' : current.current.formatValue(raw);
          },
        })),
      ],
      bands: names.slice(1).map((_, s) => ({ series: [s + 2, s + 1] as [number, number] })),
      axes: [
        {
          values: (_u, splits) => splits.map((split) => formatTick(split, spanDays())),
          space: 90,
          stroke: '#475569',
          grid: { stroke: '#e2e8f0' },
        },
        {
          values: (_u, splits) => splits.map((split) => current.current.formatAxis(split)),
          size: axisSize,
          stroke: '#475569',
          grid: { stroke: '#e2e8f0' },
        },
      ],
    };
    const chart = new uPlot(options, stackedData(current.current.days, current.current.values), element);
    plot.current = chart;
    const canvas = chart.ctx.canvas;
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', current.current.label);
    const pick = () => {
      const index = chart.cursor.idx;
      if (index != null) current.current.onPick?.(index);
    };
    chart.over.addEventListener('click', pick);
    const resize = new ResizeObserver(() => {
      const width = Math.max(element.clientWidth, 200);
      if (width !== chart.width) chart.setSize({ width, height: chart.height });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.over.removeEventListener('click', pick);
      chart.destroy();
      plot.current = null;
    };
  }, [structure]);

  // New figures only replace the data (and rescale): no new canvas. Each chart draws in a task of
  // its own, so that a page of several charts stays responsive while years of days are drawn.
  useEffect(() => {
    const draw = setTimeout(() => plot.current?.setData(stackedData(props.days, props.values)));
    return () => clearTimeout(draw);
  }, [props.days, props.values]);

  useEffect(() => {
    plot.current?.ctx.canvas.setAttribute('aria-label', props.label);
  }, [props.label]);

  return <div ref={host} class="w-full" data-testid={props.testId} />;
}
