/** Neural-network building blocks (as `torch.nn`). */
export { Module, type StateDict, type IncompatibleKeys } from './module.js';
export { Parameter, isParameter } from './parameter.js';
export { Linear, type LinearOptions } from './modules/linear.js';
export { Embedding, type EmbeddingOptions } from './modules/embedding.js';
export { LayerNorm, type LayerNormOptions } from './modules/normalization.js';
export { Sequential, ModuleList, ModuleDict, ParameterList } from './modules/container.js';
export { MultiheadAttention, type MultiheadAttentionOptions, type AttentionCallOptions } from './modules/attention.js';
export { TransformerEncoderLayer, TransformerEncoder, type TransformerEncoderLayerOptions, type EncoderCallOptions } from './modules/transformer.js';
// recurrent layers and the transformer decoder (wt-rnn); packed sequences live in nn.utils.rnn
export {
  RNNBase,
  RNN,
  LSTM,
  GRU,
  RNNCellBase,
  RNNCell,
  LSTMCell,
  GRUCell,
  type RNNBaseOptions,
  type RNNOptions,
  type LSTMOptions,
  type RNNCellBaseOptions,
  type RNNCellOptions,
} from './modules/rnn.js';
export {
  TransformerDecoderLayer,
  TransformerDecoder,
  Transformer,
  generateSquareSubsequentMask,
  type TransformerDecoderLayerOptions,
  type DecoderCallOptions,
  type TransformerOptions,
  type TransformerCallOptions,
} from './modules/transformer.js';
// activations and losses (wt-act)
export {
  Dropout,
  Threshold,
  ReLU,
  RReLU,
  Hardtanh,
  ReLU6,
  Sigmoid,
  Hardsigmoid,
  Tanh,
  SiLU,
  Mish,
  Hardswish,
  ELU,
  CELU,
  SELU,
  GLU,
  GELU,
  Hardshrink,
  LeakyReLU,
  LogSigmoid,
  Softplus,
  Softshrink,
  PReLU,
  Softsign,
  Tanhshrink,
  Softmin,
  Softmax,
  Softmax2d,
  LogSoftmax,
  Identity,
  type InplaceOptions,
  type PReLUOptions,
  type DropoutOptions,
} from './modules/activation.js';
export * from './modules/loss/index.js';
export * as functional from './functional.js';
export * as init from './init.js';
export * as utils from './utils/index.js';
export * as parallel from './parallel/index.js';
// convolution, normalization, pooling and shape layers (wt-conv)
export {
  Conv1d,
  Conv2d,
  Conv3d,
  ConvTranspose1d,
  ConvTranspose2d,
  ConvTranspose3d,
  ConvNd,
  type ConvOptions,
  type ConvTransposeOptions,
  type PaddingMode,
} from './modules/conv.js';
export { Fold, Unfold, type FoldOptions } from './modules/fold.js';
export { BatchNorm1d, BatchNorm2d, BatchNorm3d, NormBase, type NormOptions } from './modules/batchnorm.js';
export { InstanceNorm1d, InstanceNorm2d, InstanceNorm3d } from './modules/instancenorm.js';
export { GroupNorm, RMSNorm, LocalResponseNorm, type GroupNormOptions, type RMSNormOptions, type LocalResponseNormOptions } from './modules/normalization.js';
export {
  MaxPool1d,
  MaxPool2d,
  MaxPool3d,
  AvgPool1d,
  AvgPool2d,
  AvgPool3d,
  AdaptiveAvgPool1d,
  AdaptiveAvgPool2d,
  AdaptiveAvgPool3d,
  AdaptiveMaxPool1d,
  AdaptiveMaxPool2d,
  AdaptiveMaxPool3d,
  MaxUnpool1d,
  MaxUnpool2d,
  MaxUnpool3d,
  LPPool1d,
  LPPool2d,
  LPPool3d,
  type MaxPoolOptions,
  type AvgPoolOptions,
  type AdaptiveSize,
  type PoolResult,
} from './modules/pooling.js';
export { Flatten, Unflatten } from './modules/flatten.js';
export { Dropout1d, Dropout2d, Dropout3d, AlphaDropout, FeatureAlphaDropout } from './modules/dropout.js';
export { Upsample, UpsamplingNearest2d, UpsamplingBilinear2d, type UpsampleOptions } from './modules/upsampling.js';
export { PixelShuffle, PixelUnshuffle } from './modules/pixelshuffle.js';
export {
  ZeroPad1d,
  ZeroPad2d,
  ZeroPad3d,
  ConstantPad1d,
  ConstantPad2d,
  ConstantPad3d,
  ReflectionPad1d,
  ReflectionPad2d,
  ReflectionPad3d,
  ReplicationPad1d,
  ReplicationPad2d,
  ReplicationPad3d,
  CircularPad1d,
  CircularPad2d,
  CircularPad3d,
} from './modules/padding.js';
export { ChannelShuffle } from './modules/channelshuffle.js';
export { Bilinear, type BilinearOptions } from './modules/bilinear.js';
export { EmbeddingBag, type EmbeddingBagModuleOptions } from './modules/sparse.js';
