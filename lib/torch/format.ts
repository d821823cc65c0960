/** The printed form of a tensor, following PyTorch's `repr` rules. */
import type { Tensor } from './tensor.js';

const SUMMARIZE_OVER = 1000;
const EDGE = 3;

function fmtFloatFactory(values: number[]): (x: number) => string {
  const finite = values.filter((v) => Number.isFinite(v));
  const abs = finite.map(Math.abs).filter((v) => v !== 0);
  const intMode = finite.every((v) => Number.isInteger(v));
  const max = abs.length > 0 ? Math.max(...abs) : 0;
  const min = abs.length > 0 ? Math.min(...abs) : 0;
  const special = (x: number) => (Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf');
  if (intMode) {
    if (max > 1e8) return (x) => (Number.isFinite(x) ? x.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2') : special(x));
    return (x) => (Number.isFinite(x) ? `${x.toFixed(0)}.` : special(x));
  }
  if (max / (min || 1) > 1000 || max > 1e8 || (min < 1e-4 && min > 0)) {
    return (x) => (Number.isFinite(x) ? x.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2') : special(x));
  }
  return (x) => (Number.isFinite(x) ? x.toFixed(4) : special(x));
}

/** PyTorch-like repr: `tensor([[1., 2.], [3., 4.]], dtype=torch.float64)`. */
export function formatTensor(t: Tensor): string {
  const shape = t.shape;
  const dtype = t.dtype;
  const values = t.numel() > 0 ? t.dataSync() : [];
  const isFloat = dtype === 'float32' || dtype === 'float64' || dtype === 'float16' || dtype === 'bfloat16';
  const summarize = values.length > SUMMARIZE_OVER;
  // Which flat positions are shown (for the width and the float mode).
  const fmt = dtype === 'bool' ? (x: number) => (x !== 0 ? 'True' : 'False') : isFloat ? fmtFloatFactory(values) : (x: number) => String(x);
  const strings = values.map(fmt);
  const width = strings.reduce((w, s) => Math.max(w, s.length), 0);
  const strides: number[] = [];
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= shape[i];
  }
  const indent = 'tensor('.length;
  const render = (d: number, offset: number, depth: number): string => {
    if (d === shape.length) return strings[offset].padStart(width);
    const n = shape[d];
    const idx: (number | null)[] = [];
    if (summarize && n > 2 * EDGE) {
      for (let i = 0; i < EDGE; i++) idx.push(i);
      idx.push(null);
      for (let i = n - EDGE; i < n; i++) idx.push(i);
    } else {
      for (let i = 0; i < n; i++) idx.push(i);
    }
    const parts = idx.map((i) => (i === null ? '...' : render(d + 1, offset + i * strides[d], depth + 1)));
    if (d === shape.length - 1) return `[${parts.join(', ')}]`;
    const sep = ',' + '\n'.repeat(shape.length - d - 1) + ' '.repeat(indent + depth + 1);
    return `[${parts.join(sep)}]`;
  };
  let body: string;
  if (shape.length === 0) body = strings[0];
  else if (values.length === 0) body = '[]';
  else body = render(0, 0, 0);
  const extras: string[] = [];
  if (values.length === 0 && shape.length > 1) extras.push(`size=(${shape.join(', ')})`);
  const dev = t.device.toString();
  if (dev !== 'cpu') extras.push(`device='${dev}'`);
  if (dtype !== 'float32' && dtype !== 'int64' && dtype !== 'bool') extras.push(`dtype=torch.${dtype}`);
  const gradFn = t.gradFn;
  if (gradFn !== null) extras.push(`grad_fn=<${gradFn}>`);
  else if (t.requiresGrad) extras.push('requires_grad=True');
  return `tensor(${body}${extras.map((e) => ', ' + e).join('')})`;
}
