"""Minimal safetensors writer/reader (F32 only): 8-byte little-endian header length, a JSON header
{name: {dtype, shape, data_offsets}} padded with spaces to 8 bytes, then the raw little-endian data."""
import json
import struct

import numpy as np


def save(tensors, path, metadata=None):
    names = sorted(tensors)
    header, offset, blobs = {}, 0, []
    for n in names:
        a = np.ascontiguousarray(tensors[n].detach().cpu().numpy() if hasattr(tensors[n], 'detach') else tensors[n],
                                 dtype='<f4')
        b = a.tobytes()
        header[n] = {'dtype': 'F32', 'shape': list(a.shape), 'data_offsets': [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    header['__metadata__'] = {'format': 'pt', **(metadata or {})}
    h = json.dumps(header, separators=(',', ':')).encode('utf-8')
    h += b' ' * (-len(h) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def load(path):
    import torch
    raw = open(path, 'rb').read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    header.pop('__metadata__', None)
    out = {}
    for name, info in header.items():
        assert info['dtype'] == 'F32'
        s, e = info['data_offsets']
        arr = np.frombuffer(raw[8 + n + s:8 + n + e], dtype='<f4').reshape(info['shape'])
        out[name] = torch.from_numpy(arr.copy())
    return out
