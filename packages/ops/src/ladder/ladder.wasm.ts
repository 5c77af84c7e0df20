import { Tensor, type WasmDevice } from '@saddle/tensor';
import { asWasm } from '../shared/launch.js';
import { runMatmulWasm } from '../matmul/matmul.wasm.js';

/** The op's wasm entry: the wasm step `step` (a name from WASM_LADDER) on dense a, b into out. */
export function ladderOnWasm(step: string, a: Tensor, b: Tensor, out: Tensor, m: number, n: number, k: number): void {
  runWasmStep(asWasm(out.device), step, a, b, out, m, n, k);
}

/** The wasm steps' export names (packed: ladderPacked, which also takes its packing buffer; the last three are the production kernel). */
const WASM_KERNELS: Record<string, 'ladderScalar' | 'ladderF32x4' | 'ladderTile4x8'> = {
  scalar: 'ladderScalar',
  f32x4: 'ladderF32x4',
  tile4x8: 'ladderTile4x8',
};

/** Runs one wasm step: kernels-wasm's assembly/ladder/ladder.ts, or the production matmul kernel for kblocks, threads and fma. */
function runWasmStep(device: WasmDevice, step: string, a: Tensor, b: Tensor, out: Tensor, m: number, n: number, k: number): void {
  if (step === 'kblocks' || step === 'threads' || step === 'fma') {
    runMatmulWasm(device, { a, b, bias: null, out, m, n, k, transA: false, transB: false, activation: 'none' }, step === 'kblocks');
    return;
  }
  const args = [device.address(a.storage), device.address(b.storage), device.address(out.storage), m, n, k] as const;
  if (step !== 'packed') {
    device.run(WASM_KERNELS[step]!, args, -1); // -1: the calling thread alone
    return;
  }
  const floats = (Math.ceil(m / 4) * 4 + Math.ceil(n / 8) * 8) * k + 32;
  const pack = Tensor.empty([floats], 'f32', device);
  try {
    device.run('ladderPacked', [...args, device.address(pack.storage)], -1);
  } finally {
    pack.dispose();
  }
}
