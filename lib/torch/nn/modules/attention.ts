/** Multi-head attention with PyTorch's parameter names and math. */
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { Linear } from './linear.js';
import { empty, zerosLike } from '../../creation.js';
import { Tensor } from '../../tensor.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { checkOptions, rangeError } from '../../errors.js';
import { noGrad } from '../../autograd.js';
import type { DType } from '../../dtype.js';
import type { DeviceLike } from '../../device.js';

/** Options of MultiheadAttention. */
export interface MultiheadAttentionOptions {
  /** Dropout on attention weights (default 0). */
  dropout?: number;
  /** Biases on the projections (default true). */
  bias?: boolean;
  /** Inputs as [B, L, E] instead of [L, B, E] (default false). */
  batchFirst?: boolean;
  device?: DeviceLike;
  dtype?: DType;
}

/** Options of MultiheadAttention.forward. */
export interface AttentionCallOptions {
  /** [B, S] bool (true = ignore) or float (added) mask of keys. */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights (default true). */
  needWeights?: boolean;
  /** [L, S] or [B*heads, L, S] bool (true = not allowed) or float (added) mask. */
  attnMask?: Tensor | null;
  /** Average the returned weights over heads (default true). */
  averageAttnWeights?: boolean;
}

/**
 * Attention over `numHeads` heads: packed `in_proj_weight` [3E, E] (xavier
 * uniform), `in_proj_bias` (zeros), `out_proj` Linear (bias zeroed).
 */
export class MultiheadAttention extends Module {
  readonly embedDim: number;
  readonly numHeads: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly headDim: number;
  in_proj_weight: Parameter;
  in_proj_bias: Parameter | null;
  out_proj: Linear;

  /** @throws RangeError when embedDim is not divisible by numHeads; TypeError on unknown options. */
  constructor(embedDim: number, numHeads: number, opts: MultiheadAttentionOptions = {}) {
    super();
    checkOptions(opts, ['dropout', 'bias', 'batchFirst', 'device', 'dtype'], 'MultiheadAttention');
    if (!Number.isInteger(embedDim) || embedDim <= 0) rangeError('a positive integer', 'embedDim', embedDim);
    if (!Number.isInteger(numHeads) || numHeads <= 0) rangeError('a positive integer', 'numHeads', numHeads);
    if (embedDim % numHeads !== 0) throw new RangeError(`embed_dim must be divisible by num_heads (embedDim ${embedDim}, numHeads ${numHeads})`);
    this.embedDim = embedDim;
    this.numHeads = numHeads;
    this.dropout = opts.dropout ?? 0;
    this.batchFirst = opts.batchFirst ?? false;
    this.headDim = embedDim / numHeads;
    const f = { dtype: opts.dtype, device: opts.device };
    const bias = opts.bias ?? true;
    this.in_proj_weight = new Parameter(empty([3 * embedDim, embedDim], f));
    this.in_proj_bias = bias ? new Parameter(empty([3 * embedDim], f)) : null;
    this.out_proj = new Linear(embedDim, embedDim, { bias, ...f });
    this.resetParameters();
  }

  resetParameters(): void {
    init.xavierUniform_(this.in_proj_weight);
    if (this.in_proj_bias !== null) init.constant_(this.in_proj_bias, 0);
    if (this.out_proj.bias !== null) init.constant_(this.out_proj.bias, 0);
  }

  /**
   * Returns [output, weights] (weights null unless needWeights). Inputs are
   * [L, B, E] (or [B, L, E] with batchFirst).
   * @throws RangeError when the inputs' embedding size is not embedDim.
   */
  forward(query: Tensor, key: Tensor, value: Tensor, opts: AttentionCallOptions = {}): [Tensor, Tensor | null] {
    checkOptions(opts, ['keyPaddingMask', 'needWeights', 'attnMask', 'averageAttnWeights'], 'MultiheadAttention.forward');
    if (query.dim() !== 3) throw new RangeError(`MultiheadAttention expects 3-D query [L, B, E]${this.batchFirst ? ' ([B, L, E] with batchFirst)' : ''} but received ${query.dim()}-D`);
    if (key.dim() !== 3 || value.dim() !== 3) {
      throw new RangeError(`For batched (3-D) \`query\`, expected \`key\` and \`value\` to be 3-D but found ${key.dim()}-D and ${value.dim()}-D tensors respectively`);
    }
    const ks = key.shape;
    const vs = value.shape;
    if (ks.some((d, i) => d !== vs[i])) {
      throw new RangeError(`key shape torch.Size([${ks.join(', ')}]) does not match value shape torch.Size([${vs.join(', ')}])`);
    }
    let q = query, k = key, v = value;
    if (this.batchFirst) {
      q = query.transpose(1, 0);
      k = key === query ? q : key.transpose(1, 0);
      v = value === key ? k : value.transpose(1, 0);
    }
    const [out, w] = multiHeadAttentionForward(q, k, v, this, opts);
    return [this.batchFirst ? out.transpose(1, 0) : out, w];
  }

  override extraRepr(): string {
    return '';
  }
}

/** The attention math (as F.multi_head_attention_forward of PyTorch 1.13, packed projection). */
function multiHeadAttentionForward(query: Tensor, key: Tensor, value: Tensor, m: MultiheadAttention, opts: AttentionCallOptions): [Tensor, Tensor | null] {
  const [tgtLen, bsz, embedDim] = query.shape;
  if (embedDim !== m.embedDim) throw new RangeError(`was expecting embedding dimension of ${m.embedDim}, but got ${embedDim}`);
  const srcLen = key.size(0);
  const heads = m.numHeads;
  const hd = m.headDim;
  // Projections: q, k, v = linear(x, W_in, b_in) split in three.
  let q: Tensor, k: Tensor, v: Tensor;
  if (query === key && key === value) {
    [q, k, v] = F.linear(query, m.in_proj_weight, m.in_proj_bias).chunk(3, -1);
  } else {
    const [wq, wk, wv] = m.in_proj_weight.chunk(3);
    const [bq, bk, bv] = m.in_proj_bias === null ? [null, null, null] : m.in_proj_bias.chunk(3);
    q = F.linear(query, wq, bq);
    k = F.linear(key, wk, bk);
    v = F.linear(value, wv, bv);
  }
  // Masks: bool masks become -inf additive masks of shape [B*heads, L, S].
  let mask: Tensor | null = opts.attnMask ?? null;
  if (mask !== null) {
    if (mask.dim() === 2) {
      if (mask.size(0) !== tgtLen || mask.size(1) !== srcLen) {
        throw new RangeError(`The shape of the 2D attn_mask is [${mask.shape.join(', ')}], but should be [${tgtLen}, ${srcLen}].`);
      }
      mask = mask.unsqueeze(0);
    } else if (mask.dim() === 3) {
      const want = [bsz * heads, tgtLen, srcLen];
      if (mask.shape.some((d, i) => d !== want[i])) throw new RangeError(`The shape of the 3D attn_mask is [${mask.shape.join(', ')}], but should be [${want.join(', ')}].`);
    } else {
      throw new RangeError(`attn_mask's dimension ${mask.dim()} is not supported`);
    }
  }
  const kpm = opts.keyPaddingMask ?? null;
  if (kpm !== null) {
    if (kpm.dim() !== 2 || kpm.size(0) !== bsz || kpm.size(1) !== srcLen) {
      throw new RangeError(`expecting key_padding_mask shape of [${bsz}, ${srcLen}], but got [${kpm.shape.join(', ')}]`);
    }
    const expanded = kpm.view(bsz, 1, 1, srcLen).expand(-1, heads, -1, -1).reshape(bsz * heads, 1, srcLen);
    if (mask === null) mask = expanded;
    else if (mask.dtype === 'bool') mask = mask.logicalOr(expanded);
    else mask = mask.maskedFill(expanded, -Infinity);
  }
  if (mask !== null && mask.dtype === 'bool') {
    const additive = noGrad(() => zerosLike(mask as Tensor, { dtype: q.dtype }));
    additive.maskedFill_(mask, -Infinity);
    mask = additive;
  }
  // (L, B, E) -> (B*heads, L, hd)
  q = q.contiguous().view(tgtLen, bsz * heads, hd).transpose(0, 1);
  k = k.contiguous().view(k.size(0), bsz * heads, hd).transpose(0, 1);
  v = v.contiguous().view(v.size(0), bsz * heads, hd).transpose(0, 1);
  const dropoutP = m.training ? m.dropout : 0;
  // Scaled dot product: softmax(q k^T / sqrt(hd) + mask) v
  q = q.div(Math.sqrt(hd));
  const kt = k.transpose(-2, -1);
  let attn = mask !== null ? mask.baddbmm(q, kt) : q.bmm(kt);
  attn = attn.softmax(-1);
  if (dropoutP > 0) attn = F.dropout(attn, { p: dropoutP, training: true });
  let out = attn.bmm(v); // (B*heads, L, hd)
  out = out.transpose(0, 1).contiguous().view(tgtLen * bsz, embedDim);
  out = F.linear(out, m.out_proj.weight, m.out_proj.bias).view(tgtLen, bsz, embedDim);
  if (opts.needWeights ?? true) {
    let w = attn.view(bsz, heads, tgtLen, srcLen);
    if (opts.averageAttnWeights ?? true) w = w.sum(1).div(heads);
    return [out, w];
  }
  return [out, null];
}
