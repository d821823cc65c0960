/** Every loss module of torch.nn. */
export { Loss, WeightedLoss, type LossOptions, type WeightedLossOptions, type Reduction } from './base.js';
export { L1Loss, MSELoss, HuberLoss, SmoothL1Loss, PoissonNLLLoss, GaussianNLLLoss, KLDivLoss, type PoissonNLLLossOptions } from './regression.js';
export {
  CrossEntropyLoss,
  NLLLoss,
  NLLLoss2d,
  BCELoss,
  BCEWithLogitsLoss,
  MultiLabelSoftMarginLoss,
  MultiMarginLoss,
  MultiLabelMarginLoss,
  SoftMarginLoss,
  CTCLoss,
  LinearCrossEntropyLoss,
  type CrossEntropyLossOptions,
  type LinearCrossEntropyLossOptions,
} from './classification.js';
export {
  MarginRankingLoss,
  HingeEmbeddingLoss,
  CosineEmbeddingLoss,
  TripletMarginLoss,
  TripletMarginWithDistanceLoss,
  type TripletMarginLossOptions,
  type TripletMarginWithDistanceLossOptions,
} from './embedding.js';
export { AdaptiveLogSoftmaxWithLoss, type AdaptiveLogSoftmaxWithLossOptions, type AdaptiveLogSoftmaxOutput } from './adaptive.js';
