/**
 * The two kinds of runner, without any host setup: saddle on a device, and tfjs on one of its
 * backends. Browser-safe (the demo's kernel reader times kernels with these and the harness);
 * ./runners.ts opens the devices and backends in Node.
 */
import { isWebGpu, type Device } from '@saddle/tensor';
import type * as TF from '@tensorflow/tfjs-core';
import type { BenchCase, Instance, Runner, RunnerId } from './harness.js';

function needSetup<T>(f: T | undefined, id: RunnerId): T {
  if (!f) throw new Error(`${id}: the case has no setup for this library`);
  return f;
}

/** saddle on `device`: setup hands the case the device; sync waits for a WebGPU queue (the CPU has none). */
export function saddleRunner(id: RunnerId, device: Device, description: string): Runner {
  return {
    id,
    library: 'saddle',
    where: device.kind === 'webgpu' ? 'gpu' : 'cpu',
    description,
    activate: async () => {},
    setup: (c: BenchCase): Instance => needSetup(c.saddle, id)({ device }),
    sync: async () => {
      if (isWebGpu(device)) await device.sync();
    },
  };
}

/** tfjs on backend `name` ('webgpu', 'wasm' or 'cpu'), which must be registered. */
export function tfjsRunner(tf: typeof TF, name: string): Runner {
  const id = `tfjs-${name}` as RunnerId;
  const activate = async () => {
    if (tf.getBackend() !== name) await tf.setBackend(name);
  };
  let sync: () => Promise<void> = async () => {};
  if (name === 'webgpu') {
    sync = async () => {
      // Submit what tfjs has recorded but not yet submitted (it submits every 15 dispatches
      // on its own), then wait for the queue, exactly as saddle's device.sync() does.
      const be = tf.findBackend('webgpu') as unknown as {
        commandEncoder: GPUCommandEncoder | null;
        endComputePassEncoder(): void;
        submitQueue(): void;
        queue: GPUQueue;
      };
      if (be.commandEncoder) {
        be.endComputePassEncoder();
        be.submitQueue();
      }
      await be.queue.onSubmittedWorkDone();
    };
  }
  return {
    id,
    library: 'tfjs',
    where: name === 'webgpu' ? 'gpu' : 'cpu',
    description:
      name === 'webgpu'
        ? `tfjs-core 4.22 + tfjs-backend-webgpu on the same GPUDevice`
        : name === 'wasm'
          ? 'tfjs-core 4.22 + tfjs-backend-wasm (XNNPACK, SIMD)'
          : 'tfjs-core 4.22 + tfjs-backend-cpu (plain JavaScript)',
    activate,
    setup: (c: BenchCase): Instance => needSetup(c.tfjs, id)({ tf, backend: name }),
    sync,
  };
}
