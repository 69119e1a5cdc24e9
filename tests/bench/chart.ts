// A small hand-written SVG chart: seconds against customer count, both axes logarithmic, one line
// per series, so that one can see how the cost of a recompute grows with the work.

export interface Series {
  name: string;
  colour: string;
  points: Array<{ customers: number; seconds: number }>;
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function formatCount(n: number): string {
  if (n >= 1_000_000) return `${n / 1_000_000}M`;
  if (n >= 1_000) return `${n / 1_000}k`;
  return String(n);
}

function formatSeconds(s: number): string {
  if (s >= 1) return `${Number(s.toPrecision(3))} s`;
  return `${Number((s * 1000).toPrecision(3))} ms`;
}

export function chartSvg(title: string, series: Series[], options: { subtitle?: string; budgetSeconds?: number } = {}): string {
  const width = 820;
  const height = 440;
  const margin = { left: 80, right: 250, top: 56, bottom: 56 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const all = series.flatMap((s) => s.points).filter((p) => p.customers > 0 && p.seconds > 0);
  if (options.budgetSeconds) all.push({ customers: all[0]?.customers ?? 1000, seconds: options.budgetSeconds });
  const xs = all.map((p) => p.customers);
  const ys = all.map((p) => p.seconds);
  const xMin = 10 ** Math.floor(Math.log10(Math.min(...xs, 10_000)));
  const xMax = 10 ** Math.ceil(Math.log10(Math.max(...xs, 1_000_000)));
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...ys, 0.01)));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...ys, 1)));
  const x = (v: number) => margin.left + ((Math.log10(v) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) * plotW;
  const y = (v: number) => margin.top + plotH - ((Math.log10(v) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * plotH;

  const parts: string[] = [];
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="${margin.left}" y="24" font-size="16" font-weight="600">${escape(title)}</text>`);
  if (options.subtitle) parts.push(`<text x="${margin.left}" y="42" font-size="11" fill="#64748b">${escape(options.subtitle)}</text>`);
  for (let v = xMin; v <= xMax; v *= 10) {
    parts.push(`<line x1="${x(v)}" y1="${margin.top}" x2="${x(v)}" y2="${margin.top + plotH}" stroke="#e2e8f0"/>`);
    parts.push(`<text x="${x(v)}" y="${margin.top + plotH + 18}" font-size="11" text-anchor="middle" fill="#475569">${formatCount(v)}</text>`);
  }
  for (let v = yMin; v <= yMax; v *= 10) {
    parts.push(`<line x1="${margin.left}" y1="${y(v)}" x2="${margin.left + plotW}" y2="${y(v)}" stroke="#e2e8f0"/>`);
    parts.push(`<text x="${margin.left - 8}" y="${y(v) + 4}" font-size="11" text-anchor="end" fill="#475569">${formatSeconds(v)}</text>`);
  }
  parts.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#94a3b8"/>`);
  parts.push(`<text x="${margin.left + plotW / 2}" y="${height - 14}" font-size="12" text-anchor="middle">customers</text>`);
  parts.push(`<text x="18" y="${margin.top + plotH / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 18 ${margin.top + plotH / 2})">time</text>`);
  if (options.budgetSeconds) {
    const by = y(options.budgetSeconds);
    parts.push(`<line x1="${margin.left}" y1="${by}" x2="${margin.left + plotW}" y2="${by}" stroke="#dc2626" stroke-dasharray="6 4"/>`);
    parts.push(`<text x="${margin.left + plotW - 4}" y="${by - 6}" font-size="11" text-anchor="end" fill="#dc2626">budget ${formatSeconds(options.budgetSeconds)} at 1M</text>`);
  }
  series.forEach((s, i) => {
    const points = s.points.filter((p) => p.customers > 0 && p.seconds > 0).sort((a, b) => a.customers - b.customers);
    if (points.length > 1) {
      parts.push(`<polyline fill="none" stroke="${s.colour}" stroke-width="2" points="${points.map((p) => `${x(p.customers).toFixed(1)},${y(p.seconds).toFixed(1)}`).join(' ')}"/>`);
    }
    for (const p of points) {
      parts.push(`<circle cx="${x(p.customers).toFixed(1)}" cy="${y(p.seconds).toFixed(1)}" r="4" fill="${s.colour}"><title>${escape(`${s.name}: ${formatCount(p.customers)} customers, ${formatSeconds(p.seconds)}`)}</title></circle>`);
      parts.push(`<text x="${(x(p.customers) + 7).toFixed(1)}" y="${(y(p.seconds) - 7).toFixed(1)}" font-size="10" fill="${s.colour}">${formatSeconds(p.seconds)}</text>`);
    }
    const ly = margin.top + 12 + i * 20;
    parts.push(`<line x1="${margin.left + plotW + 16}" y1="${ly - 4}" x2="${margin.left + plotW + 36}" y2="${ly - 4}" stroke="${s.colour}" stroke-width="2"/>`);
    parts.push(`<text x="${margin.left + plotW + 42}" y="${ly}" font-size="11">${escape(s.name)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif">\n${parts.join('\n')}\n</svg>\n`;
}
