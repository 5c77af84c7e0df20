/**
 * Gradient checks of whole models: every op's rule composed through a real network, including
 * the three GAN objectives of Goodfellow et al. (2014), Eq. (1).
 */
import { describe, it } from 'vitest';
import { add, dropout, log, matmul, maxout, mean, mul, neg, relu, sigmoid, sigmoidBce, softplus, sub, sum, type Tensor } from '@saddle/autograd';
import { NAMED_DEVICES } from '../support/devices.js';
import { check, data } from './support.js';

// The networks are functions of their parameters, so gradcheck can differentiate with respect to all of them.

/** G: z [B, 3] -> relu(z W1 + b1) [B, 6] -> sigmoid(h W2 + b2) [B, 4]. */
function generator(z: Tensor, w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor): Tensor {
  const h = matmul(z, w1, { bias: b1, activation: 'relu' });
  return matmul(h, w2, { bias: b2, activation: 'sigmoid' });
}

/**
 * D: x [B, 4] -> maxout(x W1 + b1, 2 pieces) [B, 3] -> dropout (keep 0.8, fixed seed) -> logit [B, 1].
 * The same seed gives the same mask on every call, so D is a deterministic function of its inputs.
 */
function discriminatorLogits(x: Tensor, w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor, seed: number): Tensor {
  const h = maxout(matmul(x, w1, { bias: b1 }), 2).out;
  const d = dropout(h, 0.8, { seed }).out;
  return matmul(d, w2, { bias: b2 });
}

const B = 5;
const gParams = (s: number) => [
  data([3, 6], s, { range: [-1, 1] }),
  data([6], s + 1, { range: [-0.5, 0.5] }),
  data([6, 4], s + 2, { range: [-1, 1] }),
  data([4], s + 3, { range: [-0.5, 0.5] }),
];
const dParams = (s: number) => [
  data([4, 6], s, { range: [-1, 1] }),
  data([6], s + 1, { range: [-0.5, 0.5] }),
  data([3, 1], s + 2, { range: [-1, 1] }),
  data([1], s + 3, { range: [-0.5, 0.5] }),
];

describe.each(NAMED_DEVICES)('gradients of whole models on %s', (_name, getDevice) => {
  it('an MLP with ReLU and sigmoid layers, built from separate ops, with a BCE loss', async () => {
    const device = await getDevice();
    const mlp = (x: Tensor, w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor, t: Tensor) => {
      const h = relu(add(matmul(x, w1), b1));
      const p = sigmoid(add(matmul(h, w2), b2));
      // BCE written out from elementwise ops: -mean(t log p + (1 - t) log(1 - p)).
      return neg(mean(add(mul(t, log(p)), mul(sub(1, t), log(sub(1, p))))));
    };
    await check(
      mlp,
      [
        data([6, 3], 1),
        data([3, 5], 2, { range: [-1, 1] }),
        data([5], 3),
        data([5, 2], 4, { range: [-1, 1] }),
        data([2], 5),
        data([6, 2], 6, { range: [0, 1] }),
      ],
      device,
      {
        wrt: [0, 1, 2, 3, 4],
      },
    );
  });

  it('the same MLP with the fused matmul epilogues and the fused sigmoid-BCE', async () => {
    const device = await getDevice();
    const mlp = (x: Tensor, w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor, t: Tensor) =>
      sigmoidBce(matmul(matmul(x, w1, { bias: b1, activation: 'relu' }), w2, { bias: b2 }), t);
    await check(
      mlp,
      [
        data([6, 3], 1),
        data([3, 5], 2, { range: [-1, 1] }),
        data([5], 3),
        data([5, 2], 4, { range: [-1, 1] }),
        data([2], 5),
        data([6, 2], 6, { range: [0, 1] }),
      ],
      device,
      {
        wrt: [0, 1, 2, 3, 4],
      },
    );
  });

  it('a maxout network with dropout (fixed seed)', async () => {
    const device = await getDevice();
    await check((x, w1, b1, w2, b2) => sum(discriminatorLogits(x, w1, b1, w2, b2, 99)), [data([B, 4], 7), ...dParams(10)], device);
  });

  it('GAN, discriminator objective: 0.5 [CE(1, D(x)) + CE(0, D(G(z)))], w.r.t. D and G', async () => {
    const device = await getDevice();
    const lossD = (x: Tensor, z: Tensor, ...p: Tensor[]) => {
      const [gw1, gb1, gw2, gb2, dw1, db1, dw2, db2] = p as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
      const real = discriminatorLogits(x, dw1, db1, dw2, db2, 1);
      const fake = discriminatorLogits(generator(z, gw1, gb1, gw2, gb2), dw1, db1, dw2, db2, 2);
      return mul(add(sigmoidBce(real, 1), sigmoidBce(fake, 0)), 0.5);
    };
    await check(lossD, [data([B, 4], 20, { range: [0, 1] }), data([B, 3], 21), ...gParams(30), ...dParams(40)], device, { wrt: [2, 3, 4, 5, 6, 7, 8, 9] });
  });

  it('GAN, non-saturating generator objective: CE(1, D(G(z)))', async () => {
    const device = await getDevice();
    const lossG = (z: Tensor, ...p: Tensor[]) => {
      const [gw1, gb1, gw2, gb2, dw1, db1, dw2, db2] = p as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
      return sigmoidBce(discriminatorLogits(generator(z, gw1, gb1, gw2, gb2), dw1, db1, dw2, db2, 3), 1);
    };
    await check(lossG, [data([B, 3], 22), ...gParams(50), ...dParams(60)], device, { wrt: [1, 2, 3, 4] });
  });

  it('GAN, saturating generator objective: mean log(1 - D(G(z))), as written and in its stable form', async () => {
    const device = await getDevice();
    const split = (p: Tensor[]) => p as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
    const logits = (z: Tensor, p: Tensor[]) => {
      const [gw1, gb1, gw2, gb2, dw1, db1, dw2, db2] = split(p);
      return discriminatorLogits(generator(z, gw1, gb1, gw2, gb2), dw1, db1, dw2, db2, 4);
    };
    // log(1 - sigmoid(l)) = -softplus(l): the second form never takes the log of 0.
    const naive = (z: Tensor, ...p: Tensor[]) => mean(log(sub(1, sigmoid(logits(z, p)))));
    const stable = (z: Tensor, ...p: Tensor[]) => neg(mean(softplus(logits(z, p))));
    const inputs = [data([B, 3], 23), ...gParams(70), ...dParams(80)];
    await check(naive, inputs, device, { wrt: [1, 2, 3, 4] });
    await check(stable, inputs, device, { wrt: [1, 2, 3, 4] });
  });
});
