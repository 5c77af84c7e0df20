/**
 * Every WGSL kernel file, and every AssemblyScript file of kernels-wasm, carries exactly one
 * teaching header, marked `@kernel-header`, which is what the page's kernel reader shows
 * (demo/src/kernels/header.ts). The marker, not the comment's
 * length, says which comment it is: a length rule took reduce.wgsl.ts's five-line note on
 * REDUCE_LANE_WORK, and random.wgsl.ts's note on the shared Philox helper, for their headers.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KERNEL_HEADER_MARKER, teachingHeader } from '../../demo/src/kernels/header.js';

const src = fileURLToPath(new URL('../../packages/ops/src/', import.meta.url));
const assembly = fileURLToPath(new URL('../../packages/kernels-wasm/assembly/', import.meta.url));
/** `dir/file` of every file under `root`'s folders whose name ends with `suffix`. */
const filesUnder = (root: string, suffix: string) =>
  readdirSync(root)
    .filter((d) => statSync(`${root}${d}`).isDirectory())
    .flatMap((d) =>
      readdirSync(`${root}${d}`)
        .filter((f) => f.endsWith(suffix))
        .map((f) => `${root}${d}/${f}`),
    );
const files = filesUnder(src, '.wgsl.ts');
const wasmFiles = filesUnder(assembly, '.ts');

/** Files without exactly one marked comment of at least `lines` lines. */
const unmarked = (paths: string[], lines: number) =>
  paths.filter((f) => {
    const text = readFileSync(f, 'utf8');
    const marked = (text.match(/\/\*\*[\s\S]*?\*\//g) ?? []).filter((b) => b.includes(KERNEL_HEADER_MARKER));
    return marked.length !== 1 || (teachingHeader(text) ?? '').split('\n').length < lines;
  });

describe('kernel teaching headers', () => {
  it('every .wgsl.ts has exactly one comment marked @kernel-header, of some length', () => {
    expect(files.length).toBeGreaterThan(15);
    expect(unmarked(files, 5)).toEqual([]);
  });

  it('so has every AssemblyScript file of kernels-wasm (the reader lists the wasm kernels too)', () => {
    expect(wasmFiles.length).toBeGreaterThan(20);
    // (philox.ts, a helper of the random kernels, is a four-line note)
    expect(unmarked(wasmFiles, 4)).toEqual([]);
  });

  it("peak.ts: the header is the probe's comment, after its import", () => {
    expect(teachingHeader(readFileSync(`${assembly}probe/peak.ts`, 'utf8'))!.startsWith("The machine's f32x4 mul + add rate")).toBe(true);
  });

  it("reduce: the header is the kernel's, not the note on REDUCE_LANE_WORK above it", () => {
    const h = teachingHeader(readFileSync(`${src}reduce/reduce.wgsl.ts`, 'utf8'))!;
    expect(h.startsWith('Reductions (sum, max, argmax')).toBe(true);
    expect(h).not.toContain(KERNEL_HEADER_MARKER);
    expect(h).not.toMatch(/^\s*\*/m); // the comment's frame is gone
  });

  it("random: the header is the draw kernels', not the note on the shared Philox helper", () => {
    expect(teachingHeader(readFileSync(`${src}random/random.wgsl.ts`, 'utf8'))!.startsWith('The draw kernels')).toBe(true);
  });

  it('a file without a marked comment has no header', () => {
    expect(teachingHeader('/**\n * a\n * b\n * c\n * d\n */\nconst x = 1;')).toBeNull();
  });
});
