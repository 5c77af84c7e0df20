/**
 * @saddle/autograd: reverse-mode automatic differentiation on top of @saddle/tensor and the WGSL
 * kernels. This is the one import a user needs: the tensor API, every op (wrapped so that it
 * records onto the tape), grad mode, backward and gradcheck.
 *
 *   import { tensor, param, matmul, relu, sigmoidBce, noGrad } from '@saddle/autograd';
 *
 * Importing it installs the backward engine behind `Tensor.prototype.backward` and every op as a
 * tensor method (`x.matmul(w).add(b).relu()`, see methods.ts).
 *
 * @module @saddle/autograd
 */
export * from '@saddle/tensor';
// @saddle/ops' useDevice and getDevice (tensor's, with the probe `auto` times) over tensor's.
export { useDevice, getDevice } from '@saddle/ops';
export * from './ops.js';
export { installTensorMethods, TENSOR_METHOD_NAMES, type TensorMethods, type MethodName } from './methods.js';
export { isGradEnabled, noGrad, enableGrad, setGradEnabled } from './grad-mode.js';
export { Node, record, shouldRecord, nodeOf, isLeaf, requiresGrad, param, detach, alias, zeroGrad, type Rule, type Saved, type Edge } from './tape.js';
export { backward, runBackward, type BackwardOptions } from './backward.js';
export { grad, valueAndGrad, type GradOptions } from './functional.js';
export { gradcheck, GradcheckError, type GradcheckOptions, type GradcheckReport, type GradcheckElement, type GradcheckInputReport } from './gradcheck.js';
export { gradgradcheck } from './gradgradcheck.js';

import * as recordingOps from './ops.js';
import { installRecordingOps } from './rules/common.js';
import { installTensorMethods } from './methods.js';

// The rules (rules/*.ts) call ops through rules/common.ts's `k`; here it gets the recording wrapper
// of every `recorded` op of op-list.ts, so gradients computed with grad mode on record onto the tape.
installRecordingOps(recordingOps);
installTensorMethods();
