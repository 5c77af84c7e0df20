/**
 * The torch-cpu runner: how a case's inputs reach the Python process (base64 of little-endian
 * float32), and, where a Python that imports torch is installed (Debian: python3-torch), that a
 * matmul case run by PyTorch through the runner matches saddle's CPU twin on the same inputs and
 * that the harness times it. CI does not install torch: there the second test is skipped (the
 * runner itself is then listed as missing by `pnpm bench`, never failed).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cpu } from '@saddle/tensor';
import { f32Base64 } from '../../benchmarks/src/benches/common.js';
import { matmulCase } from '../../benchmarks/src/benches/matmul.js';
import { DEFAULT_OPTIONS, runCase } from '../../benchmarks/src/harness.js';
import { saddleRunner } from '../../benchmarks/src/runner-kinds.js';
import { findTorchPython, TorchProcess, torchRunner } from '../../benchmarks/src/torch-runner.js';

describe('the torch-cpu runner', () => {
  it('sends float32 arrays as base64 of their little-endian bytes, whatever their length and offset', () => {
    fc.assert(
      fc.property(fc.float32Array({ maxLength: 70_000 }), fc.nat(3), (a, cut) => {
        const view = a.subarray(Math.min(cut, a.length));
        const decoded = Buffer.from(f32Base64(view), 'base64');
        expect(decoded.equals(Buffer.from(view.buffer, view.byteOffset, view.byteLength))).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  const python = findTorchPython();
  it.runIf(python !== null)('runs a matmul case in PyTorch that agrees with the CPU twin, timed by the harness', async () => {
    const proc = new TorchProcess(python!, 1);
    try {
      const hello = await proc.hello();
      expect(hello.threads).toBe(1);
      expect(hello.ompWaitPolicy).toBe('PASSIVE');
      const c = matmulCase({ group: 'gan', m: 37, k: 129, n: 50, transB: true, bias: true, activation: 'relu' });
      const res = await runCase(c, [saddleRunner('saddle-cpu', cpu, 'cpu twin'), torchRunner('torch-cpu-1t', proc, hello)], {
        ...DEFAULT_OPTIONS,
        reps: 3,
        warmup: 1,
        minRepMs: 5,
        budgetMs: 5000,
      });
      const t = res.runners['torch-cpu-1t'];
      expect(t?.status).toBe('ok');
      if (t?.status !== 'ok') return;
      expect(t.check?.against).toBe('saddle-cpu');
      expect(t.check!.relErr).toBeLessThan(1e-5);
      expect(t.samplesMs).toHaveLength(3);
    } finally {
      proc.destroy();
    }
  });
});
