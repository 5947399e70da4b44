#!/usr/bin/env python3
"""Check that safetensors files written by Equilibrium load in Python, and the reverse.

Usage:
    python scripts/check_safetensors.py FILE.safetensors [...]
        Loads each file with the reference `safetensors` package (PyTorch backend) and
        prints its metadata and every tensor's name, dtype, shape and sum.
    python scripts/check_safetensors.py --write-sample OUT.safetensors
        Writes a small file with the reference implementation (F32, F64, a scalar, an empty
        tensor, metadata) for Equilibrium to read.

Typical round trip (the Swift side runs only when EQUILIBRIUM_INTEROP_DIR is set):
    mkdir -p /tmp/interop
    python scripts/check_safetensors.py --write-sample /tmp/interop/from_python.safetensors
    EQUILIBRIUM_INTEROP_DIR=/tmp/interop swift test -c release --filter InteropTests
    python scripts/check_safetensors.py /tmp/interop/from_swift.safetensors \
        /tmp/interop/checkpoint/tensors.safetensors

Needs `torch` and `safetensors` (see scripts/requirements-reference.txt); the Swift tests
never run Python.
"""
import sys

import torch
from safetensors import safe_open
from safetensors.torch import save_file


def describe(path):
    print(f"== {path}")
    with safe_open(path, framework="pt") as f:
        print(f"metadata: {dict(sorted((f.metadata() or {}).items()))}")
        for name in sorted(f.keys()):
            t = f.get_tensor(name)
            print(f"{name}: {str(t.dtype).replace('torch.', '')} {list(t.shape)} sum {t.double().sum().item()!r}")


def write_sample(path):
    tensors = {
        "w": (torch.arange(12, dtype=torch.float32) * 0.25 - 1).reshape(3, 4),
        "b": torch.tensor([3.141592653589793, -0.5, 2.0], dtype=torch.float64),
        "scalar": torch.tensor(2.5, dtype=torch.float64),
        "empty": torch.zeros(0, 3, dtype=torch.float32),
    }
    save_file(tensors, path, metadata={"written_by": "safetensors-python"})
    print(f"wrote {path}")


def main(argv):
    if len(argv) == 2 and argv[0] == "--write-sample":
        write_sample(argv[1])
    elif argv and not argv[0].startswith("-"):
        for path in argv:
            describe(path)
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
