import { relu, sigmoid, tanh, type Tensor } from '@saddle/autograd';
import { Module } from '../module.js';

export class ReLU extends Module {
  /** The activation of `x`, elementwise. */
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}
