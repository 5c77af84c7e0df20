import { SaddleError, fmtShape, type Tensor } from '@saddle/tensor';

/**
 * The ladder has no CPU steps: the CPU twin of every step is matmulCpu (matmul/matmul.cpu.ts),
 * which the tests compare each step against. matmulLadder refuses a CPU tensor in its checks,
 * before any device code; this entry, which completes the device table, refuses with the same message.
 */
export function ladderOnCpu(step: string, a: Tensor, b: Tensor): void {
  throw new SaddleError(
    'matmulLadder',
    `no step '${step}' on cpu for a ${fmtShape(a.shape)}·${fmtShape(b.shape)} f32 product; expected a webgpu or wasm tensor (the ladder has no CPU steps)`,
  );
}
