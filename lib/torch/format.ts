/** The printed form of a tensor, following PyTorch's `repr` (linewidth 80, precision 4, edgeitems 3, threshold 1000). */
import type { Tensor } from './tensor.js';
import { getDefaultDtype, hasNumberForm, isFloatingPoint } from './dtype.js';

const LINEWIDTH = 80;
const THRESHOLD = 1000;
const EDGE = 3;

function sci(x: number): string {
  return x.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2');
}

/** PyTorch's _Formatter: one width and one style for all shown values. */
function makeFormatter(values: number[], floating: boolean, isBool: boolean): (x: number) => string {
  if (isBool) {
    const w = values.some((v) => v === 0) ? 5 : 4;
    return (x) => (x !== 0 ? 'True' : 'False').padStart(w);
  }
  if (!floating) {
    const w = values.reduce((m, v) => Math.max(m, String(v).length), 1);
    return (x) => String(x).padStart(w);
  }
  const nz = values.filter((v) => Number.isFinite(v) && v !== 0).map(Math.abs);
  let width = 1;
  let style: 'int' | 'sci' | 'fixed' = 'int';
  if (nz.length > 0) {
    const max = Math.max(...nz);
    const min = Math.min(...nz);
    const intMode = values.every((v) => !Number.isFinite(v) || Number.isInteger(v));
    if (intMode) {
      style = max / min > 1000 || max > 1e8 ? 'sci' : 'int';
    } else {
      style = max / min > 1000 || max > 1e8 || min < 1e-4 ? 'sci' : 'fixed';
    }
    for (const v of values.filter((x) => Number.isFinite(x) && x !== 0)) {
      const s = style === 'sci' ? sci(v) : style === 'int' ? `${v.toFixed(0)}.` : v.toFixed(4);
      width = Math.max(width, s.length);
    }
  }
  return (x) => {
    let s: string;
    if (Number.isNaN(x)) s = 'nan';
    else if (!Number.isFinite(x)) s = x > 0 ? 'inf' : '-inf';
    else if (style === 'sci') s = sci(x);
    else if (style === 'int') s = `${x.toFixed(0)}.`;
    else s = x.toFixed(4);
    return s.padStart(width);
  };
}

/**
 * PyTorch-like repr: `tensor([[1., 2.], [3., 4.]], dtype=torch.float64)`.
 * Dtypes without a number form (bits*, float4_e2m1fn_x2) show their raw
 * bytes (bits16: 16-bit words) as integers.
 */
export function formatTensor(t: Tensor): string {
  const shape = t.shape;
  const dtype = t.dtype;
  const opaque = !hasNumberForm(dtype);
  // int64/uint64 elements print from their bigints, all digits exact (the
  // integer formatter only calls String() on them).
  const wide = dtype === 'int64' || dtype === 'uint64';
  const values =
    t.numel() === 0
      ? []
      : opaque
        ? Array.from(t.toTypedArray() as Uint8Array | Uint16Array)
        : wide
          ? (Array.from(t.toTypedArray() as BigInt64Array | BigUint64Array) as unknown as number[])
          : t.dataSync();
  const floating = !opaque && isFloatingPoint(dtype);
  const summarize = values.length > THRESHOLD;
  const strides: number[] = [];
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= shape[i];
  }
  // Indices shown along a dim (null marks the '...').
  const shown = (n: number): (number | null)[] => (summarize && n > 2 * EDGE ? [0, 1, 2, null, n - 3, n - 2, n - 1] : Array.from({ length: n }, (_, i) => i));
  // Values that will be printed decide the format (as PyTorch's summarized data).
  const visible: number[] = [];
  const gather = (d: number, off: number) => {
    if (d === shape.length) {
      visible.push(values[off]);
      return;
    }
    for (const i of shown(shape[d])) if (i !== null) gather(d + 1, off + i * strides[d]);
  };
  if (values.length > 0) gather(0, 0);
  const fmt = makeFormatter(visible, floating, dtype === 'bool');
  const vector = (off: number, indent: number): string => {
    const n = shape[shape.length - 1];
    const items = shown(n).map((i) => (i === null ? ' ...' : fmt(values[off + i * strides[shape.length - 1]])));
    const elementLength = (items.find((s) => s !== ' ...') ?? '').length + 2;
    const perLine = Math.max(1, Math.floor((LINEWIDTH - indent) / elementLength));
    const lines: string[] = [];
    for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
    return `[${lines.join(`,\n${' '.repeat(indent + 1)}`)}]`;
  };
  const render = (d: number, off: number, indent: number): string => {
    if (d === shape.length - 1) return vector(off, indent);
    const parts = shown(shape[d]).map((i) => (i === null ? '...' : render(d + 1, off + i * strides[d], indent + 1)));
    return `[${parts.join(`,${'\n'.repeat(shape.length - d - 1)}${' '.repeat(indent + 1)}`)}]`;
  };
  const indent = 'tensor('.length;
  let body: string;
  if (shape.length === 0) body = fmt(values[0]).trim();
  else if (values.length === 0) body = '[]';
  else body = render(0, 0, indent);
  const extras: string[] = [];
  if (values.length === 0) {
    if (shape.length !== 1) extras.push(`size=(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`);
    if (dtype !== getDefaultDtype()) extras.push(`dtype=torch.${dtype}`);
  } else if (dtype !== getDefaultDtype() && dtype !== 'int64' && dtype !== 'bool') {
    extras.push(`dtype=torch.${dtype}`);
  }
  const dev = t.device.toString();
  if (dev !== 'cpu') extras.splice(0, 0, `device='${dev}'`);
  const gradFn = t.gradFn;
  if (gradFn !== null) extras.push(`grad_fn=<${gradFn}>`);
  else if (t.requiresGrad) extras.push('requires_grad=True');
  return `tensor(${body}${extras.map((e) => `, ${e}`).join('')})`;
}
