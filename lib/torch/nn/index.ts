/** Neural-network building blocks (as `torch.nn`). */
export { Module, type StateDict, type IncompatibleKeys } from './module.js';
export { Parameter, isParameter } from './parameter.js';
export { Linear, type LinearOptions } from './modules/linear.js';
export { Embedding, type EmbeddingOptions } from './modules/embedding.js';
export { LayerNorm, type LayerNormOptions } from './modules/normalization.js';
export { Dropout, ReLU, GELU, Tanh, Sigmoid, Softmax, Identity } from './modules/activation.js';
export { Sequential, ModuleList, ModuleDict, ParameterList } from './modules/container.js';
export { MultiheadAttention, type MultiheadAttentionOptions, type AttentionCallOptions } from './modules/attention.js';
export { TransformerEncoderLayer, TransformerEncoder, type TransformerEncoderLayerOptions, type EncoderCallOptions } from './modules/transformer.js';
export { CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, BCEWithLogitsLoss } from './modules/loss.js';
// recurrent layers and the transformer decoder (wt-rnn); packed sequences live in nn.utils.rnn
export { RNNBase, RNN, LSTM, GRU, RNNCellBase, RNNCell, LSTMCell, GRUCell, type RNNBaseOptions, type RNNOptions, type LSTMOptions, type RNNCellBaseOptions, type RNNCellOptions } from './modules/rnn.js';
export { TransformerDecoderLayer, TransformerDecoder, Transformer, generateSquareSubsequentMask, type TransformerDecoderLayerOptions, type DecoderCallOptions, type TransformerOptions, type TransformerCallOptions } from './modules/transformer.js';
export * as functional from './functional.js';
export * as init from './init.js';
export * as utils from './utils/index.js';
export * as parallel from './parallel/index.js';
