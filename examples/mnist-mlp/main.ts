/**
 * An MLP classifier on MNIST, the way to train a model of one's own with saddle:
 *
 *   pnpm example mnist-mlp [--device auto|webgpu|cpu] [--epochs 6] [--batch 100]
 *                          [--optimizer sgd|adam] [--lr 0.05 (sgd) | 0.001 (adam)]
 *                          [--hidden 512] [--seed 1] [--no-progress]
 *
 * 784 -> hidden -> hidden -> 10, ReLU (fused into the matmul), trained with the fused and stable
 * crossEntropy(logits, labels) and SGD with momentum 0.9 or, with `--optimizer adam`, AdamW
 * (PyTorch's defaults: betas 0.9 and 0.999, weight decay 0.01). The 50 000 training images live on the
 * device (in chunks); each minibatch is `gather`-ed from them by a shuffled index, so no pixels cross the bus
 * after the upload. It reports the validation accuracy after each epoch and the test accuracy at
 * the end (>= 98% with the defaults).
 */
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { Generator, argmax, crossEntropy, fromArray, gather, keep, noGrad, tidy, useDevice, type Device, type Tensor } from '@saddle/autograd';
import { AdamW, SGD, mlp, type Optimizer, type Sequential } from '@saddle/nn';
import { loadMnist, type MnistSplit } from '@saddle/gan';

interface Options {
  device: 'auto' | 'webgpu' | 'cpu';
  epochs: number;
  batch: number;
  optimizer: 'sgd' | 'adam';
  lr: number;
  hidden: number;
  seed: number;
  progress: boolean;
}

function parse(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      device: { type: 'string', default: 'auto' },
      epochs: { type: 'string', default: '6' },
      batch: { type: 'string', default: '100' },
      optimizer: { type: 'string', default: 'sgd' },
      lr: { type: 'string' },
      hidden: { type: 'string', default: '512' },
      seed: { type: 'string', default: '1' },
      'no-progress': { type: 'boolean', default: false },
    },
  });
  const device = values.device as Options['device'];
  if (!['auto', 'webgpu', 'cpu'].includes(device)) throw new Error(`--device ${device}: expected auto, webgpu or cpu`);
  const int = (name: string, v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} ${v}: expected a positive integer`);
    return n;
  };
  const optimizer = values.optimizer as Options['optimizer'];
  if (!['sgd', 'adam'].includes(optimizer)) throw new Error(`--optimizer ${optimizer}: expected sgd or adam`);
  const lrFlag = values.lr ?? (optimizer === 'adam' ? '0.001' : '0.05');
  const lr = /^\d*\.?\d+(e-?\d+)?$/.test(lrFlag) ? Number(lrFlag) : NaN;
  if (!(lr > 0)) throw new Error(`--lr ${lrFlag}: expected a positive decimal number`);
  return {
    device,
    epochs: int('epochs', values.epochs),
    batch: int('batch', values.batch),
    optimizer,
    lr,
    hidden: int('hidden', values.hidden),
    seed: int('seed', values.seed),
    progress: !values['no-progress'] && process.stderr.isTTY === true,
  };
}

/** A split on the device: images [n, 784] f32, labels [n] i32 (kept: they outlive every tidy). */
function upload(split: MnistSplit, device: Device, from = 0, to = split.n): { x: Tensor; y: Tensor; labels: Uint8Array; n: number } {
  const n = to - from;
  return {
    x: keep(fromArray(split.images.subarray(from * 784, to * 784), [n, 784], { device })),
    y: keep(fromArray(Int32Array.from(split.labels.subarray(from, to)), [n], { device, dtype: 'i32' })),
    labels: split.labels.subarray(from, to),
    n,
  };
}

/**
 * The training images in chunks of 10 000 (31 MB each): one tensor of all 50 000 (157 MB) would
 * pass the 128 MiB a storage binding may hold on many adapters. Each minibatch comes from one chunk.
 */
const CHUNK = 10_000;

/** Fisher-Yates with a seeded generator (mulberry32), so a run can be repeated. */
function shuffled(n: number, seed: number): Int32Array {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

/** Fraction of `data` the model classifies right (in batches of 1000, no graph). */
async function accuracy(model: Sequential, data: { x: Tensor; labels: Uint8Array; n: number }): Promise<number> {
  let right = 0;
  for (let start = 0; start < data.n; start += 1000) {
    const rows = Math.min(1000, data.n - start);
    const predicted = noGrad(() => tidy(() => argmax(model.forward(data.x.view([rows, 784], [784, 1], start * 784)), 1)));
    const p = await predicted.toArray();
    predicted.dispose();
    for (let i = 0; i < rows; i++) if (p[i] === data.labels[start + i]) right++;
  }
  return right / data.n;
}

export async function main(argv: string[]): Promise<void> {
  const o = parse(argv);
  const device = await useDevice(o.device);
  process.stderr.write(
    `mnist-mlp on ${device.name}: 784-${o.hidden}-${o.hidden}-10, ${o.epochs} epochs of batch ${o.batch}, ${o.optimizer === 'adam' ? 'AdamW' : 'SGD'} lr ${o.lr}\n`,
  );
  const mnist = await loadMnist();
  const chunks = Array.from({ length: Math.ceil(mnist.train.n / CHUNK) }, (_, c) =>
    upload(mnist.train, device, c * CHUNK, Math.min((c + 1) * CHUNK, mnist.train.n)),
  );
  const validation = upload(mnist.validation, device);
  const test = upload(mnist.test, device);

  const model = mlp([784, o.hidden, o.hidden, 10], { activation: 'relu', device, generator: new Generator(o.seed) });
  // The learning rate halves after each third of the run (epochs 2 and 4 of 6); SGD with momentum 0.9.
  const lr = ({ epoch }: { epoch: number }) => o.lr * 0.5 ** Math.floor((3 * epoch) / o.epochs);
  const opt: Optimizer = o.optimizer === 'adam' ? new AdamW(model.parameters(), { lr }) : new SGD(model.parameters(), { lr, momentum: 0.9 });
  const perChunk = chunks.map((c) => Math.floor(c.n / o.batch));
  const perEpoch = perChunk.reduce((a, b) => a + b, 0);
  const bar = o.progress
    ? new cliProgress.SingleBar(
        {
          format: 'epoch {epoch}/{epochs} |{bar}| {value}/{total} | loss {loss} | {msit} ms/it | eta {eta_formatted}',
          hideCursor: true,
          stream: process.stderr,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;

  const started = performance.now();
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    opt.epoch = epoch;
    // A shuffled order of (chunk, row) batches: chunks in random order, rows shuffled within each.
    const chunkOrder = shuffled(chunks.length, o.seed * 1000 + epoch);
    bar?.start(perEpoch, 0, { epoch: epoch + 1, epochs: o.epochs, loss: '-', msit: '-' });
    const epochStart = performance.now();
    let lastLoss = NaN;
    let it = 0;
    for (const c of chunkOrder) {
      const chunk = chunks[c]!;
      const order = shuffled(chunk.n, o.seed * 1000 + epoch * 100 + c + 1);
      for (let b = 0; b < perChunk[c]!; b++, it++) {
        const loss = tidy(() => {
          const idx = fromArray(order.subarray(b * o.batch, (b + 1) * o.batch), [o.batch], { device, dtype: 'i32' });
          const l = crossEntropy(model.forward(gather(chunk.x, idx)), gather(chunk.y, idx));
          l.backward();
          opt.step();
          opt.zeroGrad();
          return l;
        });
        // Reading the loss waits for the GPU; do it now and then, not every iteration.
        if (it % 50 === 49 || it === perEpoch - 1) {
          lastLoss = await loss.item();
          bar?.update(it + 1, { loss: lastLoss.toFixed(4), msit: ((performance.now() - epochStart) / (it + 1)).toFixed(1) });
        }
        loss.dispose();
      }
    }
    bar?.stop();
    const acc = await accuracy(model, validation);
    process.stderr.write(
      `epoch ${epoch + 1}: last loss ${lastLoss.toFixed(4)}, validation accuracy ${(100 * acc).toFixed(2)}% (${((performance.now() - epochStart) / 1000).toFixed(1)} s)\n`,
    );
  }
  const acc = await accuracy(model, test);
  process.stdout.write(
    `test accuracy ${(100 * acc).toFixed(2)}% after ${o.epochs} epochs (${((performance.now() - started) / 1000).toFixed(0)} s on ${device.name})\n`,
  );
  for (const t of [...chunks, validation, test]) [t.x, t.y].forEach((x) => x.dispose());
  opt.dispose();
  model.dispose();
}
