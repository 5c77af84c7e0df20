/** The XOR problem the nn tests train on, and the training loop they share. */
import { fromArray, sigmoidBce, tidy, type Device } from '@saddle/autograd';
import type { Module, Optimizer } from '@saddle/nn';

/** The four XOR points and labels: a problem a linear model cannot solve. */
export function xorData(device: Device) {
  return { x: fromArray([0, 0, 0, 1, 1, 0, 1, 1], [4, 2], { device }), y: fromArray([0, 1, 1, 0], [4, 1], { device }) };
}

/**
 * `steps` full-batch steps of `net` on XOR (zeroGrad, loss, backward, step in one tidy); returns the
 * losses of every `readEvery`-th step and of the last (reading one waits for the device).
 */
export async function trainXor(net: Module, opt: Optimizer, device: Device, steps: number, readEvery = 1): Promise<number[]> {
  const { x, y } = xorData(device);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const loss = tidy(() => {
      opt.zeroGrad();
      const l = sigmoidBce(net.forward(x), y);
      l.backward();
      opt.step();
      return l;
    });
    if (i % readEvery === 0 || i === steps - 1) losses.push(await loss.item());
    loss.dispose();
  }
  x.dispose();
  y.dispose();
  return losses;
}
