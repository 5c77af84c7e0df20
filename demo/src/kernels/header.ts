/**
 * A kernel's teaching header, found by its marker: the block comment of a kernel file that holds
 * the line `@kernel-header` (every ops src/<op>/<name>.wgsl.ts has exactly one; the
 * layout test test/layout/kernel-headers.test.ts checks it). Found by the marker rather than by
 * its length, so a long note on a constant above the header (reduce's REDUCE_LANE_WORK) is never
 * taken for it. Returned without the comment's frame and without the marker line.
 */
export const KERNEL_HEADER_MARKER = '@kernel-header';

export function teachingHeader(text: string): string | null {
  const block = (text.match(/\/\*\*[\s\S]*?\*\//g) ?? []).find((b) => b.includes(KERNEL_HEADER_MARKER));
  if (!block) return null;
  return block
    .split('\n')
    .filter((l) => !l.includes(KERNEL_HEADER_MARKER))
    .map((l) => l.replace(/^\s*\/?\*\*?\/?\s?/, ''))
    .join('\n')
    .trim();
}
