/** Neural-network building blocks (as `torch.nn`). */
export { Module, type StateDict, type IncompatibleKeys } from './module.js';
export { Parameter, isParameter } from './parameter.js';
export { Linear, type LinearOptions } from './modules/linear.js';
export { Embedding, type EmbeddingOptions } from './modules/embedding.js';
export { LayerNorm, type LayerNormOptions } from './modules/normalization.js';
export { Sequential, ModuleList, ModuleDict, ParameterList } from './modules/container.js';
export { MultiheadAttention, type MultiheadAttentionOptions, type AttentionCallOptions } from './modules/attention.js';
export { TransformerEncoderLayer, TransformerEncoder, type TransformerEncoderLayerOptions, type EncoderCallOptions } from './modules/transformer.js';
// activations and losses (wt-act)
export {
  Dropout, Threshold, ReLU, RReLU, Hardtanh, ReLU6, Sigmoid, Hardsigmoid, Tanh, SiLU, Mish, Hardswish, ELU, CELU, SELU, GLU, GELU,
  Hardshrink, LeakyReLU, LogSigmoid, Softplus, Softshrink, PReLU, Softsign, Tanhshrink, Softmin, Softmax, Softmax2d, LogSoftmax, Identity,
  type InplaceOptions, type PReLUOptions, type DropoutOptions,
} from './modules/activation.js';
export * from './modules/loss/index.js';
export * as functional from './functional.js';
export * as init from './init.js';
export * as utils from './utils/index.js';
export * as parallel from './parallel/index.js';
