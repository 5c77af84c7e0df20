/**
 * Every WGSL kernel file carries exactly one teaching header, marked `@kernel-header`, which is
 * what the page's kernel reader shows (demo/src/kernels/header.ts). The marker, not the comment's
 * length, says which comment it is: a length rule took reduce.wgsl.ts's five-line note on
 * REDUCE_LANE_WORK, and random.wgsl.ts's note on the shared Philox helper, for their headers.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KERNEL_HEADER_MARKER, teachingHeader } from '../../demo/src/kernels/header.js';

const src = fileURLToPath(new URL('../../packages/kernels-wgsl/src/', import.meta.url));
const files = readdirSync(src)
  .filter((d) => statSync(`${src}${d}`).isDirectory())
  .flatMap((d) => readdirSync(`${src}${d}`).filter((f) => f.endsWith('.wgsl.ts')).map((f) => `${d}/${f}`));

describe('kernel teaching headers', () => {
  it('every .wgsl.ts has exactly one comment marked @kernel-header, of some length', () => {
    expect(files.length).toBeGreaterThan(15);
    const bad = files.filter((f) => {
      const text = readFileSync(`${src}${f}`, 'utf8');
      const marked = (text.match(/\/\*\*[\s\S]*?\*\//g) ?? []).filter((b) => b.includes(KERNEL_HEADER_MARKER));
      return marked.length !== 1 || (teachingHeader(text) ?? '').split('\n').length < 5;
    });
    expect(bad).toEqual([]);
  });

  it('reduce: the header is the kernel\'s, not the note on REDUCE_LANE_WORK above it', () => {
    const h = teachingHeader(readFileSync(`${src}reduce/reduce.wgsl.ts`, 'utf8'))!;
    expect(h.startsWith('Reductions (sum, max, argmax')).toBe(true);
    expect(h).not.toContain(KERNEL_HEADER_MARKER);
    expect(h).not.toMatch(/^\s*\*/m); // the comment's frame is gone
  });

  it('random: the header is the draw kernels\', not the note on the shared Philox helper', () => {
    expect(teachingHeader(readFileSync(`${src}random/random.wgsl.ts`, 'utf8'))!.startsWith('The draw kernels')).toBe(true);
  });

  it('a file without a marked comment has no header', () => {
    expect(teachingHeader('/**\n * a\n * b\n * c\n * d\n */\nconst x = 1;')).toBeNull();
  });
});
