import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chartGrid, escapeXml, formatTick, lineChart, niceAxis, type LineChartSpec } from '../src/io/svg.js';

interface Element {
  name: string;
  attrs: Record<string, string>;
  children: Element[];
  text: string;
}

/**
 * A loose XML parser, enough to check well-formedness: tags balance, attributes are quoted and not
 * repeated, entities are the five XML ones, and there is one root <svg>.
 */
function parseXml(xml: string): Element {
  const root: Element = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: Element[] = [root];
  const token = /<\?[^?]*\?>|<!--[\s\S]*?-->|<\/([A-Za-z][\w:-]*)\s*>|<([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let pos = 0;
  while (pos < xml.length) {
    token.lastIndex = pos;
    const m = token.exec(xml);
    if (!m) throw new Error(`malformed XML at ${pos}: ${JSON.stringify(xml.slice(pos, pos + 40))}`);
    pos = token.lastIndex;
    const top = stack[stack.length - 1]!;
    if (m[1]) {
      if (top.name !== m[1]) throw new Error(`</${m[1]}> closes <${top.name}>`);
      stack.pop();
    } else if (m[2]) {
      const attrs: Record<string, string> = {};
      for (const a of m[3]!.matchAll(/([\w:-]+)="([^"]*)"/g)) {
        if (a[1]! in attrs) throw new Error(`attribute ${a[1]} repeated on <${m[2]}>`);
        attrs[a[1]!] = unescape(a[2]!);
      }
      const el: Element = { name: m[2], attrs, children: [], text: '' };
      top.children.push(el);
      if (!m[4]) stack.push(el);
    } else if (m[5]) {
      if (stack.length === 1 && m[5].trim() !== '') throw new Error('text outside the root element');
      top.text += unescape(m[5]);
    }
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  const elements = root.children;
  if (elements.length !== 1 || elements[0]!.name !== 'svg') throw new Error('expected a single <svg> root');
  return elements[0]!;
}

function unescape(s: string): string {
  const bad = s.match(/&(?!(amp|lt|gt|quot|#39);)/);
  if (bad) throw new Error(`bare & in ${JSON.stringify(s)}`);
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

function all(el: Element, name: string): Element[] {
  const out: Element[] = [];
  const walk = (e: Element) => {
    if (e.name === name) out.push(e);
    e.children.forEach(walk);
  };
  walk(el);
  return out;
}

const texts = (el: Element) => all(el, 'text').map((t) => t.text);

/** The vertices of a path "M x y L x y ... M ..." as segments. */
function pathSegments(d: string): [number, number][][] {
  const segs: [number, number][][] = [];
  for (const m of d.matchAll(/([ML])(-?[\d.]+) (-?[\d.]+)/g)) {
    if (m[1] === 'M') segs.push([]);
    segs[segs.length - 1]!.push([Number(m[2]), Number(m[3])]);
  }
  return segs;
}

describe('lineChart', () => {
  const spec: LineChartSpec = {
    title: 'GAN losses <MNIST> & "friends"',
    xLabel: 'epoch',
    yLabel: 'loss',
    series: [
      {
        name: 'D loss',
        points: [
          [0, 1.4],
          [1, 1.2],
          [2, 1.3],
          [3, 1.25],
        ],
      },
      {
        name: 'G loss (−log D(G(z)))',
        points: [
          [0, 0.7],
          [1, 0.9],
          [2, 0.85],
          [3, 0.8],
        ],
      },
    ],
  };

  it('is well-formed SVG with the title, labels, legend and one path per series', () => {
    const svg = parseXml(lineChart(spec));
    expect(svg.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    expect([svg.attrs.width, svg.attrs.height]).toEqual(['640', '400']);
    const t = texts(svg);
    for (const s of [spec.title!, 'epoch', 'loss', 'D loss', spec.series[1]!.name]) expect(t).toContain(s);
    const groups = all(svg, 'g').filter((g) => g.attrs['data-series'] !== undefined);
    expect(groups.map((g) => g.attrs['data-series'])).toEqual(['D loss', spec.series[1]!.name]);
    for (const g of groups) {
      const paths = all(g, 'path');
      expect(paths).toHaveLength(1);
      expect(pathSegments(paths[0]!.attrs.d!)).toEqual([expect.any(Array)]);
      expect(pathSegments(paths[0]!.attrs.d!)[0]).toHaveLength(4);
      expect(all(g, 'circle')).toHaveLength(4);
    }
  });

  it('maps the data into the plot frame, preserving order, and ticks cover the data', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: -1e4, max: 1e4, noNaN: true }), fc.double({ min: -1e4, max: 1e4, noNaN: true })), { minLength: 1, maxLength: 30 }),
        (points) => {
          const svg = parseXml(lineChart({ series: [{ name: 's', points }] }));
          const frame = all(svg, 'rect').find((r) => r.attrs.fill === 'none')!;
          const [fx, fy, fw, fh] = ['x', 'y', 'width', 'height'].map((k) => Number(frame.attrs[k]));
          const d = all(svg, 'path')[0]!.attrs.d!;
          const verts = pathSegments(d)[0]!;
          expect(verts).toHaveLength(points.length);
          verts.forEach(([x, y], i) => {
            expect(x).toBeGreaterThanOrEqual(fx! - 0.01);
            expect(x).toBeLessThanOrEqual(fx! + fw! + 0.01);
            expect(y).toBeGreaterThanOrEqual(fy! - 0.01);
            expect(y).toBeLessThanOrEqual(fy! + fh! + 0.01);
            // Larger x is further right, larger y further up.
            for (let j = 0; j < i; j++) {
              if (points[j]![0] < points[i]![0] - 1e-6 * (Math.abs(points[i]![0]) + 1e2)) expect(verts[j]![0]).toBeLessThanOrEqual(x + 0.02);
              if (points[j]![1] < points[i]![1] - 1e-6 * (Math.abs(points[i]![1]) + 1e2)) expect(verts[j]![1]).toBeGreaterThanOrEqual(y - 0.02);
            }
          });
        },
      ),
      { numRuns: 40 },
    );
  });

  it('breaks lines at non-finite points and survives empty and constant series', () => {
    const svg = parseXml(
      lineChart({
        series: [
          {
            name: 'a',
            points: [
              [0, 1],
              [1, NaN],
              [2, 3],
              [3, 4],
              [4, Infinity],
              [5, 2],
            ],
          },
          { name: 'empty', points: [] },
          {
            name: 'flat',
            points: [
              [0, 5],
              [5, 5],
            ],
          },
        ],
      }),
    );
    const [a, empty, flat] = all(svg, 'g').filter((g) => g.attrs['data-series'] !== undefined);
    expect(pathSegments(all(a!, 'path')[0]!.attrs.d!).map((s) => s.length)).toEqual([1, 2, 1]);
    expect(all(empty!, 'path')).toHaveLength(0);
    expect(pathSegments(all(flat!, 'path')[0]!.attrs.d!)[0]).toHaveLength(2);
    expect(lineChart({ series: [] })).toContain('<svg');
  });

  it('plots a log axis with value labels (the Parzen sigma sweep)', () => {
    const sigmas = Array.from({ length: 10 }, (_, i) => 10 ** (-1 + i / 9));
    const svg = parseXml(lineChart({ series: [{ name: 'LL', points: sigmas.map((s) => [s, -100 / s]) }], logX: true, xLabel: 'sigma' }));
    const t = texts(svg);
    expect(t).toContain('0.1');
    expect(t).toContain('1');
    expect(t.some((s) => s.includes('e-'))).toBe(false);
  });
});

describe("lineChart's legend below", () => {
  it('puts every entry under the plot frame and grows the panel by its rows, covering no curve', () => {
    const names = Array.from({ length: 7 }, (_, i) => `series number ${i} with a long name`);
    const spec: LineChartSpec = {
      width: 400,
      height: 300,
      xLabel: 'x',
      series: names.map((name, i) => ({
        name,
        points: [
          [0, i],
          [1, i + 1],
        ],
      })),
    };
    const inside = parseXml(lineChart(spec));
    const below = parseXml(lineChart({ ...spec, legend: 'below' }));
    expect(inside.attrs.height).toBe('300');
    const height = Number(below.attrs.height);
    expect(height).toBeGreaterThan(300 + 18); // several rows: the entries wrap
    const frame = all(below, 'rect').find((r) => r.attrs.fill === 'none')!;
    const frameBottom = Number(frame.attrs.y) + Number(frame.attrs.height);
    const legend = all(below, 'g').find((g) => g.attrs.class === 'legend')!;
    const ys = all(legend, 'text').map((t) => Number(t.attrs.y));
    expect(all(legend, 'text').map((t) => t.text)).toEqual(names);
    for (const y of ys) {
      expect(y).toBeGreaterThan(300); // below the x label, which ends the 300 px panel
      expect(y).toBeLessThan(height);
    }
    expect(frameBottom).toBeLessThan(300);
    // The entries of one row do not overlap: each starts right of the one before it.
    const xs = all(legend, 'text').map((t) => Number(t.attrs.x));
    for (let i = 1; i < xs.length; i++) if (ys[i] === ys[i - 1]) expect(xs[i]).toBeGreaterThan(xs[i - 1]! + names[i - 1]!.length * 5);
  });
});

describe('chartGrid', () => {
  it('puts several well-formed panels in one SVG, each with its series', () => {
    const specs: LineChartSpec[] = ['loss', 'D(x)', 'D(G(z))'].map((title, i) => ({
      title,
      width: 300,
      height: 200,
      series: [
        {
          name: `${title} series`,
          points: [
            [0, i],
            [1, i + 1],
          ],
        },
      ],
    }));
    const svg = parseXml(chartGrid(specs, { cols: 2, title: 'Training' }));
    const panels = all(svg, 'g').filter((g) => g.attrs.class === 'panel');
    expect(panels).toHaveLength(3);
    expect(panels.map((p) => p.attrs.transform)).toEqual(['translate(12 44)', 'translate(324 44)', 'translate(12 256)']);
    expect([svg.attrs.width, svg.attrs.height]).toEqual([String(2 * 300 + 3 * 12), String(32 + 2 * 200 + 3 * 12)]);
    for (const [i, p] of panels.entries()) {
      expect(texts(p)).toContain(specs[i]!.title);
      expect(all(p, 'g').filter((g) => g.attrs['data-series'] === specs[i]!.series[0]!.name)).toHaveLength(1);
    }
    // Clip-path ids are unique across panels.
    const ids = all(svg, 'clipPath').map((c) => c.attrs.id);
    expect(new Set(ids).size).toBe(3);
  });
});

describe('axis helpers', () => {
  it('niceAxis covers the data with 1-2-5 steps', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 1e-6, max: 1e6, noNaN: true }), (lo, span) => {
        const ax = niceAxis(lo, lo + span);
        // Up to a rounding slack: 1e-9 steps (which keeps 0.30000000000000004 from adding a tick),
        // plus the rounding of k * step itself at this magnitude.
        const slack = 1e-8 * ax.step + 4e-16 * Math.max(Math.abs(lo), Math.abs(lo + span));
        expect(ax.lo).toBeLessThanOrEqual(lo + slack);
        expect(ax.hi).toBeGreaterThanOrEqual(lo + span - slack);
        const m = ax.step / 10 ** Math.floor(Math.log10(ax.step) + 1e-12);
        expect([1, 2, 5, 10].some((k) => Math.abs(m - k) < 1e-9)).toBe(true);
        expect(ax.ticks.length).toBeGreaterThanOrEqual(2);
        expect(ax.ticks.length).toBeLessThanOrEqual(12);
      }),
      { numRuns: 100 },
    );
  });

  it('formatTick prints clean labels', () => {
    expect(formatTick(0.30000000000000004, 0.1)).toBe('0.3');
    expect(formatTick(-2, 0.5)).toBe('-2.0');
    expect(formatTick(1500, 500)).toBe('1500');
    expect(formatTick(2e-16, 0.2)).toBe('0');
    expect(formatTick(250000, 50000)).toBe('2.5e5');
    expect(escapeXml(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
  });
});
