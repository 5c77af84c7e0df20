// A small classifier written as a user of the published packages writes it (this folder is copied
// into a fresh npm project by ../install.test.ts): two Gaussian blobs in 2-D, an MLP trained with
// SGD on one device, its accuracy on points it never saw. Prints one JSON line.
import { useDevice, tensor, sigmoidBce, tidy } from '@saddle/autograd';
import { mlp, SGD } from '@saddle/nn';

const device = (process.argv[2] ?? 'cpu') as 'cpu' | 'wasm' | 'webgpu';
await useDevice(device);

// Seeded data: label 1 around (1, 1), label 0 around (-1, -1).
let state = 12345;
const uniform = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) + 0.5) / 2 ** 32;
const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
function blobs(n: number): { x: number[][]; y: number[][] } {
  const x: number[][] = [];
  const y: number[][] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const c = label === 1 ? 1 : -1;
    x.push([c + 0.6 * normal(), c + 0.6 * normal()]);
    y.push([label]);
  }
  return { x, y };
}

const train = blobs(256);
const test = blobs(200);
const xs = tensor(train.x);
const ys = tensor(train.y);
const net = mlp([2, 16, 1], { activation: 'relu' });
const opt = new SGD(net.parameters(), { lr: 0.1, momentum: 0.9 });

let first = NaN;
let last = NaN;
for (let step = 0; step < 150; step++) {
  const loss = tidy(() => {
    opt.zeroGrad();
    const l = sigmoidBce(net.forward(xs), ys);
    l.backward();
    opt.step();
    return l;
  });
  if (step === 0) first = await loss.item();
  if (step === 149) last = await loss.item();
  loss.dispose();
}

const logits = net.forward(tensor(test.x));
const scores = await logits.toArray();
let correct = 0;
test.y.forEach(([label], i) => {
  if ((scores[i]! > 0 ? 1 : 0) === label) correct++;
});
// Reading it synchronously where the device allows it, and printing it.
const sync = device === 'webgpu' ? null : Array.from(logits.dataSync()).every((v, i) => v === scores[i]);
const printed = (await logits.format()).startsWith('tensor([[');
console.log(JSON.stringify({ device, first, last, accuracy: correct / test.y.length, sync, printed }));
