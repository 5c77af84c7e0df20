// Philox4x32-10 counter-based random numbers: generators, draws and the raw generator.
export { Generator, DEFAULT_SEED, defaultGenerator, manualSeed, seedKey, resolveStream, type Seed, type RandomSource } from './generator.js';
export { rand, randn, randint, randomBits, philox, type RandOptions, type RandnOptions, type RandintOptions } from './random.js';
export { philox4x32, mulhi32, type Stream } from './random.cpu.js';
export { philoxWgsl } from './random.wgsl.js';
