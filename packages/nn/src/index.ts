// The browser-safe library (package.json `exports` default); files on disk are in ./index.node.ts.
export * from './safetensors.js';
export { Module, type ParameterData } from './module.js';
export * as init from './init.js';
export type { Initializer, InitContext } from './init.js';
export { Linear, type LinearOptions } from './layers/linear.js';
export type { Activation } from '@saddle/autograd';
export { Maxout, type MaxoutOptions } from './layers/maxout.js';
export { Dropout } from './layers/dropout.js';
export { ReLU, Sigmoid, Tanh } from './layers/activations.js';
export { Sequential } from './layers/sequential.js';
export { mlp, type MLPOptions } from './layers/mlp.js';
export { Optimizer, type OptimizerOptions, type OptimizerState } from './optim/optimizer.js';
export { SGD, type SGDOptions } from './optim/sgd.js';
export { Adam, AdamW, type AdamOptions } from './optim/adam.js';
export { clipGradNorm } from './optim/clip.js';
export { ExponentialMovingAverage } from './optim/ema.js';
export * as schedules from './optim/schedules.js';
export type { Schedule, Progress } from './optim/schedules.js';
