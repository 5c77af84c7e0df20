/**
 * A long run keeps its memory flat (issue 12): 5,000 optimizer steps of a small maxout network with
 * fused dropout, through the public layers (Maxout, Linear), the SGD class with schedules,
 * `zeroGrad` and `tidy`, on each device. From step 500 on, the number of live tensors and the
 * device's live bytes (and, on WebGPU and wasm, pooled and allocated bytes) are the same at every snapshot,
 * and the run leaves nothing behind. (test/autograd/memory.test.ts does the same for the raw kernels.)
 */
import { describe, it, expect } from 'vitest';
import { Generator, fromArray, memory, sigmoidBce, tidy, type Device } from '@saddle/autograd';
import { Linear, Maxout, SGD, Sequential, schedules } from '@saddle/nn';
import { NAMED_DEVICES } from '../support/devices.js';
import { expectFlatMemory } from '../support/memory.js';
import { rng } from '../grad/support.js';

const STEPS = 5_000;
const EVERY = 500;

async function run(device: Device) {
  const gen = new Generator(7);
  const net = new Sequential(
    new Maxout(6, 8, 3, { device, generator: gen, dropoutAfter: 0.8, dropoutGenerator: gen }),
    new Linear(8, 1, { device, generator: gen }),
  );
  const opt = new SGD(net.parameters(), { lr: schedules.exponentialDecay(0.1, 1.0001), momentum: schedules.linearRamp(0.5, 0.7, 0, 10) });
  const next = rng(3);
  const x = fromArray(
    Array.from({ length: 32 * 6 }, () => 2 * next() - 1),
    [32, 6],
    { device },
  );
  const y = fromArray(
    Array.from({ length: 32 }, (_, i) => i % 2),
    [32, 1],
    { device },
  );
  const snapshots: { step: number; liveTensors: number; liveBytes: number; pooledBytes: number; allocatedBytes: number }[] = [];
  const losses: number[] = [];
  for (let step = 1; step <= STEPS; step++) {
    const loss = tidy(() => {
      const l = sigmoidBce(net.forward(x), y);
      l.backward();
      return step % EVERY === 0 || step === 1 ? l : null;
    });
    opt.step();
    opt.zeroGrad();
    if (step % 500 === 0) opt.epoch++; // the momentum ramps over "epochs" of 500 steps
    if (loss) {
      losses.push(await loss.item()); // also lets the event loop turn, as any training loop does
      loss.dispose();
    }
    if (step % EVERY === 0) {
      device.flush();
      const m = memory(device);
      snapshots.push({ step, liveTensors: m.liveTensors, liveBytes: m.liveBytes, pooledBytes: m.pooledBytes, allocatedBytes: m.allocatedBytes });
    }
  }
  opt.dispose();
  net.dispose();
  x.dispose();
  y.dispose();
  return { snapshots, losses };
}

describe('memory stays flat over 5,000 optimizer steps of a small maxout network', () => {
  for (const [name, getDevice] of NAMED_DEVICES) {
    it(`on ${name}`, async () => {
      const device: Device = await getDevice();
      device.flush();
      const before = memory(device);
      const { snapshots, losses } = await run(device);
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses.at(-1)!).toBeLessThan(losses[0]!);
      expectFlatMemory(device, before, snapshots);
    }, 600_000);
  }
});
