#!/usr/bin/env python3
"""Reference side of the serialization tests, run with the reference Python (the
one whose torch the addon links: torch 2.13, see scripts/reference-python.ts).

Commands (JSON on stdin, JSON on stdout):
  pickle    ["expr", ...]          -> ["hex of pickle.dumps(eval(expr), protocol=2)", ...]
  unpickle  ["hex", ...]           -> [{"repr": ..., "desc": ...}, ...]   (plain pickle.loads)
  describe  {"path", "weights_only", "map_location"?} -> {"ok": desc} | {"error": message}
            (or a list of such requests -> a list of results, to pay Python's start-up once)
  values    {"path"}               -> {name: {"dtype", "values"}} for a flat dict of tensors loaded with
                                      weights_only=True: the elements of tensor.tolist(), floats as the
                                      hex of their big-endian double, ints as decimal strings; values
                                      null where tolist() fails (bits*, float4_e2m1fn_x2)
  fixtures  {"dir"}                -> {"name": path, ...} (writes torch.save fixtures; also cuda.pt
                                      where CUDA is available. test/python/torch2-fixtures/ holds
                                      these files as PyTorch 2.11 wrote them on a CUDA machine, with
                                      expected.json = {name: describe(torch.load(file))})
  save      {"path", "expr", "kw"?} -> torch.save(eval(expr), path, **kw)
  jit       {"path"}               -> torch.jit.save of a tiny scripted module
  st_read   {"path"}               -> {"metadata", "tensors": {name: {dtype, shape, bytes}}} (parsed by hand)
  st_write  {"path", "expr", "metadata"?} -> writes a safetensors file by hand

`desc` is a structural description both sides can produce: tensors become their
dtype, shape, stride, storage offset, storage identity and raw bytes, so a
comparison checks values, dtypes and sharing exactly.
"""
import collections
import json
import math
import struct
import sys


_KEEP = []


def describe(obj, storages=None):
    import_torch = 'torch' in sys.modules
    if storages is None:
        storages = {}
    if import_torch:
        import torch
        if isinstance(obj, torch.Tensor):
            st = obj.untyped_storage()
            _KEEP.append(st)  # so that id() of an empty storage is not reused
            ptr = st.data_ptr() if st.nbytes() > 0 else ('empty', id(st))
            sid = storages.setdefault(ptr, len(storages))
            flat = obj.detach().reshape(-1).contiguous().cpu()
            if flat.dtype == torch.bool:
                raw = bytes(flat.to(torch.uint8).tolist())
            elif flat.numel() == 0:
                raw = b''
            else:
                raw = bytes(flat.view(torch.uint8).tolist())
            return {'tensor': {
                'dtype': str(obj.dtype).replace('torch.', ''),
                'shape': list(obj.shape),
                'stride': list(obj.stride()),
                'offset': obj.storage_offset(),
                'storage': sid,
                'storage_numel': st.nbytes() // obj.element_size(),
                'requires_grad': obj.requires_grad,
                'parameter': isinstance(obj, torch.nn.Parameter),
                'device': str(obj.device),
                'bytes': raw.hex(),
            }}
        if isinstance(obj, torch.dtype):
            return {'global': str(obj)}
        if isinstance(obj, torch.device):
            return {'device': str(obj)}
    if obj is None:
        return None
    if isinstance(obj, bool):
        return {'bool': obj}
    if isinstance(obj, int):
        return {'int': str(obj)}
    if isinstance(obj, float):
        return {'float': struct.pack('>d', obj).hex()}
    if isinstance(obj, str):
        return {'str': obj}
    if isinstance(obj, bytes):
        return {'bytes': obj.hex()}
    if isinstance(obj, tuple):
        return {'tuple': [describe(x, storages) for x in obj]}
    if isinstance(obj, list):
        return {'list': [describe(x, storages) for x in obj]}
    if isinstance(obj, dict):
        out = {'dict': [[describe(k, storages), describe(v, storages)] for k, v in obj.items()]}
        if isinstance(obj, collections.OrderedDict):
            out['ordered'] = True
            md = getattr(obj, '_metadata', None)
            if md is not None:
                out['metadata'] = describe(md, storages)
        return out
    raise TypeError('cannot describe %r' % type(obj))


def main():
    cmd = sys.argv[1]
    arg = json.load(sys.stdin)
    if cmd == 'pickle':
        import pickle
        env = {'collections': collections, 'OrderedDict': collections.OrderedDict, 'math': math}
        print(json.dumps([pickle.dumps(eval(e, env), protocol=2).hex() for e in arg]))
    elif cmd == 'unpickle':
        import pickle
        out = []
        for h in arg:
            try:
                v = pickle.loads(bytes.fromhex(h))
            except Exception as e:  # noqa: BLE001
                out.append({'error': '%s: %s' % (type(e).__name__, e)})
                continue
            r = {'repr': repr(v)}
            try:
                r['desc'] = describe(v)
            except RecursionError:
                pass
            out.append(r)
        print(json.dumps(out))
    elif cmd == 'describe':
        import torch

        def one(a):
            try:
                kw = {'weights_only': a.get('weights_only', True)}
                if 'map_location' in a:
                    kw['map_location'] = a['map_location']
                return {'ok': describe(torch.load(a['path'], **kw))}
            except Exception as e:  # noqa: BLE001
                return {'error': '%s: %s' % (type(e).__name__, e)}
        print(json.dumps([one(a) for a in arg] if isinstance(arg, list) else one(arg)))
    elif cmd == 'values':
        import torch
        d = torch.load(arg['path'], weights_only=True)
        out = {}
        for k, t in d.items():
            try:
                flat = t.reshape(-1).tolist()
            except RuntimeError:  # bits*, float4_e2m1fn_x2: no element values
                flat = None
            out[k] = {'dtype': str(t.dtype).replace('torch.', ''),
                      'values': None if flat is None else
                      [struct.pack('>d', x).hex() if isinstance(x, float) else str(int(x)) for x in flat]}
        print(json.dumps(out))
    elif cmd == 'fixtures':
        print(json.dumps(make_fixtures(arg['dir'])))
    elif cmd == 'save':
        import torch
        torch.manual_seed(0)
        env = {'torch': torch, 'collections': collections, 'OrderedDict': collections.OrderedDict, 'math': math}
        torch.save(eval(arg['expr'], env), arg['path'], **arg.get('kw', {}))
        print(json.dumps({'ok': True}))
    elif cmd == 'jit':
        import torch
        torch.jit.save(torch.jit.script(torch.nn.Linear(2, 2)), arg['path'])
        print(json.dumps({'ok': True}))
    elif cmd == 'st_read':
        print(json.dumps(st_read(arg['path'])))
    elif cmd == 'st_write':
        import torch
        torch.manual_seed(0)
        env = {'torch': torch}
        st_write(arg['path'], eval(arg['expr'], env), arg.get('metadata'))
        print(json.dumps({'ok': True}))
    else:
        raise SystemExit('unknown command ' + cmd)


def st_dtypes():
    import torch
    return {'F32': torch.float32, 'F64': torch.float64, 'F16': torch.float16, 'BF16': torch.bfloat16,
            'I64': torch.int64, 'I32': torch.int32, 'I16': torch.int16, 'I8': torch.int8, 'U8': torch.uint8,
            'BOOL': torch.bool, 'U16': torch.uint16, 'U32': torch.uint32, 'U64': torch.uint64,
            'F8_E5M2': torch.float8_e5m2, 'F8_E4M3': torch.float8_e4m3fn, 'F8_E8M0': torch.float8_e8m0fnu,
            'F8_E4M3FNUZ': torch.float8_e4m3fnuz, 'F8_E5M2FNUZ': torch.float8_e5m2fnuz}


def st_torch_dtype(code):
    return st_dtypes()[code]


def st_read(path):
    import torch
    with open(path, 'rb') as f:
        data = f.read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == '__metadata__':
            continue
        b, end = e['data_offsets']
        raw = data[8 + n + b:8 + n + end]
        dt = st_torch_dtype(e['dtype'])
        t = torch.frombuffer(bytearray(raw), dtype=dt) if raw else torch.empty(0, dtype=dt)
        t = t.reshape(e['shape'])
        d = describe(t)['tensor']
        out[name] = {'dtype': d['dtype'], 'shape': d['shape'], 'bytes': d['bytes']}
    return {'metadata': header.get('__metadata__'), 'tensors': out, 'header_len': n}


def st_write(path, tensors, metadata):
    import torch
    names = {v: k for k, v in st_dtypes().items()}
    header = {}
    if metadata:
        header['__metadata__'] = metadata
    blobs = []
    off = 0
    for name, t in tensors.items():
        flat = t.reshape(-1).contiguous()
        raw = bytes(flat.to(torch.uint8).tolist()) if t.dtype == torch.bool else (
            bytes(flat.view(torch.uint8).tolist()) if flat.numel() else b'')
        header[name] = {'dtype': names[t.dtype], 'shape': list(t.shape), 'data_offsets': [off, off + len(raw)]}
        off += len(raw)
        blobs.append(raw)
    h = json.dumps(header).encode()
    h += b' ' * (-len(h) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


def make_fixtures(d):
    import os
    import torch
    torch.manual_seed(0)
    paths = {}

    def save(name, obj, **kw):
        p = os.path.join(d, name + '.pt')
        torch.save(obj, p, **kw)
        paths[name] = p

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = torch.nn.Embedding(10, 4)
            self.seq = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.LayerNorm(3))
            self.head = torch.nn.Linear(4, 10, bias=False)
            self.head.weight = self.emb.weight  # tied
            self.register_buffer('pos', torch.arange(5))
            self.register_buffer('mask', torch.tensor([True, False, True]))

    net = Net()
    save('state_dict', net.state_dict())
    save('tied', {'a': net.emb.weight, 'b': net.head.weight})
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    net(torch.tensor([1, 2])) if False else None
    loss = net.seq(net.emb(torch.tensor([1, 2]))).sum()
    loss.backward()
    opt.step()
    save('checkpoint', {
        'model': net.state_dict(),
        'optimizer': opt.state_dict(),
        'epoch': 3,
        'step': 2 ** 40,
        'huge': 2 ** 70,
        'neg': -5,
        'loss': 2.0,
        'lr': 0.001,
        'nan': float('nan'),
        'name': 'bert-tiny ünïcode',
        'shape': (2, 3),
        'one': (1,),
        'empty': (),
        'flags': [True, False, None],
        'by_id': {0: 'zero', 1: 'one'},
        'nested': {'deep': [{'x': (1.5, 'y')}]},
    })
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    save('views', {
        'base': base,
        'row': base[1],
        'col': base[:, 2],
        'tail': base.view(-1)[7:19],
        't': base.t(),
        'strided': base[::2, 1::3],
        'scalar': base[2, 3],
        'expand': torch.tensor([1., 2., 3.]).expand(4, 3),
    })
    save('dtypes', {
        'f16': torch.randn(3, 2).half(),
        'bf16': torch.randn(5).bfloat16(),
        'f64': torch.randn(2, 2, dtype=torch.float64),
        'i64': torch.tensor([-(2 ** 62), 7]),
        'i32': torch.tensor([-3, 4], dtype=torch.int32),
        'i16': torch.tensor([-3, 4], dtype=torch.int16),
        'i8': torch.tensor([-3, 4], dtype=torch.int8),
        'u8': torch.tensor([0, 255], dtype=torch.uint8),
        'b': torch.tensor([True, False]),
        'zero_dim': torch.tensor(3.5),
        'empty': torch.zeros(0, 3),
    })
    save('noncontig', {'nc': torch.randn(3, 4).t(), 'perm': torch.randn(2, 3, 4).permute(2, 0, 1)})
    p = torch.nn.Parameter(torch.randn(2, 2))
    save('parameter', {'p': p, 'frozen': torch.nn.Parameter(torch.randn(2), requires_grad=False)})
    # the dtypes PyTorch 2.x added, and the bit-holding ones (as raw bytes)
    raw = torch.tensor([0x38, 0x42, 0x7e, 0xff, 0x00, 0x81, 0x10, 0x07], dtype=torch.uint8)
    u16 = torch.tensor([0, 1, 64, 1000, 65535, 7], dtype=torch.uint16)
    save('dtypes2', {
        'u16': u16,
        'u16_view': u16[1:4],
        'u32': torch.tensor([[0, 7], [4294967295, 65536]], dtype=torch.uint32).t(),
        'u64': torch.tensor([0, 2 ** 63, 2 ** 64 - 1, 12345], dtype=torch.uint64),
        'f8e4m3fn': torch.tensor([0., 1.5, -2.25, 448., 0.001953125, float('nan')]).to(torch.float8_e4m3fn),
        'f8e5m2': torch.tensor([0., 1.5, -2.5, 57344., float('inf'), -0.]).to(torch.float8_e5m2),
        'f8e4m3fnuz': torch.tensor([0., 1.5, -2.25, 240.]).to(torch.float8_e4m3fnuz),
        'f8e5m2fnuz': torch.tensor([0., 1.5, -2.5, 57344.]).to(torch.float8_e5m2fnuz),
        'f8e8m0fnu': torch.tensor([0.5, 1., 4., 2. ** 100]).to(torch.float8_e8m0fnu),
        'f4': raw.clone().view(torch.float4_e2m1fn_x2),
        'bits8': raw.clone().view(torch.bits8),
        'bits16': raw.clone().view(torch.bits16),
        'bits1x8': raw.clone().view(torch.bits1x8),
        'bits2x4': raw.clone().view(torch.bits2x4),
        'bits4x2': raw.clone().view(torch.bits4x2),
        'param': torch.nn.Parameter(torch.tensor([1., -2.]).to(torch.float8_e5m2), requires_grad=False),
        'scalar_u32': torch.tensor(5, dtype=torch.uint32),
        'empty_u64': torch.zeros(0, 2, dtype=torch.uint64),
    })
    save('single', {'w': torch.tensor([1., 2.])})
    save('tensor_only', torch.tensor([1, 2, 3]))
    big = torch.arange(1000, dtype=torch.float32)
    save('many', {('k%d' % i): big[i:i + 3] for i in range(300)})
    if torch.cuda.is_available():
        g = torch.randn(6, device='cuda')
        save('cuda', {'g': g, 'view': g[2:5], 'cpu': torch.ones(2)})
    return paths


if __name__ == '__main__':
    main()
