import { useDevice, tensor, isWebGpu } from '@saddle/tensor';
import { add, sigmoid } from '@saddle/kernels-wgsl';
const d = await useDevice('webgpu');
const mode = process.argv[2];
const a = tensor([[1, 2, 3], [4, 5, 6]]);
const c = mode === 'dense' ? add(a, a) : mode === 'unary' ? sigmoid(a) : add(a, tensor([1,2,3]));
console.log(mode, await c.toArray());
d.destroy();
