// Type-checks a little of every package's declarations in a fresh project (../install.test.ts):
// `tsc --strict` with default settings loads each package's .d.ts, so an error in any of them fails.
import type { Tensor, Device, WebGpuDevice } from '@saddle/tensor';
import { loadKernelsModule } from '@saddle/kernels-wasm';
import { matmul } from '@saddle/ops';
import { param, grad } from '@saddle/autograd';
import { Linear, SafeTensors } from '@saddle/nn';
import type { GanConfig } from '@saddle/gan';
import { mlp, useDevice } from '@saddle/all';

export type Used = [
  Tensor,
  Device,
  WebGpuDevice,
  GanConfig,
  typeof loadKernelsModule,
  typeof matmul,
  typeof param,
  typeof grad,
  Linear,
  SafeTensors,
  typeof mlp,
  typeof useDevice,
];
