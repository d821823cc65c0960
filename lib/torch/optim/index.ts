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
export * as lrScheduler from './lr_scheduler.js';
