/**
 * The tape must not leak: 10,000 steps of forward + backward + SGD update on a small MLP, each in a
 * `tidy`, keep the number of live tensors and the device's live, pooled and allocated bytes flat.
 */
import { describe, it, expect } from 'vitest';
import { fromArray, matmul, memory, param, sgdMomentumUpdateMany, sigmoidBce, tidy, zeroGrad, zerosLike, type Device, type Tensor } from '@saddle/autograd';
import { NAMED_DEVICES } from '../support/devices.js';
import { expectFlatMemory } from '../support/memory.js';
import { rng } from '../grad/support.js';

const STEPS = 10_000;

function uniform(shape: number[], seed: number, scale: number, device: Device): Tensor {
  const next = rng(seed);
  const n = shape.reduce((p, d) => p * d, 1);
  return fromArray(
    Array.from({ length: n }, () => (2 * next() - 1) * scale),
    shape,
    { device },
  );
}

/** Trains a 4-8-1 MLP on XOR-like data for STEPS steps; returns memory snapshots and the losses. */
async function train(device: Device) {
  const x = uniform([16, 4], 1, 1, device);
  const t = fromArray(
    Array.from({ length: 16 }, (_, i) => (i % 3 === 0 ? 1 : 0)),
    [16, 1],
    { device },
  );
  const params = [
    param(uniform([4, 8], 2, 0.5, device)),
    param(uniform([8], 3, 0.1, device)),
    param(uniform([8, 1], 4, 0.5, device)),
    param(uniform([1], 5, 0.1, device)),
  ];
  const [w1, b1, w2, b2] = params as [Tensor, Tensor, Tensor, Tensor];
  const velocities = params.map((p) => zerosLike(p));

  const snapshots: { step: number; liveTensors: number; liveBytes: number; pooledBytes: number; allocatedBytes: number }[] = [];
  const losses: number[] = [];
  for (let step = 1; step <= STEPS; step++) {
    const loss = tidy(() => {
      const h = matmul(x, w1, { bias: b1, activation: 'relu' });
      const l = sigmoidBce(matmul(h, w2, { bias: b2 }), t);
      l.backward();
      sgdMomentumUpdateMany(
        params,
        params.map((p) => p.grad!),
        velocities,
        { lr: 0.1, momentum: 0.9 },
      );
      zeroGrad(params);
      return step % 500 === 0 || step === 1 ? l : null;
    });
    // Like any training loop, read the loss now and then. (The await also lets the event loop turn,
    // which Dawn needs to release finished work: a loop of 10^5 dispatches that never yields makes it crash.)
    if (loss) {
      losses.push(await loss.item());
      loss.dispose();
    }
    if (step % 1000 === 0) {
      device.flush(); // released buffers join the pool at a submit
      const m = memory(device);
      snapshots.push({ step, liveTensors: m.liveTensors, liveBytes: m.liveBytes, pooledBytes: m.pooledBytes, allocatedBytes: m.allocatedBytes });
    }
  }
  for (const p of [...params, ...velocities, x, t]) p.dispose();
  return { snapshots, losses };
}

describe('memory stays flat over 10,000 training steps', () => {
  for (const [name, getDevice] of NAMED_DEVICES) {
    it(`on ${name}`, async () => {
      const device: Device = await getDevice();
      const before = memory(device);
      const { snapshots, losses } = await train(device);
      // It trained (the graph and the updates did something).
      expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.9);
      // From the first snapshot (step 1000, after warm-up) on, every count is the same; nothing left behind.
      expectFlatMemory(device, before, snapshots);
    }, 600_000);
  }
});
