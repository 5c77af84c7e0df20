/**
 * Image grids as PNG, for the paper's figures: Figure 2 (samples, with the nearest training image
 * beside them behind a highlighted separator) and Figure 3 (rows of interpolations in z space).
 *
 * Images come in as flat Float32Arrays of grey levels in [0, 1] (one image after another, each
 * `height × width`, row-major), exactly what the generator outputs and MNIST loads as. Values are
 * clamped to [0, 1]; a non-finite value (NaN, ±Infinity: a diverged generator) is painted red so that
 * it cannot pass for black. A picture with no colour in it is written as 8-bit greyscale, otherwise
 * as 8-bit RGB.
 */
import pngjs from 'pngjs';

const { PNG } = pngjs;

/** An RGB colour, each channel 0..255. */
export type Rgb = readonly [number, number, number];

/** Colour of non-finite pixels. */
export const NON_FINITE_COLOR: Rgb = [255, 0, 0];
/** The highlight of Figure 2's separator column (the paper outlines its nearest neighbours in yellow). */
export const HIGHLIGHT_COLOR: Rgb = [255, 200, 0];

/** A small RGB raster that images and rectangles are drawn into, then encoded as PNG. */
export class Raster {
  readonly rgb: Uint8Array;
  private colored = false;

  constructor(
    readonly width: number,
    readonly height: number,
    background: number | Rgb = 1,
  ) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new RangeError(`Raster: size ${width} × ${height}; expected positive integers`);
    }
    this.rgb = new Uint8Array(width * height * 3);
    this.fillRect(0, 0, width, height, background);
  }

  /** Fills a rectangle (clipped to the raster) with a grey level in [0, 1] or an RGB colour. */
  fillRect(x: number, y: number, w: number, h: number, color: number | Rgb): void {
    const [r, g, b] = typeof color === 'number' ? grey(color) : color;
    if (!(r === g && g === b)) this.colored = true;
    for (let yy = Math.max(0, y); yy < Math.min(this.height, y + h); yy++) {
      for (let xx = Math.max(0, x); xx < Math.min(this.width, x + w); xx++) {
        const o = (yy * this.width + xx) * 3;
        this.rgb[o] = r;
        this.rgb[o + 1] = g;
        this.rgb[o + 2] = b;
      }
    }
  }

  /**
   * Draws a `height × width` grey image (values [0, 1]) from `pixels[offset ..]` with its top-left
   * corner at (x, y), each pixel a `scale × scale` block.
   */
  drawGrey(pixels: ArrayLike<number>, offset: number, x: number, y: number, width: number, height: number, scale = 1): void {
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) {
        const v = pixels[offset + r * width + c]!;
        this.fillRect(x + c * scale, y + r * scale, scale, scale, Number.isFinite(v) ? v : NON_FINITE_COLOR);
      }
    }
  }

  /** PNG bytes: greyscale when nothing coloured was drawn, RGB otherwise. */
  toPng(): Uint8Array {
    const png = new PNG({ width: this.width, height: this.height });
    let data: Buffer;
    let colorType: 0 | 2;
    if (this.colored) {
      data = Buffer.from(this.rgb.buffer, this.rgb.byteOffset, this.rgb.byteLength);
      colorType = 2;
    } else {
      data = Buffer.alloc(this.width * this.height);
      for (let i = 0; i < data.length; i++) data[i] = this.rgb[i * 3]!;
      colorType = 0;
    }
    png.data = data;
    const out = PNG.sync.write(png, { colorType, inputColorType: colorType, bitDepth: 8, inputHasAlpha: false });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }
}

/** A grey level in [0, 1] (clamped) as an RGB triple. */
function grey(v: number): Rgb {
  const g = Math.round(Math.min(1, Math.max(0, v)) * 255);
  return [g, g, g];
}

/** Options of an image tile: image size, padding, magnification, gap colour. */
export interface TileOptions {
  /** Image height in pixels (default 28). */
  height?: number;
  /** Image width in pixels (default 28). */
  width?: number;
  /** Gap between tiles and around the grid, in output pixels (default 2). */
  pad?: number;
  /** Integer magnification of every image pixel (default 1). */
  scale?: number;
  /** Colour of the gaps: a grey level or RGB (default 1, white). */
  background?: number | Rgb;
}

/** Options of a grid of samples: columns, and the tile options. */
export interface GridOptions extends TileOptions {
  /** Number of images (default: all of `images`). */
  n?: number;
  /** Grid rows (default: enough for n at `cols` per row). */
  rows?: number;
  /** Grid columns (default: ceil(sqrt(n)), or ceil(n / rows) when rows is given). */
  cols?: number;
}

interface Tiles {
  h: number;
  w: number;
  pad: number;
  scale: number;
  background: number | Rgb;
  /** Size of one tile on the raster. */
  th: number;
  tw: number;
}

function tiles(opts: TileOptions): Tiles {
  const h = opts.height ?? 28;
  const w = opts.width ?? 28;
  const pad = opts.pad ?? 2;
  const scale = opts.scale ?? 1;
  for (const [name, v, min] of [
    ['height', h, 1],
    ['width', w, 1],
    ['pad', pad, 0],
    ['scale', scale, 1],
  ] as const) {
    if (!Number.isInteger(v) || v < min) throw new RangeError(`image grid: ${name} is ${v}; expected an integer >= ${min}`);
  }
  return { h, w, pad, scale, background: opts.background ?? 1, th: h * scale, tw: w * scale };
}

function imageCount(images: Float32Array, t: Tiles, what: string): number {
  const per = t.h * t.w;
  if (images.length % per !== 0) {
    throw new RangeError(`${what}: ${images.length} values is not a whole number of ${t.h} × ${t.w} images`);
  }
  return images.length / per;
}

/** Draws images[first ..] into a rows × cols block whose top-left tile starts at (x0, y0); empty cells stay background. */
function drawBlock(raster: Raster, images: Float32Array, first: number, count: number, rows: number, cols: number, x0: number, y0: number, t: Tiles) {
  for (let k = 0; k < count; k++) {
    const r = Math.floor(k / cols);
    const c = k % cols;
    if (r >= rows) break;
    raster.drawGrey(images, (first + k) * t.h * t.w, x0 + c * (t.tw + t.pad), y0 + r * (t.th + t.pad), t.w, t.h, t.scale);
  }
}

/**
 * Lays `n` images out row by row in a `rows × cols` grid with `pad` pixels between and around the
 * tiles, and returns the PNG bytes. Cells past the last image stay background.
 */
export function imageGrid(images: Float32Array, options: GridOptions = {}): Uint8Array {
  const t = tiles(options);
  const available = imageCount(images, t, 'imageGrid');
  const n = options.n ?? available;
  if (!Number.isInteger(n) || n < 1 || n > available) throw new RangeError(`imageGrid: n is ${n}; there are ${available} images`);
  let { rows, cols } = options;
  if (cols === undefined) cols = rows === undefined ? Math.ceil(Math.sqrt(n)) : Math.ceil(n / rows);
  if (rows === undefined) rows = Math.ceil(n / cols);
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new RangeError(`imageGrid: rows ${rows}, cols ${cols}; expected positive integers`);
  }
  if (rows * cols < n) throw new RangeError(`imageGrid: a ${rows} × ${cols} grid cannot hold ${n} images`);
  const raster = new Raster(cols * (t.tw + t.pad) + t.pad, rows * (t.th + t.pad) + t.pad, t.background);
  drawBlock(raster, images, 0, n, rows, cols, t.pad, t.pad, t);
  return raster.toPng();
}

/**
 * One row per entry of `rows` (each a run of images side by side), e.g. Figure 3's interpolations
 * between z vectors. All rows must hold the same number of images.
 */
export function rowsGrid(rows: readonly Float32Array[], options: TileOptions = {}): Uint8Array {
  if (rows.length === 0) throw new RangeError('rowsGrid: no rows');
  const t = tiles(options);
  const cols = imageCount(rows[0]!, t, 'rowsGrid row 0');
  rows.forEach((row, i) => {
    const c = imageCount(row, t, `rowsGrid row ${i}`);
    if (c !== cols) throw new RangeError(`rowsGrid: row ${i} has ${c} images, row 0 has ${cols}`);
  });
  const all = new Float32Array(rows.length * cols * t.h * t.w);
  rows.forEach((row, i) => all.set(row, i * row.length));
  return imageGrid(all, { ...options, rows: rows.length, cols });
}

/** Options of a side-by-side figure (samples beside their nearest training images): rows, columns, separator. */
export interface SideBySideOptions extends TileOptions {
  /** Rows of both blocks. */
  rows: number;
  /** Columns of the left block (default: left images / rows). */
  leftCols?: number;
  /** Columns of the right block (default: right images / rows). */
  rightCols?: number;
  /** Width of the separator column in output pixels (default 2 × pad, at least 2). */
  separatorWidth?: number;
  /** Colour of the separator column (default HIGHLIGHT_COLOR). */
  separatorColor?: number | Rgb;
}

/**
 * Two grids with a highlighted separator column between them: Figure 2's samples (left) beside the
 * nearest training image of each (right). Both blocks have `rows` rows and are filled row by row.
 */
export function sideBySide(left: Float32Array, right: Float32Array, options: SideBySideOptions): Uint8Array {
  const t = tiles(options);
  const { rows } = options;
  if (!Number.isInteger(rows) || rows < 1) throw new RangeError(`sideBySide: rows is ${rows}; expected a positive integer`);
  const nl = imageCount(left, t, 'sideBySide left');
  const nr = imageCount(right, t, 'sideBySide right');
  const lc = options.leftCols ?? Math.ceil(nl / rows);
  const rc = options.rightCols ?? Math.ceil(nr / rows);
  if (lc < 1 || rc < 1 || lc * rows < nl || rc * rows < nr) {
    throw new RangeError(`sideBySide: ${nl} left and ${nr} right images do not fit ${rows} rows of ${lc} and ${rc} columns`);
  }
  const sep = options.separatorWidth ?? Math.max(2, 2 * t.pad);
  const leftW = lc * (t.tw + t.pad) + t.pad;
  const rightX = leftW + sep;
  const raster = new Raster(rightX + rc * (t.tw + t.pad) + t.pad, rows * (t.th + t.pad) + t.pad, t.background);
  drawBlock(raster, left, 0, nl, rows, lc, t.pad, t.pad, t);
  raster.fillRect(leftW, 0, sep, raster.height, options.separatorColor ?? HIGHLIGHT_COLOR);
  drawBlock(raster, right, 0, nr, rows, rc, rightX + t.pad, t.pad, t);
  return raster.toPng();
}
