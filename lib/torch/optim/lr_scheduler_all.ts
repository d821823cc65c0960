/** Every learning-rate scheduler (`torch.optim.lr_scheduler`), for the `lrScheduler` namespace: re-exports only. */
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
export * from './lr_scheduler_more.js';
export * from './reduce_lr_on_plateau.js';
export * from './lr_scheduler_compose.js';
