/**
 * Result files: the JSON record of a run (everything needed to judge it: device, adapter, commit,
 * date, options, every sample), a markdown table, an SVG chart of the ratios, and the table's
 * section in docs/performance.md. Everything here is a pure function of the JSON, so a result
 * produced elsewhere (the GPU host) can be re-rendered here with `pnpm bench report <file.json>`.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import type { CaseResult, RatioResult, RunnerId, RunnerResultOk } from './harness.js';
import { ALL_RUNNERS, fmt, fmtMs } from './harness.js';
import type { AdapterRecord } from './runners.js';

export interface BenchResult {
  schema: 1;
  bench: string;
  /** `--tag`: distinguishes runs of one bench on one device and day (e.g. different sizes or budgets). */
  tag?: string;
  title: string;
  description: string;
  /** ISO 8601, UTC. */
  date: string;
  commit: string;
  /** Whether packages/ or benchmarks/ had uncommitted changes (null: unknown). */
  dirty: boolean | null;
  node: string;
  platform: string;
  cpu: { model: string; cores: number };
  /** The machine's 1/5/15-minute load averages when the bench started and ended (other work running beside it). */
  loadavg?: { start: number[]; end: number[] };
  device: { slug: string; adapter: AdapterRecord | null };
  runners: { id: RunnerId; where: 'gpu' | 'cpu'; description: string }[];
  /** Runners asked for that could not be opened, with why. */
  missing: string[];
  options: { reps: number; warmup: number; minRepMs: number; maxIters: number; budgetMs: number; minReps: number; [k: string]: unknown };
  ratios: [RunnerId, RunnerId][];
  notes: string[];
  /** The measured f32x4 mul + add peak, when a saddle-wasm runner ran. */
  wasmPeak?: { oneThread: number; allThreads: number; threads: number; method: string };
  wasmPeakSimd128?: { oneThread: number; allThreads: number; threads: number; method: string };
  cases: CaseResult[];
}

export function fileStem(r: Pick<BenchResult, 'bench' | 'device' | 'date' | 'tag'>): string {
  return `${r.bench}-${r.device.slug}-${r.date.slice(0, 10)}${r.tag ? `-${r.tag}` : ''}`;
}

export interface WrittenFiles {
  json: string;
  md: string;
  svg: string;
}

/** Writes the result's .json, .md and .svg (only the .json with `jsonOnly`: the GPU host keeps its file count low). */
export function writeResultFiles(r: BenchResult, dir: string, opts: { jsonOnly?: boolean } = {}): WrittenFiles {
  mkdirSync(dir, { recursive: true });
  const stem = fileStem(r);
  const files = { json: join(dir, `${stem}.json`), md: join(dir, `${stem}.md`), svg: join(dir, `${stem}.svg`) };
  writeFileSync(files.json, JSON.stringify(r, null, 2) + '\n');
  if (opts.jsonOnly) return files;
  writeFileSync(files.svg, renderSvg(r));
  writeFileSync(files.md, renderMarkdown(r, `${stem}.svg`));
  return files;
}

export function readResult(path: string): BenchResult {
  const r = JSON.parse(readFileSync(path, 'utf8')) as BenchResult;
  if (r.schema !== 1 || !Array.isArray(r.cases)) throw new Error(`${path}: not a benchmark result (schema 1)`);
  return r;
}

function unitOf(r: BenchResult): string {
  for (const c of r.cases) for (const x of Object.values(c.runners)) if (x?.status === 'ok' && x.rate) return x.rate.unit;
  return 'ms';
}

function okRunners(r: BenchResult): RunnerId[] {
  return ALL_RUNNERS.filter((id) => r.cases.some((c) => c.runners[id]?.status === 'ok'));
}

function ratioKey(q: Pick<RatioResult, 'subject' | 'baseline'>): string {
  return `${q.subject}/${q.baseline}`;
}

function presentRatios(r: BenchResult): [RunnerId, RunnerId][] {
  return r.ratios.filter(([s, b]) => r.cases.some((c) => c.ratios.some((q) => q.subject === s && q.baseline === b)));
}

function rateCell(x: RunnerResultOk | undefined): string {
  if (!x) return '—';
  if (x.rate) return `${fmt(x.rate.median)} [${fmt(x.rate.min)}–${fmt(x.rate.max)}]`;
  return `${fmtMs(x.ms.median)} [${fmtMs(x.ms.min)}–${fmtMs(x.ms.max)}]`;
}

function ratioCell(q: RatioResult | undefined): string {
  if (!q) return '—';
  return `**${q.value.toFixed(2)}×** [${q.paired.min.toFixed(2)}–${q.paired.max.toFixed(2)}]`;
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

/** The results table: one row per case; throughput columns per runner, then the ratios. */
export function renderTable(r: BenchResult): string {
  const unit = unitOf(r);
  const runners = okRunners(r);
  const ratios = presentRatios(r);
  const head = ['case', ...runners.map((id) => `${id} ${unit}`), ...ratios.map(([s, b]) => `${s} ÷ ${b}`)];
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`];
  for (const c of r.cases) {
    const cells = [escapeCell(c.label)];
    for (const id of runners) {
      const x = c.runners[id];
      cells.push(x?.status === 'ok' ? rateCell(x) : x ? x.status : '—');
    }
    for (const [s, b] of ratios) cells.push(ratioCell(c.ratios.find((q) => q.subject === s && q.baseline === b)));
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

function skippedLines(r: BenchResult): string[] {
  const out: string[] = [];
  for (const c of r.cases) {
    for (const id of ALL_RUNNERS) {
      const x = c.runners[id];
      if (x && x.status !== 'ok') out.push(`- ${c.label}, ${id} ${x.status}: ${x.reason}`);
      if (x?.status === 'ok' && x.check && !x.check.ok) {
        out.push(`- ${c.label}, ${id}: output differs from ${x.check.against} (relative error ${x.check.relErr.toExponential(2)})`);
      }
    }
  }
  return out;
}

function adapterLine(r: BenchResult): string {
  const a = r.device.adapter;
  if (!a) return 'none (CPU runners only)';
  const name = [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' / ');
  return `${name}${a.software ? ' — a software (CPU) rasterizer, not a GPU' : ''}`;
}

function methodLine(r: BenchResult): string {
  const o = r.options;
  return (
    `median of up to ${o.reps} interleaved reps after ${o.warmup} warm-up reps; a rep is ≥ ${o.minRepMs} ms of back-to-back ` +
    `iterations (at most ${o.maxIters}) ended by a device sync; each runner gets a ${fmtMs(o.budgetMs)} budget per case ` +
    `(at least ${o.minReps} reps, else skipped). Throughput: median [slowest rep – fastest rep]. Ratio: median [min – max] of the ` +
    `per-rep ratios, rep r of one runner paired with rep r of the other (run back to back), so it can differ a little from the ratio of the two throughput columns.`
  );
}

export function renderMarkdown(r: BenchResult, svgName?: string): string {
  const checks = r.cases.flatMap((c) => Object.values(c.runners)).filter((x): x is RunnerResultOk => x?.status === 'ok' && !!x.check);
  const worst = checks.reduce((m, x) => Math.max(m, x.check!.relErr), 0);
  const lines = [
    `# ${r.title} — ${r.device.slug}, ${r.date.slice(0, 10)}${r.tag ? ` [${r.tag}]` : ''}`,
    '',
    r.description,
    '',
    `- Adapter: ${adapterLine(r)}`,
    `- Commit: \`${r.commit}\`${r.dirty ? ' (with uncommitted changes in packages/ or benchmarks/)' : ''} · Node ${r.node} · ${r.platform} · CPU: ${r.cpu.model} × ${r.cpu.cores}`,
    `- Date: ${r.date}${r.loadavg ? ` · load average (1/5/15 min) ${r.loadavg.start.join(' / ')} at the start, ${r.loadavg.end.join(' / ')} at the end, on ${r.cpu.cores} cores` : ''}`,
    `- Runners: ${r.runners.map((x) => `\`${x.id}\` (${x.description})`).join('; ')}`,
    ...(r.missing.length ? [`- Not run: ${r.missing.join('; ')}`] : []),
    `- Method: ${methodLine(r)}`,
    ...(checks.length ? [`- Outputs cross-checked between runners: worst relative error ${worst.toExponential(2)}.`] : []),
    ...r.notes.map((n) => `- ${n}`),
    '',
    renderTable(r),
    '',
  ];
  const sk = skippedLines(r);
  if (sk.length) lines.push('Skipped, failed or mismatched:', '', ...sk, '');
  if (svgName) lines.push(`![ratios](${svgName})`, '');
  return lines.join('\n');
}

const COLORS = ['#2563eb', '#16a34a', '#9333ea', '#ea580c'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * A horizontal bar chart of the ratios, one row per case and one bar per ratio pair, on a log₂ axis
 * centred on 1 (bars grow right when saddle is faster, left when slower), with whiskers for the
 * min–max of the paired per-rep ratios.
 */
export function renderSvg(r: BenchResult): string {
  const pairs = presentRatios(r);
  const rows = r.cases;
  const labelW = 250;
  const plotW = 470;
  const rightPad = 70;
  const barH = 12;
  const rowGap = 10;
  const rowH = Math.max(1, pairs.length) * (barH + 2) + rowGap;
  const top = 58;
  const legendH = 22 * Math.max(1, pairs.length);
  const height = top + rows.length * rowH + 40 + legendH;
  const width = labelW + plotW + rightPad;
  let lo = 0.5;
  let hi = 2;
  for (const c of rows) {
    for (const q of c.ratios) {
      lo = Math.min(lo, q.paired.min, q.value);
      hi = Math.max(hi, q.paired.max, q.value);
    }
  }
  const lo2 = Math.floor(Math.log2(lo));
  const hi2 = Math.ceil(Math.log2(hi));
  const x = (v: number) => labelW + ((Math.log2(v) - lo2) / (hi2 - lo2)) * plotW;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="600">${esc(`${r.bench}: throughput ratios on ${r.device.slug} (${r.date.slice(0, 10)})`)}</text>`,
    `<text x="${width / 2}" y="38" text-anchor="middle" fill="#555">${esc('> 1: saddle faster · log scale · whiskers: min–max of paired reps')}</text>`,
  );
  const plotBottom = top + rows.length * rowH;
  for (let e = lo2; e <= hi2; e++) {
    const v = 2 ** e;
    const xx = x(v);
    out.push(
      `<line x1="${xx.toFixed(1)}" y1="${top - 6}" x2="${xx.toFixed(1)}" y2="${plotBottom}" stroke="${e === 0 ? '#111' : '#ddd'}" stroke-width="${e === 0 ? 1.5 : 1}"/>`,
      `<text x="${xx.toFixed(1)}" y="${plotBottom + 16}" text-anchor="middle" fill="#333">${v >= 1 ? `${v}×` : `1/${1 / v}×`}</text>`,
    );
  }
  rows.forEach((c, i) => {
    const y0 = top + i * rowH;
    out.push(`<text x="${labelW - 8}" y="${(y0 + (rowH - rowGap) / 2 + 4).toFixed(1)}" text-anchor="end">${esc(c.label)}</text>`);
    pairs.forEach(([s, b], j) => {
      const q = c.ratios.find((t) => t.subject === s && t.baseline === b);
      const y = y0 + j * (barH + 2);
      if (!q) {
        out.push(`<text x="${x(1) + 4}" y="${y + barH - 2}" fill="#999" font-size="10">n/a</text>`);
        return;
      }
      const x1 = x(1);
      const xv = x(q.value);
      out.push(
        `<rect x="${Math.min(x1, xv).toFixed(1)}" y="${y}" width="${Math.max(1, Math.abs(xv - x1)).toFixed(1)}" height="${barH}" fill="${COLORS[j % COLORS.length]}" opacity="0.85"><title>${esc(`${c.label}: ${ratioKey(q)} = ${q.value.toFixed(3)} (paired ${q.paired.min.toFixed(3)}–${q.paired.max.toFixed(3)})`)}</title></rect>`,
        `<line x1="${x(q.paired.min).toFixed(1)}" y1="${y + barH / 2}" x2="${x(q.paired.max).toFixed(1)}" y2="${y + barH / 2}" stroke="#111" stroke-width="1"/>`,
        `<text x="${(Math.max(x1, xv, x(q.paired.max)) + 4).toFixed(1)}" y="${y + barH - 2}" font-size="10" fill="#111">${q.value.toFixed(2)}×</text>`,
      );
    });
  });
  pairs.forEach(([s, b], j) => {
    const y = plotBottom + 32 + j * 22;
    out.push(
      `<rect x="${labelW}" y="${y}" width="14" height="12" fill="${COLORS[j % COLORS.length]}" opacity="0.85"/>`,
      `<text x="${labelW + 20}" y="${y + 10}">${esc(`${s} ÷ ${b} (throughput ratio)`)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

const RESULTS_END = '<!-- bench:results-end -->';

/**
 * Replaces (or adds) this bench × device's block in docs/performance.md: the table of the latest
 * run, with links to its files. Blocks are delimited by `<!-- bench:NAME:SLUG:start/end -->`;
 * a new block goes before `<!-- bench:results-end -->` (or at the end of the file).
 */
export function updateDocs(docsPath: string, r: BenchResult, files: WrittenFiles): void {
  const key = `${r.bench}:${r.device.slug}${r.tag ? `:${r.tag}` : ''}`;
  const start = `<!-- bench:${key}:start -->`;
  const end = `<!-- bench:${key}:end -->`;
  const rel = (p: string) => relative(dirname(docsPath), p).split('\\').join('/');
  const sk = skippedLines(r);
  const block = [
    start,
    `### ${r.bench}${r.tag ? ` [${r.tag}]` : ''} on ${r.device.slug} (${r.date.slice(0, 10)}, commit \`${r.commit.slice(0, 12)}\`${r.dirty ? ', uncommitted changes' : ''})`,
    '',
    `Adapter: ${adapterLine(r)}. CPU: ${r.cpu.model} × ${r.cpu.cores}${r.loadavg ? ` (load average ${r.loadavg.start[0]} at the start, ${r.loadavg.end[0]} at the end)` : ''}. Node ${r.node}.`,
    '',
    ...r.notes.map((n) => `- ${n}`),
    '',
    renderTable(r),
    '',
    ...(sk.length ? ['<details><summary>Skipped, failed or mismatched</summary>', '', ...sk, '', '</details>', ''] : []),
    `Files: [JSON](${rel(files.json)}) · [table](${rel(files.md)}) · [chart](${rel(files.svg)})`,
    '',
    `![${r.bench} ratios on ${r.device.slug}](${rel(files.svg)})`,
    end,
  ].join('\n');
  let text = existsSync(docsPath) ? readFileSync(docsPath, 'utf8') : `# Performance\n\n## Latest results\n\n${RESULTS_END}\n`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i >= 0 && j > i) {
    text = text.slice(0, i) + block + text.slice(j + end.length);
  } else {
    const k = text.indexOf(RESULTS_END);
    text = k >= 0 ? text.slice(0, k) + block + '\n\n' + text.slice(k) : text.trimEnd() + '\n\n' + block + '\n';
  }
  writeFileSync(docsPath, text);
}
