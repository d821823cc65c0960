/**
 * The one spec of the tensor op surface. `scripts/gen-ops.ts` turns it into
 * lib/torch/generated/ops.ts (typed Tensor methods and torch.* functions).
 *
 * Parameter syntax: `name: type` or `name: type = default` (TS default);
 * `name?: type` for optional. Types:
 *   T (Tensor), T? (Tensor|null), T[] (Tensor[]), T?[] ((Tensor|null)[]),
 *   TS (Tensor or scalar: picks the first aten overload for a Tensor, the second
 *   for a scalar; with one overload a scalar becomes a 0-dim tensor),
 *   S (number|boolean), int, int[], dims (number|number[]), float, bool, str,
 *   dtype, shape (number[] or varargs).
 * `params` are PyTorch's positional parameters, `kw` its keyword-only ones
 * (passed in an options object).
 */

export interface Overload {
  /** aten name with overload, e.g. 'add.Tensor'. */
  aten: string;
  /** TS condition selecting this overload (first match wins; last is the fallback). */
  when?: string;
  /** Expressions passed to the operator in schema order (default: self, params, kw). */
  call?: string[];
}

export interface OpSpec {
  name: string;
  doc: string;
  /** Positional parameters (after self). */
  params?: string[];
  /** Keyword-only parameters, passed as `opts`. */
  kw?: string[];
  aten: string | (string | Overload)[];
  /** Default 'T'. 'T[]' a list, 'T2' a [values, indices] pair, 'num'/'bool' plain values. */
  returns?: 'T' | 'T[]' | 'T2' | 'num' | 'bool';
  /** Has a Tensor method (default true when the op takes self). */
  method?: boolean;
  /** Has a torch.* function (default true). */
  fn?: boolean;
  /** Also generate the in-place `name_` method from `aten_` overloads. */
  inplace?: boolean;
  /** In-place overload names when they do not mirror `aten` (e.g. pow_.Scalar for pow.Tensor_Scalar). */
  inplaceAten?: string[];
  /** false for ops without self (torch.cat, torch.einsum...). */
  self?: boolean;
}

const unary = (name: string, aten: string, doc: string, inplace = true): OpSpec => ({ name, aten, doc, inplace });
const binary = (name: string, base: string, doc: string, inplace = true): OpSpec => ({
  name, doc, params: ['other: TS'], aten: [`${base}.Tensor`, `${base}.Scalar`], inplace,
});

export const OPS: OpSpec[] = [
  // ---- arithmetic
  { name: 'add', doc: 'self + alpha * other, broadcasting (alpha default 1).', params: ['other: TS'], kw: ['alpha?: S'],
    aten: ['add.Tensor', 'add.Scalar'], inplace: true },
  { name: 'sub', doc: 'self - alpha * other, broadcasting (alpha default 1).', params: ['other: TS'], kw: ['alpha?: S'],
    aten: ['sub.Tensor', 'sub.Scalar'], inplace: true },
  binary('mul', 'mul', 'Elementwise product, broadcasting.'),
  { name: 'div', doc: "Elementwise true division; roundingMode 'trunc' or 'floor' rounds (default null: none).",
    params: ['other: TS'], kw: ['roundingMode?: str'],
    aten: [
      { aten: 'div.Tensor_mode', when: 'isTensor(other) && opts.roundingMode != null' },
      { aten: 'div.Scalar_mode', when: 'opts.roundingMode != null' },
      { aten: 'div.Tensor', when: 'isTensor(other)', call: ['self', 'other'] },
      { aten: 'div.Scalar', call: ['self', 'other'] },
    ], inplace: true },
  { name: 'pow', doc: 'self raised to exponent, elementwise.', params: ['exponent: TS'],
    aten: ['pow.Tensor_Tensor', 'pow.Tensor_Scalar'], inplace: true, inplaceAten: ['pow_.Tensor', 'pow_.Scalar'] },
  binary('remainder', 'remainder', 'Python-style modulus (sign of the divisor).'),
  binary('fmod', 'fmod', 'C-style modulus (sign of the dividend).'),
  { name: 'atan2', doc: 'Elementwise atan2(self, other).', params: ['other: T'], aten: 'atan2', inplace: true },
  unary('neg', 'neg', 'Elementwise negation.'),
  unary('abs', 'abs', 'Elementwise absolute value.'),
  unary('sqrt', 'sqrt', 'Elementwise square root.'),
  unary('rsqrt', 'rsqrt', 'Elementwise 1/sqrt.'),
  unary('square', 'square', 'Elementwise square.'),
  unary('exp', 'exp', 'Elementwise exponential.'),
  unary('expm1', 'expm1', 'Elementwise exp(x) - 1.'),
  unary('log', 'log', 'Elementwise natural logarithm.'),
  unary('log2', 'log2', 'Elementwise base-2 logarithm.'),
  unary('log10', 'log10', 'Elementwise base-10 logarithm.'),
  unary('log1p', 'log1p', 'Elementwise log(1 + x).'),
  unary('sin', 'sin', 'Elementwise sine.'),
  unary('cos', 'cos', 'Elementwise cosine.'),
  unary('tan', 'tan', 'Elementwise tangent.'),
  unary('tanh', 'tanh', 'Elementwise hyperbolic tangent.'),
  unary('sigmoid', 'sigmoid', 'Elementwise logistic sigmoid.'),
  unary('relu', 'relu', 'Elementwise max(x, 0).'),
  unary('erf', 'erf', 'Elementwise error function.'),
  unary('erfinv', 'erfinv', 'Elementwise inverse error function.'),
  unary('floor', 'floor', 'Elementwise floor.'),
  unary('ceil', 'ceil', 'Elementwise ceiling.'),
  unary('trunc', 'trunc', 'Elementwise truncation toward zero.'),
  unary('sign', 'sign', 'Elementwise sign (-1, 0, 1).'),
  unary('reciprocal', 'reciprocal', 'Elementwise 1/x.'),
  { name: 'round', doc: 'Rounds half to even; `decimals` (default 0) digits after the point.', kw: ['decimals?: int'],
    aten: [{ aten: 'round.decimals', when: 'opts.decimals != null' }, { aten: 'round', call: ['self'] }], inplace: true },
  { name: 'clamp', doc: 'Clamps into [min, max]; either bound may be null. Throws when both are null.',
    params: ['min?: TS', 'max?: TS'],
    aten: [{ aten: 'clamp.Tensor', when: 'isTensor(min) || isTensor(max)' }, { aten: 'clamp' }], inplace: true },
  { name: 'clampMin', doc: 'Clamps from below.', params: ['min: TS'], aten: ['clamp_min.Tensor', 'clamp_min'], inplace: true },
  { name: 'clampMax', doc: 'Clamps from above.', params: ['max: TS'], aten: ['clamp_max.Tensor', 'clamp_max'], inplace: true },
  { name: 'maximum', doc: 'Elementwise maximum of two tensors.', params: ['other: T'], aten: 'maximum' },
  { name: 'minimum', doc: 'Elementwise minimum of two tensors.', params: ['other: T'], aten: 'minimum' },
  { name: 'lerp', doc: 'self + weight * (end - self).', params: ['end: T', 'weight: TS'], aten: ['lerp.Tensor', 'lerp.Scalar'], inplace: true },
  { name: 'addcmul', doc: 'self + value * tensor1 * tensor2 (value default 1).', params: ['tensor1: T', 'tensor2: T'], kw: ['value?: S'], aten: 'addcmul', inplace: true },
  { name: 'addcdiv', doc: 'self + value * tensor1 / tensor2 (value default 1).', params: ['tensor1: T', 'tensor2: T'], kw: ['value?: S'], aten: 'addcdiv', inplace: true },
  { name: 'nanToNum', doc: 'Replaces NaN (default 0) and infinities (default: dtype extremes).', params: ['nan?: float', 'posinf?: float', 'neginf?: float'], aten: 'nan_to_num', inplace: true },

  // ---- comparison and logic
  binary('eq', 'eq', 'Elementwise ==, as a bool tensor.'),
  binary('ne', 'ne', 'Elementwise !=, as a bool tensor.'),
  binary('lt', 'lt', 'Elementwise <, as a bool tensor.'),
  binary('le', 'le', 'Elementwise <=, as a bool tensor.'),
  binary('gt', 'gt', 'Elementwise >, as a bool tensor.'),
  binary('ge', 'ge', 'Elementwise >=, as a bool tensor.'),
  { name: 'logicalAnd', doc: 'Elementwise logical and.', params: ['other: T'], aten: 'logical_and', inplace: true },
  { name: 'logicalOr', doc: 'Elementwise logical or.', params: ['other: T'], aten: 'logical_or', inplace: true },
  { name: 'logicalXor', doc: 'Elementwise logical xor.', params: ['other: T'], aten: 'logical_xor', inplace: true },
  unary('logicalNot', 'logical_not', 'Elementwise logical not.'),
  unary('bitwiseNot', 'bitwise_not', 'Elementwise bitwise not (logical not for bool).'),
  unary('isnan', 'isnan', 'True where NaN.', false),
  unary('isinf', 'isinf', 'True where +-infinity.', false),
  unary('isfinite', 'isfinite', 'True where finite.', false),
  { name: 'isclose', doc: 'Elementwise |self - other| <= atol + rtol * |other| (rtol 1e-5, atol 1e-8).', params: ['other: T'], kw: ['rtol?: float', 'atol?: float', 'equalNan?: bool'], aten: 'isclose' },
  { name: 'allclose', doc: 'True when every element isclose (rtol 1e-5, atol 1e-8).', params: ['other: T'], kw: ['rtol?: float', 'atol?: float', 'equalNan?: bool'], aten: 'allclose', returns: 'bool' },
  { name: 'equal', doc: 'True when both tensors have the same size and elements.', params: ['other: T'], aten: 'equal', returns: 'bool' },

  // ---- reductions
  { name: 'sum', doc: 'Sum of all elements, or over `dim` (keepdim default false).', params: ['dim?: dims', 'keepdim: bool = false'], kw: ['dtype?: dtype'],
    aten: [{ aten: 'sum.dim_IntList', when: 'dim != null' }, { aten: 'sum', call: ['self', 'opts.dtype'] }] },
  { name: 'mean', doc: 'Mean of all elements, or over `dim` (keepdim default false).', params: ['dim?: dims', 'keepdim: bool = false'], kw: ['dtype?: dtype'],
    aten: [{ aten: 'mean.dim', when: 'dim != null' }, { aten: 'mean', call: ['self', 'opts.dtype'] }] },
  { name: 'prod', doc: 'Product of all elements, or over `dim`.', params: ['dim?: int', 'keepdim: bool = false'], kw: ['dtype?: dtype'],
    aten: [{ aten: 'prod.dim_int', when: 'dim != null' }, { aten: 'prod', call: ['self', 'opts.dtype'] }] },
  { name: 'std', doc: 'Standard deviation over all elements or `dim` (correction default 1, i.e. unbiased).', params: ['dim?: dims'], kw: ['correction?: int', 'keepdim?: bool'],
    aten: [{ aten: 'std.correction', call: ['self', 'dim ?? null', 'opts.correction ?? 1', 'opts.keepdim ?? false'] }] },
  { name: 'var', doc: 'Variance over all elements or `dim` (correction default 1, i.e. unbiased).', params: ['dim?: dims'], kw: ['correction?: int', 'keepdim?: bool'],
    aten: [{ aten: 'var.correction', call: ['self', 'dim ?? null', 'opts.correction ?? 1', 'opts.keepdim ?? false'] }] },
  { name: 'norm', doc: 'p-norm (default 2) of all elements or over `dim`.', params: ['p: S = 2', 'dim?: dims', 'keepdim: bool = false'],
    aten: [{ aten: 'norm.ScalarOpt_dim', when: 'dim != null' }, { aten: 'norm.Scalar', call: ['self', 'p'] }] },
  { name: 'any', doc: 'True if any element (over `dim`) is nonzero.', params: ['dim?: int', 'keepdim: bool = false'],
    aten: [{ aten: 'any.dim', when: 'dim != null' }, { aten: 'any', call: ['self'] }] },
  { name: 'all', doc: 'True if every element (over `dim`) is nonzero.', params: ['dim?: int', 'keepdim: bool = false'],
    aten: [{ aten: 'all.dim', when: 'dim != null' }, { aten: 'all', call: ['self'] }] },
  { name: 'argmax', doc: 'Index of the maximum (flattened when dim is omitted).', params: ['dim?: int', 'keepdim: bool = false'], aten: 'argmax' },
  { name: 'argmin', doc: 'Index of the minimum (flattened when dim is omitted).', params: ['dim?: int', 'keepdim: bool = false'], aten: 'argmin' },
  { name: 'amax', doc: 'Maximum over dims (all when omitted).', params: ['dim: dims = []', 'keepdim: bool = false'], aten: 'amax' },
  { name: 'amin', doc: 'Minimum over dims (all when omitted).', params: ['dim: dims = []', 'keepdim: bool = false'], aten: 'amin' },
  { name: 'logsumexp', doc: 'log(sum(exp(self))) over dim, computed stably.', params: ['dim: dims', 'keepdim: bool = false'], aten: 'logsumexp' },
  { name: 'cumsum', doc: 'Cumulative sum along dim.', params: ['dim: int'], kw: ['dtype?: dtype'], aten: 'cumsum' },
  { name: 'cumprod', doc: 'Cumulative product along dim.', params: ['dim: int'], kw: ['dtype?: dtype'], aten: 'cumprod' },
  { name: 'countNonzero', doc: 'Number of nonzero elements (over dim).', params: ['dim?: int'], aten: 'count_nonzero' },
  { name: '_maxAll', doc: 'Maximum of all elements.', aten: 'max', fn: false },
  { name: '_maxDim', doc: 'Maximum along dim with indices.', params: ['dim: int', 'keepdim: bool = false'], aten: 'max.dim', returns: 'T2', fn: false },
  { name: '_minAll', doc: 'Minimum of all elements.', aten: 'min', fn: false },
  { name: '_minDim', doc: 'Minimum along dim with indices.', params: ['dim: int', 'keepdim: bool = false'], aten: 'min.dim', returns: 'T2', fn: false },
  { name: '_medianAll', doc: 'Median of all elements.', aten: 'median', fn: false },
  { name: '_medianDim', doc: 'Median along dim with indices.', params: ['dim: int', 'keepdim: bool = false'], aten: 'median.dim', returns: 'T2', fn: false },

  // ---- linear algebra
  { name: 'matmul', doc: 'Matrix product with broadcasting over batch dims.', params: ['other: T'], aten: 'matmul' },
  { name: 'mm', doc: 'Matrix product of two 2-D tensors.', params: ['mat2: T'], aten: 'mm' },
  { name: 'bmm', doc: 'Batched matrix product of two 3-D tensors.', params: ['mat2: T'], aten: 'bmm' },
  { name: 'addmm', doc: 'beta * self + alpha * (mat1 @ mat2) (beta, alpha default 1).', params: ['mat1: T', 'mat2: T'], kw: ['beta?: S', 'alpha?: S'], aten: 'addmm', inplace: true },
  { name: 'baddbmm', doc: 'beta * self + alpha * (batch1 @ batch2) (beta, alpha default 1).', params: ['batch1: T', 'batch2: T'], kw: ['beta?: S', 'alpha?: S'], aten: 'baddbmm', inplace: true },
  { name: 'dot', doc: 'Dot product of two 1-D tensors.', params: ['other: T'], aten: 'dot' },
  { name: 'outer', doc: 'Outer product of two 1-D tensors.', params: ['vec2: T'], aten: 'outer' },
  { name: 'einsum', doc: "Einstein summation, e.g. einsum('ij,jk->ik', [a, b]).", self: false, params: ['equation: str', 'operands: T[]'], aten: 'einsum' },

  // ---- shape
  { name: 'view', doc: 'A view with a new shape (one dim may be -1); throws when not viewable.', params: ['...size: shape'], aten: 'view' },
  { name: 'reshape', doc: 'A view or copy with a new shape (one dim may be -1).', params: ['...shape: shape'], aten: 'reshape' },
  { name: 'flatten', doc: 'Flattens dims startDim..endDim (default all).', params: ['startDim: int = 0', 'endDim: int = -1'], aten: 'flatten.using_ints' },
  { name: 'unflatten', doc: 'Expands dim into sizes.', params: ['dim: int', 'sizes: int[]'], aten: 'unflatten.int' },
  { name: 'permute', doc: 'Reorders dims.', params: ['...dims: shape'], aten: 'permute' },
  { name: 'transpose', doc: 'Swaps two dims.', params: ['dim0: int', 'dim1: int'], aten: 'transpose.int', inplace: true, inplaceAten: ['transpose_'] },
  { name: 'swapaxes', doc: 'Alias of transpose.', params: ['axis0: int', 'axis1: int'], aten: 'transpose.int' },
  { name: 't', doc: 'Transposes a tensor of at most 2 dims.', aten: 't', inplace: true },
  { name: 'movedim', doc: 'Moves dims from source to destination positions.', params: ['source: dims', 'destination: dims'], aten: 'movedim.intlist' },
  { name: 'unsqueeze', doc: 'Inserts a dim of size 1 at dim.', params: ['dim: int'], aten: 'unsqueeze', inplace: true },
  { name: 'squeeze', doc: 'Removes dims of size 1 (only `dim` when given).', params: ['dim?: int'],
    aten: [{ aten: 'squeeze.dim', when: 'dim != null' }, { aten: 'squeeze', call: ['self'] }], inplace: true },
  { name: 'expand', doc: 'Broadcasts to a larger size without copying (-1 keeps a dim).', params: ['...size: shape'], aten: 'expand' },
  { name: 'expandAs', doc: 'expand(other.shape).', params: ['other: T'], aten: 'expand_as' },
  { name: 'broadcastTo', doc: 'Broadcasts to shape.', params: ['shape: int[]'], aten: 'broadcast_to' },
  { name: 'repeat', doc: 'Tiles the tensor along each dim.', params: ['...repeats: shape'], aten: 'repeat' },
  { name: 'contiguous', doc: 'Self when contiguous, else a contiguous copy.', aten: 'contiguous' },
  { name: 'narrow', doc: 'A view of `length` elements along dim from start.', params: ['dim: int', 'start: int', 'length: int'], aten: 'narrow' },
  { name: 'select', doc: 'The slice at `index` along dim (removes the dim).', params: ['dim: int', 'index: int'], aten: 'select.int' },
  { name: 'slice', doc: 'Elements start..end by step along dim (a view).', params: ['dim: int = 0', 'start?: int', 'end?: int', 'step: int = 1'], aten: 'slice.Tensor', fn: false },
  { name: 'asStrided', doc: 'A view with explicit size, stride and storage offset.', params: ['size: int[]', 'stride: int[]', 'storageOffset?: int'], aten: 'as_strided' },
  { name: 'unbind', doc: 'Splits along dim into tensors without that dim.', params: ['dim: int = 0'], aten: 'unbind.int', returns: 'T[]' },
  { name: 'split', doc: 'Splits into chunks of splitSize (or of the given sizes) along dim.', params: ['splitSize: dims', 'dim: int = 0'],
    aten: [{ aten: 'split_with_sizes', when: 'Array.isArray(splitSize)' }, { aten: 'split.Tensor' }], returns: 'T[]' },
  { name: 'chunk', doc: 'Splits into `chunks` nearly equal pieces along dim.', params: ['chunks: int', 'dim: int = 0'], aten: 'chunk', returns: 'T[]' },
  { name: 'flip', doc: 'Reverses the order along dims.', params: ['...dims: shape'], aten: 'flip' },
  { name: 'roll', doc: 'Rolls elements along dims.', params: ['shifts: dims', 'dims: dims = []'], aten: 'roll' },
  { name: 'tril', doc: 'Lower triangle (diagonal default 0).', params: ['diagonal: int = 0'], aten: 'tril', inplace: true },
  { name: 'triu', doc: 'Upper triangle (diagonal default 0).', params: ['diagonal: int = 0'], aten: 'triu', inplace: true },
  { name: 'diag', doc: 'Diagonal of a matrix, or a diagonal matrix from a vector.', params: ['diagonal: int = 0'], aten: 'diag' },
  { name: 'cat', doc: 'Concatenates tensors along dim (default 0).', self: false, params: ['tensors: T[]', 'dim: int = 0'], aten: 'cat' },
  { name: 'concat', doc: 'Alias of cat.', self: false, params: ['tensors: T[]', 'dim: int = 0'], aten: 'cat' },
  { name: 'stack', doc: 'Stacks tensors along a new dim (default 0).', self: false, params: ['tensors: T[]', 'dim: int = 0'], aten: 'stack' },

  // ---- indexing
  { name: 'indexSelect', doc: 'Elements at `index` (1-D int64) along dim.', params: ['dim: int', 'index: T'], aten: 'index_select' },
  { name: 'gather', doc: 'out[i][j] = self[index[i][j]][j] (for dim 0), and so on.', params: ['dim: int', 'index: T'], aten: 'gather' },
  { name: 'scatter', doc: 'Writes src (tensor or scalar) at index along dim.', params: ['dim: int', 'index: T', 'src: TS'], aten: ['scatter.src', 'scatter.value'], inplace: true },
  { name: 'scatterAdd', doc: 'Adds src at index along dim.', params: ['dim: int', 'index: T', 'src: T'], aten: 'scatter_add', inplace: true },
  { name: 'indexAdd', doc: 'Adds source rows at index along dim (alpha default 1).', params: ['dim: int', 'index: T', 'source: T'], kw: ['alpha?: S'], aten: 'index_add', inplace: true },
  { name: 'maskedFill', doc: 'Fills value where mask is true.', params: ['mask: T', 'value: TS'], aten: ['masked_fill.Tensor', 'masked_fill.Scalar'], inplace: true },
  { name: 'maskedSelect', doc: 'A 1-D tensor of the elements where mask is true.', params: ['mask: T'], aten: 'masked_select' },
  { name: 'take', doc: 'Elements at flat indices.', params: ['index: T'], aten: 'take' },
  { name: 'nonzero', doc: 'Indices of nonzero elements, shape [n, dim].', aten: 'nonzero' },
  { name: 'where', doc: 'Elementwise condition ? input : other (scalars allowed).', self: false, params: ['condition: T', 'input: TS', 'other: TS'],
    aten: [
      { aten: 'where.self', when: 'isTensor(input) && isTensor(other)' },
      { aten: 'where.ScalarOther', when: 'isTensor(input)' },
      { aten: 'where.ScalarSelf', when: 'isTensor(other)' },
      { aten: 'where.Scalar' },
    ] },
  { name: '_index', doc: 'Advanced indexing with a list of index tensors (null skips a dim).', params: ['indices: T?[]'], aten: 'index.Tensor', fn: false },
  { name: '_indexPut', doc: 'In-place advanced assignment.', params: ['indices: T?[]', 'values: T', 'accumulate: bool = false'], aten: 'index_put_', fn: false, returns: 'T' },

  // ---- softmax, sorting, sampling
  { name: 'softmax', doc: 'Softmax along dim.', params: ['dim: int'], kw: ['dtype?: dtype'], aten: 'softmax.int' },
  { name: 'logSoftmax', doc: 'Log of softmax along dim, computed stably.', params: ['dim: int'], kw: ['dtype?: dtype'], aten: 'log_softmax.int' },
  { name: 'topk', doc: 'The k largest (or smallest) elements along dim (default last) and their indices.', params: ['k: int', 'dim: int = -1', 'largest: bool = true', 'sorted: bool = true'], aten: 'topk', returns: 'T2' },
  { name: 'sort', doc: 'Sorted values and indices along dim (default last).', params: ['dim: int = -1', 'descending: bool = false'], kw: ['stable?: bool'],
    aten: [{ aten: 'sort.stable', call: ['self', 'opts.stable ?? false', 'dim', 'descending'] }], returns: 'T2' },
  { name: 'argsort', doc: 'Indices that sort along dim (default last).', params: ['dim: int = -1', 'descending: bool = false'], aten: 'argsort' },
  { name: 'multinomial', doc: 'Samples indices from rows of probabilities.', params: ['numSamples: int', 'replacement: bool = false'], aten: 'multinomial' },
  { name: 'bernoulli', doc: 'Samples 0/1 with probabilities self (or p).', params: ['p?: float'],
    aten: [{ aten: 'bernoulli.p', when: 'p != null', call: ['self', 'p', 'null'] }, { aten: 'bernoulli', call: ['self', 'null'] }] },

  // ---- copies, fills, in-place initializers
  { name: 'clone', doc: 'A copy that stays in the autograd graph.', aten: 'clone' },
  { name: 'detach', doc: 'A tensor sharing data but cut from the autograd graph.', aten: 'detach', inplace: true },
  { name: 'typeAs', doc: 'Self converted to the dtype of other.', params: ['other: T'], aten: 'type_as' },
  { name: 'fill_', doc: 'Fills with value in place.', params: ['value: TS'], aten: ['fill_.Tensor', 'fill_.Scalar'], fn: false },
  { name: 'zero_', doc: 'Fills with zeros in place.', aten: 'zero_', fn: false },
  { name: 'copy_', doc: 'Copies src (broadcast) into self in place.', params: ['src: T', 'nonBlocking: bool = false'], aten: 'copy_', fn: false },
  { name: 'normal_', doc: 'Fills with N(mean, std) samples in place (defaults 0, 1).', params: ['mean: float = 0', 'std: float = 1'], aten: 'normal_', fn: false },
  { name: 'uniform_', doc: 'Fills with U(from, to) samples in place (defaults 0, 1).', params: ['from: float = 0', 'to: float = 1'], aten: 'uniform_', fn: false },
  { name: 'bernoulli_', doc: 'Fills with Bernoulli(p) samples in place (default 0.5).', params: ['p: float = 0.5'], aten: 'bernoulli_.float', fn: false },

  // ---- neural-network kernels (wrapped with PyTorch signatures in nn.functional)
  { name: '_linear', doc: 'input @ weight.T + bias.', self: false, params: ['input: T', 'weight: T', 'bias?: T?'], aten: 'linear', method: false },
  { name: '_embedding', doc: 'Rows of weight at indices.', self: false, params: ['weight: T', 'indices: T', 'paddingIdx: int = -1', 'scaleGradByFreq: bool = false', 'sparse: bool = false'], aten: 'embedding', method: false },
  { name: '_layerNorm', doc: 'Layer normalization over the trailing normalizedShape dims.', self: false, params: ['input: T', 'normalizedShape: int[]', 'weight?: T?', 'bias?: T?', 'eps: float = 1e-5'], aten: 'layer_norm', method: false },
  { name: '_dropout', doc: 'Dropout with probability p when train.', self: false, params: ['input: T', 'p: float', 'train: bool'], aten: 'dropout', method: false },
  { name: '_dropout_', doc: 'In-place dropout.', self: false, params: ['input: T', 'p: float', 'train: bool'], aten: 'dropout_', method: false },
  { name: '_gelu', doc: "GELU ('none' or 'tanh' approximation).", self: false, params: ['input: T'], kw: ['approximate?: str'], aten: 'gelu', method: false },
  { name: '_crossEntropyLoss', doc: 'Cross entropy from logits.', self: false, params: ['input: T', 'target: T', 'weight?: T?', 'reduction: int = 1', 'ignoreIndex: int = -100', 'labelSmoothing: float = 0'], aten: 'cross_entropy_loss', method: false },
  { name: '_nllLoss', doc: 'Negative log likelihood from log-probabilities.', self: false, params: ['input: T', 'target: T', 'weight?: T?', 'reduction: int = 1', 'ignoreIndex: int = -100'], aten: 'nll_loss_nd', method: false },
  { name: '_mseLoss', doc: 'Mean squared error.', self: false, params: ['input: T', 'target: T', 'reduction: int = 1'], aten: 'mse_loss', method: false },
  { name: '_l1Loss', doc: 'Mean absolute error.', self: false, params: ['input: T', 'target: T', 'reduction: int = 1'], aten: 'l1_loss', method: false },
  { name: '_bceWithLogits', doc: 'Binary cross entropy from logits.', self: false, params: ['input: T', 'target: T', 'weight?: T?', 'posWeight?: T?', 'reduction: int = 1'], aten: 'binary_cross_entropy_with_logits', method: false },
  { name: '_sdpa', doc: 'softmax(q k^T * scale + mask) v, fused where libtorch has a kernel.', self: false,
    params: ['query: T', 'key: T', 'value: T', 'attnMask?: T?', 'dropoutP: float = 0', 'isCausal: bool = false'], kw: ['scale?: float'],
    aten: 'scaled_dot_product_attention', method: false },
  { name: '_constantPad', doc: 'Pads with a constant.', self: false, params: ['input: T', 'pad: int[]', 'value: S = 0'], aten: 'constant_pad_nd', method: false },
  { name: '_leakyRelu', doc: 'Leaky ReLU.', self: false, params: ['input: T', 'negativeSlope: S = 0.01'], aten: 'leaky_relu', method: false },
  { name: '_silu', doc: 'SiLU.', self: false, params: ['input: T'], aten: 'silu', method: false },
  { name: '_softplus', doc: 'Softplus.', self: false, params: ['input: T', 'beta: S = 1', 'threshold: S = 20'], aten: 'softplus', method: false },
  { name: '_oneHot', doc: 'One-hot encoding.', self: false, params: ['input: T', 'numClasses: int = -1'], aten: 'one_hot', method: false },
];
