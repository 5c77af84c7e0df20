/**
 * The safetensors format (https://github.com/huggingface/safetensors), for checkpoints that other
 * tools (Python's `safetensors`, PyTorch, NumPy) can read:
 *
 *   [8 bytes]  N, the header length, unsigned 64-bit little-endian
 *   [N bytes]  a UTF-8 JSON object: { "<name>": { "dtype": "F32", "shape": [2, 3],
 *              "data_offsets": [begin, end] }, ..., "__metadata__": { "<key>": "<string>" } },
 *              padded with spaces so that the data starts on an 8-byte boundary
 *   [rest]     the tensors' raw little-endian bytes; data_offsets are relative to the start of this
 *              part, and together the tensors cover it exactly (no gaps, no overlaps)
 *
 * In memory a tensor is `{ dtype, shape, data }` with saddle's dtype names (`f32`, `f64`, `i32`,
 * `u32`; the file says `F32`, `F64`, `I32`, `U32`). Decoding checks everything the reference reader
 * checks and says which file, which tensor and what was wrong.
 *
 * Reading and writing files (saveSafetensors, loadSafetensors) is Node's: ./safetensors-files.ts.
 */
import { SaddleError, type DType, type TypedArray } from '@saddle/tensor';

/** One tensor of a safetensors file: dtype, shape and the values. */
export interface SafeTensor {
  dtype: DType;
  shape: readonly number[];
  data: TypedArray;
}

/** Named tensors, as a safetensors file holds them. */
export type SafeTensors = Record<string, SafeTensor>;

/** What a safetensors file holds: its tensors and its string metadata. */
export interface SafetensorsContents {
  tensors: SafeTensors;
  metadata: Record<string, string>;
}

const OP = 'safetensors';
const FILE_DTYPE: Record<DType, string> = { f32: 'F32', f64: 'F64', i32: 'I32', u32: 'U32' };
const FROM_FILE_DTYPE: Record<string, DType> = { F32: 'f32', F64: 'f64', I32: 'i32', U32: 'u32' };
const ITEM_SIZE: Record<DType, number> = { f32: 4, f64: 8, i32: 4, u32: 4 };
/** The reference reader's limit; a larger "header" is a corrupt length, not a header. */
const MAX_HEADER_BYTES = 100_000_000;
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function arrayDType(data: unknown): DType | undefined {
  if (data instanceof Float32Array) return 'f32';
  if (data instanceof Float64Array) return 'f64';
  if (data instanceof Int32Array) return 'i32';
  if (data instanceof Uint32Array) return 'u32';
  return undefined;
}

function isShape(shape: unknown): shape is number[] {
  return Array.isArray(shape) && shape.every((s) => Number.isSafeInteger(s) && s >= 0);
}

function product(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Serialises tensors (and string metadata) to the bytes of a .safetensors file. */
export function encodeSafetensors(tensors: SafeTensors, metadata?: Record<string, string>): Uint8Array {
  const names = Object.keys(tensors);
  for (const name of names) {
    const t = tensors[name]!;
    if (name === '__metadata__') throw new SaddleError(OP, `"__metadata__" is reserved and cannot name a tensor`);
    if (name.length === 0) throw new SaddleError(OP, 'a tensor name is empty');
    if (!(t.dtype in FILE_DTYPE)) {
      throw new SaddleError(OP, `tensor "${name}" has dtype ${String(t.dtype)}; expected f32, f64, i32 or u32`);
    }
    const actual = arrayDType(t.data);
    if (actual !== t.dtype) {
      throw new SaddleError(
        OP,
        `tensor "${name}" says dtype ${t.dtype} but its data is ${actual ? `a ${actual} array` : 'not a Float32/Float64/Int32/Uint32Array'}`,
      );
    }
    if (!isShape(t.shape)) {
      throw new SaddleError(OP, `tensor "${name}" has shape ${JSON.stringify(t.shape)}; expected an array of non-negative integers`);
    }
    if (product(t.shape) !== t.data.length) {
      throw new SaddleError(OP, `tensor "${name}" has shape [${t.shape.join(', ')}] (${product(t.shape)} elements) but ${t.data.length} values`);
    }
  }
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new SaddleError(OP, `metadata "${k}" is a ${typeof v}; safetensors metadata values must be strings`);
    }
  }

  // Widest elements first, then by name (the reference writer's order): with the data starting on an
  // 8-byte boundary, every tensor then starts on a multiple of its element size.
  names.sort((a, b) => ITEM_SIZE[tensors[b]!.dtype] - ITEM_SIZE[tensors[a]!.dtype] || (a < b ? -1 : a > b ? 1 : 0));

  const header: Record<string, unknown> = {};
  if (metadata !== undefined && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors[name]!;
    const bytes = t.data.length * ITEM_SIZE[t.dtype];
    header[name] = { dtype: FILE_DTYPE[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);

  let pos = 8 + padded;
  for (const name of names) {
    const { data } = tensors[name]!;
    writeLittleEndian(out, pos, data);
    pos += data.byteLength;
  }
  return out;
}

function writeLittleEndian(out: Uint8Array, pos: number, data: TypedArray): void {
  if (LITTLE_ENDIAN_HOST) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), pos);
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset + pos, data.byteLength);
  for (let i = 0; i < data.length; i++) {
    if (data instanceof Float32Array) view.setFloat32(i * 4, data[i]!, true);
    else if (data instanceof Float64Array) view.setFloat64(i * 8, data[i]!, true);
    else if (data instanceof Int32Array) view.setInt32(i * 4, data[i]!, true);
    else view.setUint32(i * 4, data[i]!, true);
  }
}

function readLittleEndian(dtype: DType, bytes: Uint8Array, begin: number, end: number): TypedArray {
  // Copy into a fresh buffer: aligned whatever the file's offsets, and it does not keep the whole file alive.
  const copy = bytes.slice(begin, end).buffer;
  const n = (end - begin) / ITEM_SIZE[dtype];
  if (LITTLE_ENDIAN_HOST) {
    switch (dtype) {
      case 'f32':
        return new Float32Array(copy);
      case 'f64':
        return new Float64Array(copy);
      case 'i32':
        return new Int32Array(copy);
      case 'u32':
        return new Uint32Array(copy);
    }
  }
  const view = new DataView(copy);
  switch (dtype) {
    case 'f32':
      return Float32Array.from({ length: n }, (_, i) => view.getFloat32(i * 4, true));
    case 'f64':
      return Float64Array.from({ length: n }, (_, i) => view.getFloat64(i * 8, true));
    case 'i32':
      return Int32Array.from({ length: n }, (_, i) => view.getInt32(i * 4, true));
    case 'u32':
      return Uint32Array.from({ length: n }, (_, i) => view.getUint32(i * 4, true));
  }
}

/**
 * Parses the bytes of a .safetensors file. `source` (a path, say) goes into error messages. Throws a
 * SaddleError for a bad or truncated header, an unsupported dtype, a shape that disagrees with the
 * byte range, offsets out of range, overlapping or leaving gaps.
 */
export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors data'): SafetensorsContents {
  const fail = (msg: string): never => {
    throw new SaddleError(OP, `${source}: ${msg}`);
  };
  if (bytes.length < 8) fail(`${bytes.length} bytes is too short; expected at least the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen64 = view.getBigUint64(0, true);
  if (headerLen64 > BigInt(bytes.length - 8)) {
    fail(`header length ${headerLen64} runs past the end of the file (${bytes.length} bytes); truncated or not a safetensors file`);
  }
  const headerLen = Number(headerLen64);
  if (headerLen > MAX_HEADER_BYTES) fail(`header length ${headerLen} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  if (headerLen < 2) fail(`header length ${headerLen} is too short for a JSON object`);

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen));
  } catch {
    return fail('header is not valid UTF-8');
  }
  if (!text.startsWith('{')) fail(`header should be a JSON object starting with "{"; found ${JSON.stringify(text.slice(0, 20))}`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    return fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('header is not a JSON object');

  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: DType; shape: number[]; begin: number; end: number }[] = [];

  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('"__metadata__" is not an object of strings');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`"__metadata__"."${k}" is ${JSON.stringify(v)}; expected a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      fail(`entry "${name}" is not an object with dtype, shape and data_offsets`);
    }
    const { dtype: fileDtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    if (typeof fileDtype !== 'string') fail(`tensor "${name}" has no dtype string`);
    const dtype = FROM_FILE_DTYPE[fileDtype as string];
    if (dtype === undefined) fail(`tensor "${name}" has dtype ${JSON.stringify(fileDtype)}; saddle reads F32, F64, I32 and U32`);
    if (!isShape(shape)) fail(`tensor "${name}" has shape ${JSON.stringify(shape)}; expected an array of non-negative integers`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      fail(`tensor "${name}" has data_offsets ${JSON.stringify(offsets)}; expected [begin, end], non-negative integers`);
    }
    const [begin, end] = offsets as [number, number];
    if (end < begin) fail(`tensor "${name}" has data_offsets [${begin}, ${end}]: end before begin`);
    if (end > dataLen) {
      fail(`tensor "${name}" has data_offsets [${begin}, ${end}] but the data section is only ${dataLen} bytes (truncated file?)`);
    }
    const expected = product(shape as number[]) * ITEM_SIZE[dtype!];
    if (end - begin !== expected) {
      fail(
        `tensor "${name}" (${fileDtype}, shape [${(shape as number[]).join(', ')}]) needs ${expected} bytes ` +
          `but data_offsets [${begin}, ${end}] hold ${end - begin}`,
      );
    }
    entries.push({ name, dtype: dtype!, shape: shape as number[], begin, end });
  }

  // The tensors must tile the data section: sorted by offset, each starts where the previous ended.
  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous: string | undefined;
  for (const e of byOffset) {
    if (e.begin < cursor) fail(`tensors "${previous}" and "${e.name}" overlap (at byte ${e.begin} of the data section)`);
    if (e.begin > cursor) fail(`bytes ${cursor}..${e.begin} of the data section belong to no tensor (before "${e.name}")`);
    cursor = e.end;
    previous = e.name;
  }
  if (cursor !== dataLen) fail(`the tensors cover ${cursor} bytes but the data section has ${dataLen}`);

  const tensors: SafeTensors = {};
  for (const e of entries) {
    tensors[e.name] = { dtype: e.dtype, shape: e.shape, data: readLittleEndian(e.dtype, bytes, dataStart + e.begin, dataStart + e.end) };
  }
  return { tensors, metadata };
}

/** What loading weights from a file refuses unless asked (`loadModule`, the GAN's `loadCheckpoint`). */
export interface LoadOptions {
  /**
   * Convert a tensor whose dtype differs from what it is loaded into (an f64 file into f32
   * parameters rounds every value). Default false: refused, naming the tensor and both dtypes.
   */
  convertDtypes?: boolean;
  /** Load NaN and infinities. Default false: refused, naming the tensor and the first bad index. */
  allowNonFinite?: boolean;
}

/**
 * Checks tensors read from `source` before they are loaded: each tensor's dtype must be
 * `want(name)` (unless `convertDtypes`; names `want` returns undefined for are not checked) and its
 * values finite (unless `allowNonFinite`). A SaddleError from `op` names the file and the tensor.
 */
export function checkLoadedTensors(
  op: string,
  tensors: SafeTensors,
  source: string,
  want: (name: string) => DType | undefined,
  options: LoadOptions = {},
): void {
  for (const [name, t] of Object.entries(tensors)) {
    const expected = want(name);
    if (!options.convertDtypes && expected !== undefined && t.dtype !== expected) {
      throw new SaddleError(
        op,
        `${source}: tensor "${name}" is ${t.dtype} in the file; expected ${expected}` +
          `${t.dtype === 'f64' && expected === 'f32' ? ' (converting rounds every value to f32)' : ''}; pass { convertDtypes: true } to convert it`,
      );
    }
    if (!options.allowNonFinite && (t.dtype === 'f32' || t.dtype === 'f64')) {
      let bad = 0;
      let first = -1;
      for (let i = 0; i < t.data.length; i++) {
        if (!Number.isFinite(t.data[i]!)) {
          if (bad++ === 0) first = i;
        }
      }
      if (bad) {
        throw new SaddleError(
          op,
          `${source}: tensor "${name}" (${t.dtype}, shape [${t.shape.join(', ')}]) holds ${bad} non-finite value(s) (NaN or infinity), the first at index ${first} (${t.data[first]}); ` +
            `expected finite weights (pass { allowNonFinite: true } to load them anyway)`,
        );
      }
    }
  }
}
