/**
 * Line charts as SVG, hand-written (no dependencies): training curves (the two players' losses, D(x)
 * and D(G(z))) and Parzen log-likelihood against sigma.
 *
 * `lineChart(spec)` draws one panel: a frame, axes with "nice" ticks (steps of 1, 2 or 5 × 10^k),
 * gridlines, one polyline per series (with a `data-series` attribute naming it), a legend, a title and
 * axis labels. `chartGrid(specs)` puts several panels in one file. Non-finite points (NaN, ±Infinity)
 * break a line rather than corrupt it; `logX` / `logY` plot log10 of the coordinate (points <= 0 are
 * dropped).
 */

export interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
  /** CSS colour; by default the next one of a 10-colour palette. */
  color?: string;
}

/** A line chart: its series, axes and title, for `lineChartSvg`. */
export interface LineChartSpec {
  title?: string;
  series: readonly Series[];
  xLabel?: string;
  yLabel?: string;
  /** Panel size in px (default 640 × 400). */
  width?: number;
  height?: number;
  /** Fixed axis ranges (default: the data's, widened to nice ticks). */
  xRange?: readonly [number, number];
  yRange?: readonly [number, number];
  logX?: boolean;
  logY?: boolean;
  /** Draw a dot at every point (default: only when a series has fewer than 40 points). */
  markers?: boolean;
  /**
   * Where the legend goes: 'inside' (default) the plot's top-right corner, over the plot; 'below'
   * the x label, in rows under the panel (which grows by their height), so it covers no curve.
   */
  legend?: 'inside' | 'below';
}

/** Tableau's 10 colours: distinct, and readable on white. */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

const FONT = 'font-family="Helvetica, Arial, sans-serif"';

/** Escapes text for SVG content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Coordinates are rounded to 0.01 px: exact enough, and the file stays small. */
const num = (v: number): string => String(Math.round(v * 100) / 100);

/** A step of 1, 2 or 5 × 10^k near `span / target`. */
function niceStep(span: number, target: number): number {
  const raw = span / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

/** An axis of a line chart: its bounds, ticks and tick step. */
export interface Axis {
  lo: number;
  hi: number;
  ticks: number[];
  step: number;
}

/**
 * The axis for data in [min, max]: bounds widened to multiples of a nice step, and the ticks. A
 * degenerate range (one value, or no data) is widened around the value.
 */
export function niceAxis(min: number, max: number, target = 5, fixed = false): Axis {
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    min = 0;
    max = 1;
  }
  if (max < min) [min, max] = [max, min];
  // A range too narrow to divide (one value, or a difference lost in rounding): widen it around its centre.
  const mag = Math.max(Math.abs(min), Math.abs(max));
  if (!(max - min > mag * 1e-12 && max - min > 1e-300)) {
    const mid = (min + max) / 2;
    const d = mag > 1e-300 ? mag * 0.1 : 1;
    min = mid - d;
    max = mid + d;
  }
  let step = niceStep(max - min, target);
  if (!(step > 0 && Number.isFinite(step))) {
    // Spans beyond float range: fall back to a plain axis rather than NaN coordinates.
    [min, max, step] = [0, 1, 0.2];
  }
  const lo = fixed ? min : Math.floor(min / step + 1e-9) * step;
  const hi = fixed ? max : Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  const first = Math.ceil(lo / step - 1e-9);
  for (let k = first; k * step <= hi + step * 1e-9; k++) ticks.push(k * step);
  return { lo, hi, ticks, step };
}

/** Tick label: as many decimals as the step needs, exponent notation for very large or small values. */
export function formatTick(v: number, step: number): string {
  if (Math.abs(v) < step * 1e-9) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return Number(v.toPrecision(4)).toExponential().replace('e+', 'e');
  const decimals = Math.max(0, Math.min(10, -Math.floor(Math.log10(step) + 1e-9)));
  return v.toFixed(decimals);
}

/** Tick label on a log axis, where the tick v stands for 10^v: the value itself, to 2 significant digits. */
function formatLogTick(v: number): string {
  const x = Number((10 ** v).toPrecision(2));
  return x >= 1e5 || x < 1e-3 ? x.toExponential().replace('e+', 'e') : String(x);
}

/** The panel's elements, drawn with its top-left corner at (0, 0). */
function panel(spec: LineChartSpec, id: string): { body: string; width: number; height: number } {
  const width = spec.width ?? 640;
  const height = spec.height ?? 400;
  const tx = (x: number) => (spec.logX ? Math.log10(x) : x);
  const ty = (y: number) => (spec.logY ? Math.log10(y) : y);

  // Points in plotting space (log10 applied); a null breaks the line.
  const transformed = spec.series.map((s) =>
    s.points.map(([x, y]) => {
      const px = tx(x);
      const py = ty(y);
      return Number.isFinite(px) && Number.isFinite(py) ? ([px, py] as const) : null;
    }),
  );
  let xmin = Infinity;
  let xmax = -Infinity;
  let ymin = Infinity;
  let ymax = -Infinity;
  for (const pts of transformed) {
    for (const p of pts) {
      if (p === null) continue;
      xmin = Math.min(xmin, p[0]);
      xmax = Math.max(xmax, p[0]);
      ymin = Math.min(ymin, p[1]);
      ymax = Math.max(ymax, p[1]);
    }
  }
  const xr = spec.xRange ? [tx(spec.xRange[0]), tx(spec.xRange[1])] : null;
  const yr = spec.yRange ? [ty(spec.yRange[0]), ty(spec.yRange[1])] : null;
  const xAxis = xr ? niceAxis(xr[0]!, xr[1]!, 6, true) : niceAxis(xmin, xmax, 6);
  const yAxis = yr ? niceAxis(yr[0]!, yr[1]!, 5, true) : niceAxis(ymin, ymax, 5);

  // Plot area, leaving room for the title, the tick labels and the axis labels.
  const left = 64;
  const right = width - 16;
  const top = spec.title ? 36 : 16;
  const bottom = height - (spec.xLabel ? 48 : 32);
  const sx = (x: number) => left + ((x - xAxis.lo) / (xAxis.hi - xAxis.lo)) * (right - left);
  const sy = (y: number) => bottom - ((y - yAxis.lo) / (yAxis.hi - yAxis.lo)) * (bottom - top);
  const tickText = (v: number, step: number, log: boolean | undefined) => (log ? formatLogTick(v) : formatTick(v, step));

  const out: string[] = [];
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="white"/>`);
  if (spec.title) {
    out.push(`<text x="${num(width / 2)}" y="22" text-anchor="middle" font-size="15" font-weight="bold" ${FONT}>${escapeXml(spec.title)}</text>`);
  }

  // Gridlines and ticks.
  const grid: string[] = [];
  const labels: string[] = [];
  for (const v of xAxis.ticks) {
    const x = num(sx(v));
    grid.push(`<line x1="${x}" y1="${num(top)}" x2="${x}" y2="${num(bottom)}"/>`);
    labels.push(`<text x="${x}" y="${num(bottom + 16)}" text-anchor="middle">${escapeXml(tickText(v, xAxis.step, spec.logX))}</text>`);
  }
  for (const v of yAxis.ticks) {
    const y = num(sy(v));
    grid.push(`<line x1="${num(left)}" y1="${y}" x2="${num(right)}" y2="${y}"/>`);
    labels.push(`<text x="${num(left - 6)}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeXml(tickText(v, yAxis.step, spec.logY))}</text>`);
  }
  out.push(`<g stroke="#e0e0e0" stroke-width="1">${grid.join('')}</g>`);
  out.push(`<g font-size="11" fill="#333" ${FONT}>${labels.join('')}</g>`);
  out.push(`<rect x="${num(left)}" y="${num(top)}" width="${num(right - left)}" height="${num(bottom - top)}" fill="none" stroke="#333"/>`);
  if (spec.xLabel) {
    out.push(`<text x="${num((left + right) / 2)}" y="${num(height - 10)}" text-anchor="middle" font-size="12" ${FONT}>${escapeXml(spec.xLabel)}</text>`);
  }
  if (spec.yLabel) {
    const cy = num((top + bottom) / 2);
    out.push(
      `<text x="14" y="${cy}" transform="rotate(-90 14 ${cy})" text-anchor="middle" dominant-baseline="middle" font-size="12" ${FONT}>${escapeXml(spec.yLabel)}</text>`,
    );
  }

  // The series, clipped to the plot area (a fixed range may cut them).
  const clip = `${id}-plot`;
  out.push(`<clipPath id="${clip}"><rect x="${num(left)}" y="${num(top)}" width="${num(right - left)}" height="${num(bottom - top)}"/></clipPath>`);
  const lines: string[] = [];
  spec.series.forEach((s, i) => {
    const color = escapeXml(s.color ?? PALETTE[i % PALETTE.length]!);
    const segments: string[] = [];
    let pen = 'M';
    const dots: string[] = [];
    const markers = spec.markers ?? s.points.length < 40;
    for (const p of transformed[i]!) {
      if (p === null) {
        pen = 'M';
        continue;
      }
      const x = num(sx(p[0]));
      const y = num(sy(p[1]));
      segments.push(`${pen}${x} ${y}`);
      pen = 'L';
      if (markers) dots.push(`<circle cx="${x}" cy="${y}" r="2.5"/>`);
    }
    const name = escapeXml(s.name);
    lines.push(
      `<g data-series="${name}" stroke="${color}" fill="${color}"><title>${name}</title>` +
        (segments.length ? `<path d="${segments.join(' ')}" fill="none" stroke-width="1.75" stroke-linejoin="round"/>` : '') +
        dots.join('') +
        '</g>',
    );
  });
  out.push(`<g clip-path="url(#${clip})">${lines.join('')}</g>`);

  if (spec.series.length > 0 && spec.legend === 'below') {
    const { body, rows } = legendBelow(spec.series, left, right, height);
    out.push(body);
    out[0] = `<rect x="0" y="0" width="${width}" height="${height + rows * LEGEND_ROW}" fill="white"/>`;
    return { body: out.join('\n'), width, height: height + rows * LEGEND_ROW };
  }
  // Legend, top right inside the plot area.
  if (spec.series.length > 0) {
    const rowH = 16;
    const longest = Math.max(...spec.series.map((s) => s.name.length));
    const boxW = Math.min(right - left - 8, 40 + longest * 6.2);
    const boxX = right - boxW - 6;
    const boxY = top + 6;
    const legend: string[] = [
      `<rect x="${num(boxX)}" y="${num(boxY)}" width="${num(boxW)}" height="${spec.series.length * rowH + 8}" fill="white" fill-opacity="0.85" stroke="#999"/>`,
    ];
    spec.series.forEach((s, i) => {
      const color = escapeXml(s.color ?? PALETTE[i % PALETTE.length]!);
      const y = boxY + 4 + rowH * i + rowH / 2;
      legend.push(`<line x1="${num(boxX + 6)}" y1="${num(y)}" x2="${num(boxX + 24)}" y2="${num(y)}" stroke="${color}" stroke-width="2.5"/>`);
      legend.push(`<text x="${num(boxX + 30)}" y="${num(y)}" dominant-baseline="middle">${escapeXml(s.name)}</text>`);
    });
    out.push(`<g class="legend" font-size="11" ${FONT}>${legend.join('')}</g>`);
  }
  return { body: out.join('\n'), width, height };
}

const LEGEND_ROW = 18;

/** The legend as rows of entries under the panel (which is `height` tall), wrapped to [left, right]. */
function legendBelow(series: readonly Series[], left: number, right: number, height: number): { body: string; rows: number } {
  const parts: string[] = [];
  let x = left;
  let row = 0;
  series.forEach((s, i) => {
    const w = 34 + s.name.length * 6.2 + 14;
    if (x > left && x + w > right) {
      row++;
      x = left;
    }
    const y = height + LEGEND_ROW * row + LEGEND_ROW / 2 - 4;
    const color = escapeXml(s.color ?? PALETTE[i % PALETTE.length]!);
    parts.push(`<line x1="${num(x)}" y1="${num(y)}" x2="${num(x + 18)}" y2="${num(y)}" stroke="${color}" stroke-width="2.5"/>`);
    parts.push(`<text x="${num(x + 24)}" y="${num(y)}" dominant-baseline="middle">${escapeXml(s.name)}</text>`);
    x += w;
  });
  return { body: `<g class="legend" font-size="11" ${FONT}>${parts.join('')}</g>`, rows: row + 1 };
}

function svgDocument(width: number, height: number, body: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n${body}\n</svg>\n`
  );
}

/** One chart as a standalone SVG document. */
export function lineChart(spec: LineChartSpec): string {
  const p = panel(spec, 'chart');
  return svgDocument(p.width, p.height, p.body);
}

/**
 * Several charts in one SVG, `cols` per row (default 2), each panel its own size, with an optional
 * overall title. `idPrefix` (default 'chart') names the panels' clip paths: SVGs inlined in one HTML
 * page share one id space, so each needs its own.
 */
export function chartGrid(specs: readonly LineChartSpec[], options: { cols?: number; title?: string; gap?: number; idPrefix?: string } = {}): string {
  const cols = Math.max(1, Math.min(options.cols ?? 2, specs.length || 1));
  const gap = options.gap ?? 12;
  const panels = specs.map((spec, i) => panel(spec, `${options.idPrefix ?? 'chart'}${i}`));
  const colW = Array.from({ length: cols }, (_, c) => Math.max(0, ...panels.filter((_, i) => i % cols === c).map((p) => p.width)));
  const rows = Math.ceil(panels.length / cols);
  const rowH = Array.from({ length: rows }, (_, r) => Math.max(0, ...panels.slice(r * cols, r * cols + cols).map((p) => p.height)));
  const titleH = options.title ? 32 : 0;
  const width = colW.reduce((a, b) => a + b, 0) + gap * (cols + 1);
  const height = titleH + rowH.reduce((a, b) => a + b, 0) + gap * (rows + 1);
  const parts: string[] = [`<rect x="0" y="0" width="${width}" height="${height}" fill="white"/>`];
  if (options.title) {
    parts.push(`<text x="${num(width / 2)}" y="24" text-anchor="middle" font-size="18" font-weight="bold" ${FONT}>${escapeXml(options.title)}</text>`);
  }
  panels.forEach((p, i) => {
    const c = i % cols;
    const r = Math.floor(i / cols);
    const x = gap + colW.slice(0, c).reduce((a, b) => a + b, 0) + gap * c;
    const y = titleH + gap + rowH.slice(0, r).reduce((a, b) => a + b, 0) + gap * r;
    parts.push(`<g class="panel" transform="translate(${x} ${y})">\n${p.body}\n</g>`);
  });
  return svgDocument(width, height, parts.join('\n'));
}
