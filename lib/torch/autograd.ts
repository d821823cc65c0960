/** Grad mode and autocast regions. */
import { native } from './native.js';
import { dtypeCode, type DType } from './dtype.js';

function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const prev = native.setGradEnabled(enabled);
  try {
    const r = fn();
    if (r instanceof Promise) {
      native.setGradEnabled(prev);
      throw new TypeError('noGrad/enableGrad take a synchronous function');
    }
    return r;
  } finally {
    native.setGradEnabled(prev);
  }
}

/** Runs `fn` with gradient tracking off (as `with torch.no_grad()`). */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs `fn` with gradient tracking on (as `with torch.enable_grad()`). */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

/** Whether gradients are being tracked now. */
export function isGradEnabled(): boolean {
  return native.isGradEnabled();
}

/** Turns gradient tracking on or off globally (as `torch.set_grad_enabled`). */
export function setGradEnabled(enabled: boolean): void {
  native.setGradEnabled(enabled);
}

/**
 * Runs `fn` under automatic mixed precision (as `torch.autocast`): eligible
 * ops (matmul, linear, ...) run in `dtype` (default bfloat16) on `deviceType`.
 */
export function autocast<T>(deviceType: 'cpu' | 'cuda', fn: () => T, opts: { dtype?: DType; enabled?: boolean } = {}): T {
  const enabled = opts.enabled ?? true;
  const dtype = dtypeCode(opts.dtype ?? 'bfloat16');
  const prev = native.setAutocast(deviceType, enabled, dtype);
  try {
    return fn();
  } finally {
    native.setAutocast(deviceType, prev, dtype);
  }
}
