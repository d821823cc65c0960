/**
 * The exceptions to the generated op surface. Everything else comes from
 * scripts/ops-snapshot.json (libtorch's schemas and Python's namespaces, see
 * scripts/ops-snapshot.py): scripts/gen-ops.ts generates a typed TS function
 * or method for every public name there that maps to aten operators, except
 * the names below. Keys are 'namespace:python_name' (namespaces: torch,
 * Tensor, nn.functional, linalg, special, fft).
 */

/** Names left out of the generated surface, each with the reason. */
export const EXCLUDED: Record<string, string> = {
  // Complex numbers: the TS Tensor has no complex dtypes (dtype.ts), so these
  // would hand out tensors nothing can read.
  'torch:stft': 'returns complex tensors (complex dtypes are not supported)',
  'torch:istft': 'takes complex tensors (complex dtypes are not supported)',
  'Tensor:stft': 'returns complex tensors (complex dtypes are not supported)',
  'Tensor:istft': 'takes complex tensors (complex dtypes are not supported)',
  'Tensor:cfloat': 'converts to complex64 (complex dtypes are not supported)',
  'Tensor:cdouble': 'converts to complex128 (complex dtypes are not supported)',
  // Types with no TS form.
  'Tensor:qscheme': 'returns a torch.qscheme (quantized tensors are not supported)',
  'Tensor:record_stream': 'takes a CUDA stream (streams are not exposed)',
  // Sparse layouts: this library's tensors are strided (printing, data access and
  // serialization assume it), and Python binds these constructors by hand (the
  // dtype comes from the values). Dense tensors' toSparse()/toDense() are generated.
  'torch:sparse_coo_tensor': 'constructs a sparse tensor (sparse layouts are not supported; Python binds it by hand)',
  'torch:sparse_csr_tensor': 'constructs a sparse tensor (sparse layouts are not supported; Python binds it by hand)',
  'torch:sparse_csc_tensor': 'constructs a sparse tensor (sparse layouts are not supported; Python binds it by hand)',
  'torch:sparse_bsr_tensor': 'constructs a sparse tensor (sparse layouts are not supported; Python binds it by hand)',
  'torch:sparse_bsc_tensor': 'constructs a sparse tensor (sparse layouts are not supported; Python binds it by hand)',
  'torch:sparse_compressed_tensor': 'constructs a sparse tensor (sparse layouts are not supported; Python binds it by hand)',
  // Python's deprecated Tensor.resize/resize_as run autograd's Resize function, not aten::resize.
  'Tensor:resize': "deprecated in Python, where it runs autograd's Resize function rather than aten::resize (use reshape or resize_)",
  'Tensor:resize_as': "deprecated in Python, where it runs autograd's Resize function rather than aten::resize (use reshapeAs or resizeAs_)",
  // CUDA-only float8 kernels with recipe enums (no CPU kernel to run or test against).
  'nn.functional:scaled_mm': 'CUDA-only float8 matmul (torch._scaled_mm); its ScalingType/SwizzleType enums have no TS form',
  'nn.functional:scaled_grouped_mm': 'CUDA-only float8 grouped matmul (torch._scaled_grouped_mm); same enums',
};

/**
 * Python names implemented by hand rather than generated (their Python
 * semantics are not one operator call). The generator also skips every name
 * lib/torch already defines by hand (Tensor members in tensor.ts, exports of
 * creation.ts and the other modules index.ts re-exports, nn/functional.ts's own
 * functions); these are the ones whose TS form differs from the schema.
 */
export const HAND_WRITTEN: Record<string, string> = {
  'Tensor:index': "tensor.ts: Python's t[...] (numbers, slices, null, '...', index tensors, masks)",
  'Tensor:index_put_': "tensor.ts: Python's t[...] = v over the same index items",
  'Tensor:max': 'generated: max(), max(dim, keepdim), max(other)',
  'torch:norm': "python-functions.ts: p may be 'fro' or 'nuc' (linalg.vector_norm / matrix_norm, as torch.functional.norm)",
  'Tensor:norm': 'tensor-python.ts: as torch.norm',
  'torch:unique': 'python-functions.ts: returns the output alone or with inverse/counts as asked (torch.functional.unique)',
  'Tensor:unique': 'tensor-python.ts: as torch.unique',
  'torch:unique_consecutive': 'python-functions.ts: returns the output alone or with inverse/counts as asked',
  'Tensor:unique_consecutive': 'tensor-python.ts: as torch.unique_consecutive',
  'torch:nonzero': 'python-functions.ts: nonzero(input, { asTuple }) (PyTorch binds it by hand)',
  'Tensor:nonzero': 'tensor-python.ts: nonzero({ asTuple })',
  'torch:tensordot': 'python-functions.ts: dims as a count or as two lists (torch.functional.tensordot)',
  'torch:cdist': "python-functions.ts: computeMode as PyTorch's strings",
};

/**
 * Parameters that, like Python's *args, also take their elements as separate
 * arguments: torch.meshgrid(x, y) as well as torch.meshgrid([x, y]).
 * (Python does this for every sole int-list parameter, view(2, 3), without an entry here.)
 */
export const VARARGS: Record<string, string> = {
  'torch:atleast_1d': 'tensors',
  'torch:atleast_2d': 'tensors',
  'torch:atleast_3d': 'tensors',
  'torch:block_diag': 'tensors',
  'torch:broadcast_tensors': 'tensors',
  'torch:cartesian_prod': 'tensors',
  'torch:chain_matmul': 'matrices',
  'torch:einsum': 'tensors',
  'torch:meshgrid': 'tensors',
};

/**
 * Ops whose Tensor arguments also take Python numbers (PyTorch's
 * should_allow_numbers_as_tensors in python_arg_parser.cpp). A number goes to
 * the op's Scalar overload when it has one, else becomes a 0-dim tensor.
 */
export const NUMBERS_AS_TENSORS = new Set([
  'add',
  'add_',
  'div',
  'div_',
  'divide',
  'divide_',
  'mul',
  'mul_',
  'multiply',
  'multiply_',
  'sub',
  'sub_',
  'subtract',
  'subtract_',
  'true_divide',
  'true_divide_',
  'copy_',
  'copysign',
  'copysign_',
  'floor_divide',
  'floor_divide_',
]);

/**
 * nn.functional's Python-level functions: values for operator arguments the
 * Python function does not expose (as the Python function passes them).
 */
export const PY_FIXED: Record<string, Record<string, string>> = {
  batch_norm: { cudnn_enabled: 'true' },
  instance_norm: { cudnn_enabled: 'true' },
  group_norm: { cudnn_enabled: 'true' },
  layer_norm: { cudnn_enable: 'true' },
};

/** nn.functional: a Python parameter feeding an operator argument of another name. */
export const PY_ARG_NAMES: Record<string, Record<string, string>> = {
  alpha_dropout: { training: 'train' },
  feature_alpha_dropout: { training: 'train' },
  dropout: { training: 'train' },
  rrelu: { training: 'training' },
  grouped_mm: { mat_a: 'self', mat_b: 'mat2' },
};

/**
 * nn.functional: the argument checks a Python-level function makes before it
 * calls its operator (PyTorch raises there, libtorch would not): the name of
 * a function in lib/torch/nn/functional-checks.ts that the generated function
 * calls with its resolved arguments.
 */
export const PY_CHECKS: Record<string, string> = {
  alpha_dropout: 'dropoutProbability',
  feature_alpha_dropout: 'dropoutProbability',
  batch_norm: 'batchNorm',
  instance_norm: 'instanceNorm',
  group_norm: 'groupNorm',
  hardtanh: 'hardtanh',
  margin_ranking_loss: 'marginRankingLoss',
  multi_margin_loss: 'multiMarginLoss',
  triplet_margin_loss: 'tripletMarginLoss',
  affine_grid: 'affineGrid',
  binary_cross_entropy: 'binaryCrossEntropy',
  glu: 'glu',
};

/** Python parameters nn.functional keeps only for backward compatibility; TS leaves them out. */
export const PY_DROPPED = new Set(['size_average', 'reduce', '_stacklevel']);

/** Tensor conversion methods PyTorch binds by hand: name -> dtype (others are in tensor.ts). */
export const DTYPE_METHODS: Record<string, string> = { byte: 'uint8', char: 'int8', short: 'int16' };

/**
 * Internal helpers the hand-written code calls (not public): TS name, where,
 * and the aten overloads (tried in order).
 */
export const INTERNAL: { name: string; target: 'method' | 'function'; aten: string[] }[] = [
  { name: '_index', target: 'method', aten: ['index.Tensor'] },
  { name: '_indexPut', target: 'method', aten: ['index_put_'] },
  { name: 'slice', target: 'method', aten: ['slice.Tensor'] },
  { name: '_unique2', target: 'function', aten: ['_unique2'] },
  { name: '_uniqueDim', target: 'function', aten: ['unique_dim'] },
  { name: '_uniqueConsecutive', target: 'function', aten: ['unique_consecutive'] },
  { name: '_nonzero', target: 'function', aten: ['nonzero'] },
  { name: '_nonzeroNumpy', target: 'function', aten: ['nonzero_numpy'] },
  { name: '_tensordot', target: 'function', aten: ['tensordot'] },
  { name: '_cdist', target: 'function', aten: ['cdist'] },
  { name: '_upsampleNearestExact1d', target: 'function', aten: ['_upsample_nearest_exact1d.vec'] },
  { name: '_upsampleNearestExact2d', target: 'function', aten: ['_upsample_nearest_exact2d.vec'] },
  { name: '_upsampleNearestExact3d', target: 'function', aten: ['_upsample_nearest_exact3d.vec'] },
  { name: '_upsampleBilinear2dAa', target: 'function', aten: ['_upsample_bilinear2d_aa.vec'] },
  { name: '_upsampleBicubic2dAa', target: 'function', aten: ['_upsample_bicubic2d_aa.vec'] },
];

/** TS names for Python names that are not valid (or not usable) as TS function names. */
export const RENAMES: Record<string, string> = {};

/**
 * torch.* function forms of Tensor methods that Python's torch namespace
 * lacks but this library offered before the surface was generated (kept so
 * that existing code keeps working): torch.view(x, 2, 3) is x.view(2, 3).
 */
export const COMPAT_FUNCTIONS = ['contiguous', 'expand', 'expand_as', 'repeat', 'type_as', 'view'];

/**
 * Extra signatures, tried after Python's, that accept calls this library took
 * before the surface was generated: x.sort(-1, true, { stable: true })
 * (Python takes sort's dim and descending only by keyword when stable is given).
 */
export const COMPAT_SIGNATURES: Record<string, { aten: string; pos: string[]; kw: string[] }[]> = {
  'Tensor:sort': [{ aten: 'sort.stable', pos: ['dim', 'descending'], kw: ['stable'] }],
  'torch:sort': [{ aten: 'sort.stable', pos: ['self', 'dim', 'descending'], kw: ['stable'] }],
};
