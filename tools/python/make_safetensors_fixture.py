"""Writes the safetensors fixtures that finmm's tests read, using the reference Python `safetensors` package.

Run from the repo root with the reference venv (created by `npx tsx tools/python/python-env.ts`):
    .venv-ref/bin/python tools/python/make_safetensors_fixture.py [OUT_DIR]
OUT_DIR defaults to packages/core/test/fixtures. Writes, each with a sidecar `<name>.expected.json`:
  python-written.safetensors       numpy API: F32, F16, F64, I8, I16, I32, I64, U8, BOOL, scalar and empty tensors
  python-written-bf16.safetensors  torch API: BF16 (numpy has no bfloat16)
Sidecar format (also read by check_safetensors.py): {"metadata": {...}, "tensors": {name: {"dtype", "shape",
"values" (flat, row-major; I64 as decimal strings, non-finite floats as "inf"/"-inf"/"nan"), "bits" (F16/BF16)}}}.
"""

import json
import math
import sys
from pathlib import Path

import numpy as np
import torch
from safetensors.numpy import save_file as save_numpy
from safetensors.torch import save_file as save_torch

REPO_ROOT = Path(__file__).resolve().parents[2]
# One metadata key only: the package stores metadata in a hash map, so several keys would come out in random order.
METADATA = {"finmm_fixture": "python-written v1"}


def numpy_tensors() -> dict:
    """The numpy-API fixture: one tensor per dtype plus edge cases (scalar, empty, integer-like names)."""
    return {
        "f32_matrix": np.array([[0.0, -1.5, 3.25], [1e-8, 3.4028235e38, -0.1]], dtype=np.float32),
        "f32_scalar": np.array(42.5, dtype=np.float32),
        "f32_empty": np.zeros((0, 3), dtype=np.float32),
        "f16_values": np.array([1.5, -2.0, 65504.0, 6e-5, 0.1, -0.0, np.inf, np.nan], dtype=np.float16),
        "f64_values": np.array([1.0 / 3.0, -1e300, 2.5], dtype=np.float64),
        "i8_values": np.array([-128, -1, 0, 127], dtype=np.int8),
        "i16_values": np.array([-32768, 1234, 32767], dtype=np.int16),
        "i32_values": np.array([[-2147483648, -1], [0, 2147483647]], dtype=np.int32),
        "i64_values": np.array([[2**40, -(2**53) - 1], [2**63 - 1, -(2**63)]], dtype=np.int64),
        "u8_values": np.array([0, 1, 127, 128, 255], dtype=np.uint8),
        "bool_mask": np.array([[True, False, True], [False, False, True]], dtype=np.bool_),
        # Names sort by bytes ("10" before "9"); JavaScript objects would put integer-like keys first.
        "10": np.array([10], dtype=np.int32),
        "9": np.array([9], dtype=np.int32),
    }


DTYPE_NAMES = {
    "float32": "F32", "float16": "F16", "float64": "F64", "int8": "I8", "int16": "I16", "int32": "I32",
    "int64": "I64", "uint8": "U8", "bool": "BOOL",
}


def json_value(value, dtype: str):
    """One element as the sidecar stores it."""
    if dtype == "I64":
        return str(int(value))
    if dtype == "BOOL":
        return bool(value)
    if dtype.startswith(("F", "BF")):
        value = float(value)
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    return int(value)


def describe_numpy(array: np.ndarray) -> dict:
    """Sidecar entry of a numpy array."""
    dtype = DTYPE_NAMES[str(array.dtype)]
    entry = {"dtype": dtype, "shape": list(array.shape), "values": [json_value(v, dtype) for v in array.reshape(-1).tolist()]}
    if dtype == "F16":
        entry["bits"] = array.reshape(-1).view(np.uint16).tolist()
    return entry


def bf16_tensors() -> dict:
    """The torch-API fixture: bfloat16 values, including rounding and non-finite cases."""
    return {"bf16_values": torch.tensor([1.0, -2.5, 3.140625, 1e-3, 3.0e38, float("inf"), -0.0], dtype=torch.bfloat16)}


def describe_bf16(tensor: torch.Tensor) -> dict:
    """Sidecar entry of a bfloat16 torch tensor."""
    flat = tensor.reshape(-1)
    return {
        "dtype": "BF16",
        "shape": list(tensor.shape),
        "values": [json_value(v, "BF16") for v in flat.float().tolist()],
        "bits": [b & 0xFFFF for b in flat.view(torch.int16).tolist()],
    }


def write_sidecar(path: Path, entries: dict) -> None:
    """Writes `<fixture>.expected.json`, one tensor per line."""
    lines = [f"  {json.dumps(name)}: {json.dumps(entry)}" for name, entry in entries.items()]
    text = f'{{\n "metadata": {json.dumps(METADATA)},\n "tensors": {{\n' + ",\n".join(lines) + "\n }\n}\n"
    json.loads(text)  # still valid JSON
    path.write_text(text, encoding="utf-8")


def main() -> None:
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO_ROOT / "packages/core/test/fixtures"
    out_dir.mkdir(parents=True, exist_ok=True)

    arrays = numpy_tensors()
    save_numpy(arrays, str(out_dir / "python-written.safetensors"), metadata=METADATA)
    write_sidecar(out_dir / "python-written.expected.json", {name: describe_numpy(a) for name, a in arrays.items()})

    tensors = bf16_tensors()
    save_torch(tensors, str(out_dir / "python-written-bf16.safetensors"), metadata=METADATA)
    write_sidecar(out_dir / "python-written-bf16.expected.json", {name: describe_bf16(t) for name, t in tensors.items()})

    for path in sorted(out_dir.glob("python-written*")):
        path.chmod(0o644)
        print(f"{path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
