/**
 * Optimizers and learning-rate schedulers (`torch.optim`):
 *
 *   const opt = new torch.optim.AdamW(model.parameters(), { lr: 1e-4 });
 *   const sched = torch.optim.getLinearScheduleWithWarmup(opt, 100, 1000);
 *   // per step: opt.zeroGrad(); loss.backward(); opt.step(); sched.step();
 */
export {
  Optimizer,
  type ParamGroup,
  type ParamGroupOf,
  type ParamGroupInput,
  type ParamsInput,
  type NamedParam,
  type ParamState,
  type ParamGroupState,
  type OptimizerStateDict,
  type OptimizerStateDictInput,
} from './optimizer.js';
export {
  option,
  fixed,
  number,
  nonNegative,
  flag,
  flagOrNull,
  onlyFalse,
  falseOrNull,
  betaPair,
  onlyFalseSingle,
  falseOrNullSingle,
  numberPair,
  etaPair,
  between,
  positiveInt,
  type GroupValue,
  type OptionSpec,
  type OptionExtras,
  type OptionTable,
  type OptionsOf,
  type OptionValues,
  type ValueOf,
} from './options.js';
export { Adam, ADAM_OPTIONS, type AdamOptions, type AdamParamGroup } from './adam.js';
export { AdamW, ADAMW_OPTIONS, type AdamWOptions, type AdamWParamGroup } from './adamw.js';
export { SGD, SGD_OPTIONS, type SGDOptions, type SGDParamGroup } from './sgd.js';
export { RMSprop, RMSPROP_OPTIONS, type RMSpropOptions, type RMSpropParamGroup } from './rmsprop.js';
export { Adagrad, ADAGRAD_OPTIONS, type AdagradOptions, type AdagradParamGroup } from './adagrad.js';
export { Adadelta, ADADELTA_OPTIONS, type AdadeltaOptions, type AdadeltaParamGroup } from './adadelta.js';
export { Adamax, ADAMAX_OPTIONS, type AdamaxOptions, type AdamaxParamGroup } from './adamax.js';
export { NAdam, NADAM_OPTIONS, type NAdamOptions, type NAdamParamGroup } from './nadam.js';
export { RAdam, RADAM_OPTIONS, type RAdamOptions, type RAdamParamGroup } from './radam.js';
export { ASGD, ASGD_OPTIONS, type ASGDOptions, type ASGDParamGroup } from './asgd.js';
export { Rprop, RPROP_OPTIONS, type RpropOptions, type RpropParamGroup } from './rprop.js';
export { LBFGS, LBFGS_OPTIONS, type LBFGSOptions, type LBFGSParamGroup, type LBFGSStateValue } from './lbfgs.js';
export { forEachGrad, stateTensor } from './each-grad.js';
export {
  LRScheduler,
  LambdaLR,
  StepLR,
  LinearLR,
  CosineAnnealingLR,
  OneCycleLR,
  getLinearScheduleWithWarmup,
  type LrLambda,
  type LRSchedulerStateDict,
  type SchedulerOptions,
  type StepLROptions,
  type LinearLROptions,
  type CosineAnnealingLROptions,
  type OneCycleLROptions,
} from './lr_scheduler.js';
export {
  MultiplicativeLR,
  MultiStepLR,
  ConstantLR,
  ExponentialLR,
  PolynomialLR,
  CyclicLR,
  CosineAnnealingWarmRestarts,
  type MultiStepLROptions,
  type ConstantLROptions,
  type ExponentialLROptions,
  type PolynomialLROptions,
  type CyclicLROptions,
  type CosineAnnealingWarmRestartsOptions,
} from './lr_scheduler_more.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './reduce_lr_on_plateau.js';
export { SequentialLR, ChainedScheduler } from './lr_scheduler_compose.js';
export * as lrScheduler from './lr_scheduler_all.js';
