"""Snapshot of PyTorch's public op surface, for scripts/gen-ops.ts.

Run with the reference Python (the one whose libtorch the addon links):

    npm run snapshot        # = tsx scripts/ops-snapshot.ts (finds that Python)

It writes scripts/ops-snapshot.json from three sources of truth:

- libtorch's registered operator schemas (torch._C._jit_get_all_schemas());
- the native function declarations PyTorch generates its Python bindings from
  (torchgen's packaged native_functions.yaml): which overloads back each Python
  name, their Python signatures (positional, keyword-only, factory options) and
  the order in which Python's argument parser tries them;
- Python's public namespaces: dir(torch), dir(torch.Tensor),
  torch.nn.functional, torch.linalg, torch.special, torch.fft, and which of
  their names are generated bindings of aten operators (torch._C._VariableFunctions,
  torch._C.TensorBase, torch._C._nn, _linalg, _special, _fft) and which are
  Python-level functions (then: their inspect signature and the aten operator
  of the same name, if any).

Only overloads registered in this libtorch are kept. The output is stable
(sorted keys, one entry per line) so that diffs review well.
"""
import inspect
import json
import os
import sys
import types
from collections import defaultdict

import torch
import torch.nn.functional as F
import torchgen
from torchgen.api import python as tgpy
from torchgen.gen import parse_native_yaml
from torchgen.model import SchemaKind, Variant

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), 'ops-snapshot.json')

# ---------------------------------------------------------------- registered schemas
registered = {}
for s in torch._C._jit_get_all_schemas():
    if not s.name.startswith('aten::'):
        continue
    key = s.name[len('aten::'):] + ('.' + s.overload_name if s.overload_name else '')
    registered[key] = str(s)

# ---------------------------------------------------------------- native function declarations
pkg = os.path.join(os.path.dirname(torchgen.__file__), 'packaged', 'ATen', 'native')
parsed = parse_native_yaml(os.path.join(pkg, 'native_functions.yaml'), os.path.join(pkg, 'tags.yaml'))
by_name = defaultdict(list)  # str(func.name.name) ('add', 'add_') -> [NativeFunction]
for f in parsed.native_functions:
    by_name[str(f.func.name.name)].append(f)


def op_key(f):
    o = f.func.name.overload_name
    return str(f.func.name.name) + ('.' + o if o else '')


# Python's argument parser tries overloads in this order (a copy of
# tools/autograd/gen_python_functions.py's sort_overloads, which is not packaged).
def is_arg_smaller(t1, t2):
    s1, s2 = str(t1), str(t2)
    return (
        (s1 == 'Scalar' and s2 == 'Tensor')
        or (s1 == 'Scalar?' and s2 == 'Tensor?')
        or ('Dimname' in s1 and 'Dimname' not in s2)
        or (s1 == 'int[]' and s2 in ('int', 'int?'))
        or (s1 == 'Tensor[]' and '[]' in s2)
        or (s1 == 'SymInt[]' and s2 == 'int[]')
        or (s1 in ('SymInt', 'int') and s2 == 'Tensor')
    )


def is_smaller(s1, s2):
    a1, a2 = s1.arguments(skip_outputs=True), s2.arguments(skip_outputs=True)
    if len(a1) != len(a2):
        return False
    equal = all(x.type == y.type for x, y in zip(a1, a2))
    smaller_or_equal = all(str(x.type) == str(y.type) or is_arg_smaller(x.type, y.type) for x, y in zip(a1, a2))
    return smaller_or_equal and not equal


def sort_overloads(pairs):
    pairs = sorted(pairs, key=lambda p: p[1].signature_str(symint=True))
    larger_than = defaultdict(set)
    for i1, p1 in enumerate(pairs):
        for i2, p2 in enumerate(pairs):
            if is_smaller(p1[1], p2[1]):
                larger_than[i1].add(i2)
    if not larger_than:
        return pairs
    n = len(pairs)
    order = [i for i in range(n) if i not in larger_than]
    for idx in range(n):
        i = order[idx]
        for j in sorted(larger_than.keys()):
            larger = larger_than[j]
            larger.discard(i)
            if not larger:
                del larger_than[j]
                order.append(j)
    return [pairs[i] for i in order]


def arg_entry(a, kw_only):
    ann = str(a.annotation) if a.annotation is not None else None
    return [a.name, str(a.type), a.default, 1 if kw_only else 0, ann]


# Overloads Python does not bind although they are declared (a copy of
# gen_python_functions.py's SKIP_PYTHON_BINDINGS_SIGNATURES): Python passes a
# number to these ops' Tensor overloads as a wrapped 0-dim tensor instead.
HIDDEN = {
    'add.Scalar', 'add_.Scalar', 'sub.Scalar', 'sub_.Scalar',
    'mul.Scalar', 'mul_.Scalar', 'div.Scalar', 'div_.Scalar',
}


def overload_entry(f, sig):
    """One overload: the aten key, its schema arguments in schema order, the
    Python signature's positional names, whether Python adds the factory
    options, and the returns."""
    fa = f.func.arguments
    kw_names = {a.name for a in fa.flat_kwarg_only}
    args = [arg_entry(a, a.name in kw_names) for a in f.func.schema_order_arguments()]
    e = {
        'aten': op_key(f),
        'args': args,
        'pos': [a.name for a in sig.input_args],
        'kw': [a.name for a in sig.input_kwargs],
        'factory': 1 if sig.tensor_options_args else 0,
        'returns': [[r.name, str(r.type), str(r.annotation) if r.annotation is not None else None] for r in f.func.returns],
        'schema': registered[op_key(f)],
    }
    if op_key(f) in HIDDEN:
        e['hidden'] = 1
    return e


def binding_overloads(name, *, method, python_module, any_variant=False):
    """The overloads Python binds under `name` (in parser order), or [].
    any_variant: every declared overload of that name (for Python-level
    functions that call the operator themselves)."""
    pairs = []
    for f in by_name.get(name, []):
        if not any_variant and f.python_module != python_module:
            continue
        if not any_variant and (Variant.method if method else Variant.function) not in f.variants:
            continue
        if f.func.kind() == SchemaKind.out:
            continue
        # Overloads torchgen generates (autogen:) are not bound in Python.
        if 'generated' in f.tags and not any_variant:
            continue
        if op_key(f) not in registered:
            continue
        try:
            sig = tgpy.signature(f, method=method)
        except ValueError:
            continue  # a schema PyTorch binds by hand (requires_grad_), not from its declaration
        pairs.append((f, sig))
    return [overload_entry(f, s) for f, s in sort_overloads(pairs)]


def py_signature(obj):
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    params = []
    for p in sig.parameters.values():
        d = None if p.default is inspect.Parameter.empty else repr(p.default)
        params.append([p.name, p.kind.name, d])
    return params


BUILTIN = (types.BuiltinFunctionType, types.BuiltinMethodType)

# Public names whose aten operator has another name: properties and methods
# PyTorch binds by hand, and Python-level functions that call one main
# operator. (Names equal to a native function's name map to it without an
# entry here; composites of several operators, such as F.normalize, map to none.)
ALIASES = {
    ('Tensor', 'T'): 'numpy_T', ('Tensor', 'H'): 'matrix_H', ('Tensor', 'mT'): 'mT', ('Tensor', 'mH'): 'mH',
    ('Tensor', 'byte'): 'to', ('Tensor', 'char'): 'to', ('Tensor', 'short'): 'to', ('Tensor', 'int'): 'to',
    ('Tensor', 'long'): 'to', ('Tensor', 'half'): 'to', ('Tensor', 'float'): 'to', ('Tensor', 'double'): 'to',
    ('Tensor', 'bfloat16'): 'to', ('Tensor', 'bool'): 'to', ('Tensor', 'cfloat'): 'to', ('Tensor', 'cdouble'): 'to',
    ('Tensor', 'type'): 'to', ('Tensor', 'nelement'): 'numel', ('Tensor', 'ndimension'): 'dim',
    ('Tensor', 'unique'): '_unique2', ('torch', 'unique'): '_unique2',
    ('nn.functional', 'cross_entropy'): 'cross_entropy_loss',
    ('nn.functional', 'dropout1d'): 'feature_dropout', ('nn.functional', 'dropout2d'): 'feature_dropout',
    ('nn.functional', 'dropout3d'): 'feature_dropout',
    ('nn.functional', 'fold'): 'col2im', ('nn.functional', 'unfold'): 'im2col', ('nn.functional', 'affine_grid'): 'affine_grid_generator',
    ('nn.functional', 'grid_sample'): 'grid_sampler',
    ('nn.functional', 'adaptive_max_pool1d_with_indices'): 'adaptive_max_pool1d',
    ('nn.functional', 'adaptive_max_pool2d_with_indices'): 'adaptive_max_pool2d',
    ('nn.functional', 'adaptive_max_pool3d_with_indices'): 'adaptive_max_pool3d',
    ('nn.functional', 'fractional_max_pool2d_with_indices'): 'fractional_max_pool2d',
    ('nn.functional', 'fractional_max_pool3d_with_indices'): 'fractional_max_pool3d',
    ('nn.functional', 'max_unpool1d'): 'max_unpool2d',
    ('nn.functional', 'interpolate'): 'upsample_nearest2d',
    ('nn.functional', 'upsample'): 'upsample_nearest2d',
    ('nn.functional', 'upsample_nearest'): 'upsample_nearest2d',
    ('nn.functional', 'upsample_bilinear'): 'upsample_bilinear2d',
    ('nn.functional', 'softmin'): 'softmax',
    ('nn.functional', 'logsigmoid'): 'log_sigmoid',
    ('nn.functional', 'grouped_mm'): '_grouped_mm',
    ('nn.functional', 'scaled_mm'): '_scaled_mm',
    ('nn.functional', 'scaled_grouped_mm'): '_scaled_grouped_mm',
}


def entry(ns, name, obj, binding_mod, prefix, python_module, method=False, fallback=None):
    """Describes one public name of namespace `ns`."""
    bname = prefix + name
    e = {'name': name}
    if isinstance(obj, property) or type(obj).__name__ == 'getset_descriptor':
        e['kind'] = 'property'
    elif isinstance(obj, type):
        e['kind'] = 'class'
        return e
    elif not callable(obj):
        e['kind'] = 'value'
        return e
    elif isinstance(obj, BUILTIN) or type(obj).__name__ in ('method_descriptor', 'wrapper_descriptor', 'builtin_function_or_method'):
        e['kind'] = 'builtin'
    else:
        e['kind'] = 'python'
        mod = getattr(obj, '__module__', None)
        if mod:
            e['module'] = mod
        sig = py_signature(obj)
        if sig is not None:
            e['pysig'] = sig
    bound = binding_mod is not None and hasattr(binding_mod, bname)
    if bound:
        ovs = binding_overloads(bname, method=method, python_module=python_module)
        if ovs:
            e['binding'] = bname
            e['overloads'] = ovs
            e['via'] = 'binding'
    # F's builtins are bindings of torch._C._nn or, failing that, of torch.*.
    if 'overloads' not in e and fallback is not None and e['kind'] == 'builtin' and hasattr(fallback[0], bname):
        ovs = binding_overloads(bname, method=False, python_module=fallback[1])
        if ovs:
            e['binding'] = bname
            e['bindingModule'] = 'torch'
            e['overloads'] = ovs
            e['via'] = 'binding'
    # A Python-level function, property or hand-written builtin maps to the
    # native operator of the same name when there is one, or to the one the
    # alias table names.
    if 'overloads' not in e:
        target = ALIASES.get((ns, name), bname if bname in by_name else None)
        if target is not None:
            ovs = binding_overloads(target, method=method, python_module=python_module, any_variant=True)
            if ovs:
                e['aten'] = target
                e['overloads'] = ovs
                e['via'] = 'alias' if (ns, name) in ALIASES else 'name'
    # Python-level functions with an `inplace` parameter call the in-place operator.
    if e['kind'] == 'python' and any(p[0] == 'inplace' for p in e.get('pysig', [])):
        base = e.get('aten') or e.get('binding') or bname
        ovs = binding_overloads(base + '_', method=False, python_module=None, any_variant=True)
        if ovs:
            e['inplace'] = ovs
    return e


def public(mod):
    return sorted(n for n in dir(mod) if not n.startswith('_'))


namespaces = {}
namespaces['torch'] = [entry('torch', n, getattr(torch, n), torch._C._VariableFunctions, '', None) for n in public(torch)]
namespaces['Tensor'] = [
    entry('Tensor', n, inspect.getattr_static(torch.Tensor, n), torch._C.TensorBase, '', None, method=True) for n in public(torch.Tensor)
]
namespaces['nn.functional'] = []
for n in public(F):
    obj = getattr(F, n)
    if isinstance(obj, types.ModuleType):
        continue
    namespaces['nn.functional'].append(entry('nn.functional', n, obj, torch._C._nn, '', 'nn', fallback=(torch._C._VariableFunctions, None)))
for ns, mod, cmod in [('linalg', torch.linalg, torch._C._linalg), ('special', torch.special, torch._C._special), ('fft', torch.fft, torch._C._fft)]:
    namespaces[ns] = [entry(ns, n, getattr(mod, n), cmod, ns + '_', ns) for n in public(mod) if not isinstance(getattr(mod, n), types.ModuleType)]

# The other public bindings of torch._C._nn (F wraps most of them in Python).
namespaces['torch._C._nn'] = [
    entry('torch._C._nn', n, getattr(torch._C._nn, n), torch._C._nn, '', 'nn') for n in public(torch._C._nn)
]

# Operators hand-written wrappers call that no public name above brings in.
INTERNAL_OPS = ['slice', 'nonzero_numpy', 'unique_dim', '_upsample_nearest_exact1d', '_upsample_nearest_exact2d', '_upsample_nearest_exact3d', '_upsample_bilinear2d_aa', '_upsample_bicubic2d_aa']
namespaces['internal'] = []
for n in INTERNAL_OPS:
    ovs = binding_overloads(n, method=False, python_module=None, any_variant=True)
    namespaces['internal'].append({'name': n, 'kind': 'internal', 'aten': n, 'via': 'name', 'overloads': ovs})

out = {
    'torchVersion': torch.__version__,
    'source': 'scripts/ops-snapshot.py (torch._C._jit_get_all_schemas, torchgen native_functions.yaml, dir() of the public namespaces)',
    'namespaces': namespaces,
}


def dump(o):
    # One namespace entry per line: readable diffs, modest size.
    lines = ['{']
    lines.append(f'  "torchVersion": {json.dumps(out["torchVersion"])},')
    lines.append(f'  "source": {json.dumps(out["source"])},')
    lines.append('  "namespaces": {')
    keys = list(namespaces)
    for i, k in enumerate(keys):
        lines.append(f'    {json.dumps(k)}: [')
        es = namespaces[k]
        for j, e in enumerate(es):
            lines.append('      ' + json.dumps(e, sort_keys=True, separators=(',', ':')) + (',' if j < len(es) - 1 else ''))
        lines.append('    ]' + (',' if i < len(keys) - 1 else ''))
    lines.append('  }')
    lines.append('}')
    return '\n'.join(lines) + '\n'


with open(OUT, 'w') as fh:
    fh.write(dump(out))
counts = {k: sum(1 for e in v if 'overloads' in e or 'aten' in e) for k, v in namespaces.items()}
print(json.dumps({'wrote': OUT, 'aten-backed names': counts}))
