// After tsup: the declarations name WebGPU's types (GPUBuffer, GPUDevice, ...), which are globals
// from @webgpu/types (a dependency of this package). A triple-slash reference at the top of
// dist/index.d.ts brings them into a user's program, so `tsc --strict` type-checks saddle without
// @webgpu/types in the user's config and without skipLibCheck. (tsup's declaration bundler drops
// reference directives from the sources, hence this step.)
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../dist/index.d.ts', import.meta.url);
const reference = '/// <reference types="@webgpu/types" />\n';
const text = readFileSync(file, 'utf8');
if (!text.startsWith(reference)) writeFileSync(file, reference + text);
