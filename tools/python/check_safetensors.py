"""Checks a safetensors file written by finmm with the reference Python `safetensors` package.

    .venv-ref/bin/python tools/python/check_safetensors.py FILE EXPECTED.json [--byte-identical]

EXPECTED.json has the format make_safetensors_fixture.py writes: {"metadata": {...}, "tensors": {name: {"dtype",
"shape", "values" (flat; I64 as decimal strings, non-finite floats as "inf"/"-inf"/"nan"), optional "bits"}}}.
--byte-identical also re-saves the loaded tensors with the package and requires the very same bytes (layout, header
order, padding); only meaningful with at most one metadata key. Exit 0 when everything matches, 1 otherwise.
"""

import json
import math
import sys

import torch
from safetensors import safe_open
from safetensors.torch import save

DTYPE_NAMES = {
    torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64", torch.int8: "I8",
    torch.int16: "I16", torch.int32: "I32", torch.int64: "I64", torch.uint8: "U8", torch.bool: "BOOL",
}


def expected_value(value, dtype: str):
    """Decodes one sidecar element to the Python value torch's tolist() gives."""
    if dtype == "I64":
        return int(value)
    if isinstance(value, str):
        return float(value)
    return value


def same_value(actual, wanted) -> bool:
    """Exact equality, with NaN equal to NaN."""
    if isinstance(actual, float) and isinstance(wanted, float) and math.isnan(actual) and math.isnan(wanted):
        return True
    return actual == wanted


def check_tensor(name: str, tensor: torch.Tensor, spec: dict) -> list:
    """Differences between one loaded tensor and its expected spec."""
    problems = []
    dtype = DTYPE_NAMES.get(tensor.dtype, str(tensor.dtype))
    if dtype != spec["dtype"]:
        return [f"{name}: dtype {dtype}, expected {spec['dtype']}"]
    if list(tensor.shape) != spec["shape"]:
        return [f"{name}: shape {list(tensor.shape)}, expected {spec['shape']}"]
    flat = tensor.reshape(-1)
    actual = flat.float().tolist() if dtype in ("F16", "BF16") else flat.tolist()
    wanted = [expected_value(v, dtype) for v in spec["values"]]
    for index, (a, w) in enumerate(zip(actual, wanted)):
        if not same_value(a, w):
            problems.append(f"{name}[{index}]: {a!r}, expected {w!r}")
    if len(actual) != len(wanted):
        problems.append(f"{name}: {len(actual)} values, expected {len(wanted)}")
    if "bits" in spec:
        bits = [b & 0xFFFF for b in flat.view(torch.int16).tolist()]
        if bits != spec["bits"]:
            problems.append(f"{name}: bit patterns {bits}, expected {spec['bits']}")
    return problems


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    byte_identical = "--byte-identical" in sys.argv[1:]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    path, expected_path = args
    with open(expected_path, encoding="utf-8") as f:
        expected = json.load(f)

    with safe_open(path, framework="pt") as f:
        metadata = f.metadata() or {}
        tensors = {name: f.get_tensor(name) for name in f.keys()}

    problems = []
    if metadata != expected.get("metadata", {}):
        problems.append(f"metadata {metadata}, expected {expected.get('metadata', {})}")
    missing = sorted(set(expected["tensors"]) - set(tensors))
    extra = sorted(set(tensors) - set(expected["tensors"]))
    if missing:
        problems.append(f"missing tensors: {missing}")
    if extra:
        problems.append(f"unexpected tensors: {extra}")
    for name in sorted(set(tensors) & set(expected["tensors"])):
        problems.extend(check_tensor(name, tensors[name], expected["tensors"][name]))

    if byte_identical:
        with open(path, "rb") as f:
            written = f.read()
        resaved = save(tensors, metadata=metadata or None)
        if written != resaved:
            problems.append(f"bytes differ from the Python package's own encoding ({len(written)} vs {len(resaved)} bytes)")

    for problem in problems:
        print(f"{path}: {problem}", file=sys.stderr)
    if not problems:
        print(f"{path}: OK ({len(tensors)} tensors)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
