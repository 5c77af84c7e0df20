import { avgPool2d, maxPool2d, type AvgPool2dOptions, type MaxPool2dOptions, type Tensor } from '@saddle/autograd';
import { checkPoolOptions } from '@saddle/ops';
import { Module } from '../module.js';

/** 2-D max pooling of [N, C, H, W] (PyTorch's `nn.MaxPool2d`; see `maxPool2d`). No parameters. */
export class MaxPool2d extends Module {
  constructor(readonly options: MaxPool2dOptions) {
    super();
    checkPoolOptions('MaxPool2d', options, 'max');
  }

  /** The max over each window of `x` [N, C, H, W]. */
  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.options);
  }
}

/** 2-D average pooling of [N, C, H, W] (PyTorch's `nn.AvgPool2d`; see `avgPool2d`). No parameters. */
export class AvgPool2d extends Module {
  constructor(readonly options: AvgPool2dOptions) {
    super();
    checkPoolOptions('AvgPool2d', options, 'avg');
  }

  /** The mean over each window of `x` [N, C, H, W]. */
  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.options);
  }
}
