import { Params, type Tensor, type WebGpuDevice } from '@saddle/tensor';
import { grid1d } from '../shared/launch.js';
import { MATMUL_ACTIVATION_CODE } from './matmul.wgsl.js';
import type { Activation } from '../shared/activation.js';
import { SPLIT_K_WORKGROUP, splitKReduceWgsl } from './split-k.wgsl.js';

/** Records the reduction out = act(Σ_s partial[s] + bias) of `splits` [M, N] parts. */
export function recordSplitKReduce(
  device: WebGpuDevice,
  partial: Tensor,
  bias: Tensor | null,
  out: Tensor,
  m: number,
  n: number,
  splits: number,
  activation: Activation,
): void {
  device.dispatch({
    label: 'matmul split-K reduce',
    code: reduceSource,
    params: new Params()
      .u32(m, n, splits, bias ? 1 : 0)
      .u32(MATMUL_ACTIVATION_CODE[activation], 0, 0, 0)
      .finish(),
    buffers: [partial.storage, bias ? bias.storage : partial.storage, out.storage],
    workgroups: grid1d(m * Math.ceil(n / 4), SPLIT_K_WORKGROUP),
  });
}

const reduceSource = splitKReduceWgsl();
