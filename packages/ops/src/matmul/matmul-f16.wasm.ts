import { SaddleError, type Tensor } from '@saddle/tensor';
import type { F16Matrix } from './matmul-f16.cpu.js';

/**
 * The op's wasm entry: f16 storage is a WebGPU feature (shader-f16), so on wasm matmulF16 throws
 * (after freeing `out`), never runs the twin; the message is asGpu's for an op without a kernel.
 */
export function matmulF16OnWasm(a: F16Matrix, _b: F16Matrix, out: Tensor): void {
  const device = a.packed.device;
  out.dispose();
  throw new SaddleError('matmulF16', `matmulF16 has no ${device.kind} kernel yet (device ${device.name}); expected a webgpu or cpu tensor`);
}
