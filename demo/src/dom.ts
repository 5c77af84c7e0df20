/** Small DOM helpers shared by the panels. */

/** The element with this id (throws if the page lacks it: a typo, not a user error). */
export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`demo: no element #${id}`);
  return el as T;
}

/** Fills a <select> with options and returns it. */
export function options(select: HTMLSelectElement, values: readonly string[], selected?: string): HTMLSelectElement {
  select.replaceChildren(...values.map((v) => new Option(v, v, false, v === selected)));
  return select;
}

/** Writes a table: a header row, then rows of cells (strings, or [text, className]). */
export function table(el: HTMLTableElement, head: readonly string[], rows: readonly (readonly (string | [string, string])[])[]): void {
  const tr = (cells: readonly (string | [string, string])[], tag: 'td' | 'th') => {
    const row = document.createElement('tr');
    for (const c of cells) {
      const cell = document.createElement(tag);
      const [text, cls] = typeof c === 'string' ? [c, ''] : c;
      cell.textContent = text;
      if (cls) cell.className = cls;
      row.append(cell);
    }
    return row;
  };
  el.replaceChildren(tr(head, 'th'), ...rows.map((r) => tr(r, 'td')));
}

/** An RGB colour for one value. */
export type Colour = (v: number) => [number, number, number];

/** Grey for values in [0, 1]; non-finite values are red, as in the PNG figures. */
export const grey: Colour = (v) => {
  if (!Number.isFinite(v)) return [255, 0, 0];
  const g = Math.round(255 * Math.min(1, Math.max(0, v)));
  return [g, g, g];
};

/**
 * A diverging map for signed values, full colour at |v| = `scale`: white at 0, red for positive,
 * blue for negative (non-finite values are black).
 */
export function diverging(scale: number): Colour {
  return (v) => {
    if (!Number.isFinite(v)) return [0, 0, 0];
    const t = Math.min(1, Math.abs(v) / (scale > 0 ? scale : 1));
    const fade = Math.round(255 * (1 - t));
    return v >= 0 ? [255, fade, fade] : [fade, fade, 255];
  };
}

/**
 * Draws images (`size` x `size` values each, one after another) into a canvas as a rows x cols
 * grid, each value through `colour` (grey by default: values in [0, 1]).
 */
export function drawGrid(canvas: HTMLCanvasElement, pixels: Float32Array, rows: number, cols: number, size = 28, colour: Colour = grey): void {
  canvas.width = cols * size;
  canvas.height = rows * size;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(canvas.width, canvas.height);
  const per = size * size;
  for (let i = 0; i < rows * cols; i++) {
    const ox = (i % cols) * size;
    const oy = Math.floor(i / cols) * size;
    for (let p = 0; p < per; p++) {
      const o = ((oy + Math.floor(p / size)) * canvas.width + ox + (p % size)) * 4;
      const [r, g, b] = colour(pixels[i * per + p]!);
      img.data[o] = r;
      img.data[o + 1] = g;
      img.data[o + 2] = b;
      img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
}

/** A value the user typed that the page refuses: shown beside the control, not logged as a page error. */
export class InputError extends Error {}

/** Calls `fn` and shows its error in `status` instead of losing it (and logs it, unless it is an InputError). */
export async function guarded(status: HTMLElement, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    status.textContent = `error: ${e instanceof Error ? e.message : String(e)}`;
    status.className = 'bad';
    if (!(e instanceof InputError)) console.error(e);
  }
}
