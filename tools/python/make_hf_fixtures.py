"""Reference fixtures for @finmm/encoders-text's transformer, made with Hugging Face transformers.

    .venv-ref/bin/python tools/python/make_hf_fixtures.py
        builds tiny random BertModel, DistilBertModel and RobertaModel (fixed seed), saves each with
        save_pretrained(safe_serialization=True) plus fixed inputs (with padding) and their outputs as JSON
        under packages/encoders-text/test/fixtures/hf/<arch>/.
    .venv-ref/bin/python tools/python/make_hf_fixtures.py check MODEL_DIR CASE_JSON [MODEL_DIR CASE_JSON ...]
        loads each MODEL_DIR with AutoModel.from_pretrained, runs the inputs of its CASE_JSON (as written by finmm)
        and prints one JSON line per model: {"model", "max_abs_error": {"last_hidden_state", "pooler_output"}}.
The .venv-ref environment comes from tools/python/python-env.ts (ensurePythonVenv).
"""

import json
import sys
from pathlib import Path

import torch
from transformers import AutoModel, BertConfig, BertModel, DistilBertConfig, DistilBertModel, RobertaConfig, RobertaModel

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "packages" / "encoders-text" / "test" / "fixtures" / "hf"
SEED = 1234
BATCH, SEQ = 3, 9
LENGTHS = [9, 6, 3]  # real tokens per sample; the rest is padding


def configs():
    """Tiny configs, one per architecture, each with a different activation."""
    common = dict(vocab_size=99, max_position_embeddings=64)
    return {
        "bert": (BertModel, BertConfig(**common, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                                       intermediate_size=37, hidden_act="gelu", type_vocab_size=2, pad_token_id=0)),
        "roberta": (RobertaModel, RobertaConfig(**common, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                                                intermediate_size=37, hidden_act="gelu_new", type_vocab_size=1,
                                                pad_token_id=1, bos_token_id=0, eos_token_id=2)),
        "distilbert": (DistilBertModel, DistilBertConfig(**common, dim=32, n_layers=2, n_heads=4, hidden_dim=37,
                                                         activation="relu", pad_token_id=0)),
    }


def randomise(model, generator):
    """Replaces every weight with values large enough that a swapped or transposed weight changes the outputs."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=generator)
            if "LayerNorm" in name or "layer_norm" in name:
                p.copy_((1.0 if name.endswith("weight") else 0.0) + 0.1 * noise)
            else:
                p.copy_(0.2 * noise)


def inputs_for(arch, config, generator):
    ids = torch.randint(3, config.vocab_size, (BATCH, SEQ), generator=generator)
    mask = torch.zeros(BATCH, SEQ, dtype=torch.long)
    for b, n in enumerate(LENGTHS):
        mask[b, :n] = 1
    ids = torch.where(mask == 1, ids, torch.full_like(ids, config.pad_token_id))
    case = {"input_ids": ids.tolist(), "attention_mask": mask.tolist()}
    if arch == "bert":
        types = torch.zeros_like(ids)
        types[0, 5:] = 1  # a second segment in the first sample
        case["token_type_ids"] = types.tolist()
    return case


def run(model, case):
    kwargs = {k: torch.tensor(v) for k, v in case.items() if k in ("input_ids", "attention_mask", "token_type_ids")}
    with torch.no_grad():
        out = model(**kwargs)
    result = {"last_hidden_state": out.last_hidden_state}
    pooler = getattr(out, "pooler_output", None)
    if pooler is not None:
        result["pooler_output"] = pooler
    return result


def rounded(t):
    return [[[round(x, 7) for x in row] for row in m] for m in t.tolist()] if t.dim() == 3 else [[round(x, 7) for x in row] for row in t.tolist()]


def make():
    for arch, (cls, config) in configs().items():
        generator = torch.Generator().manual_seed(SEED)
        torch.manual_seed(SEED)
        model = cls(config).eval()
        randomise(model, generator)
        case = inputs_for(arch, config, generator)
        outputs = run(model, case)
        target = OUT / arch
        target.mkdir(parents=True, exist_ok=True)
        model.save_pretrained(target, safe_serialization=True)
        case.update({k: rounded(v) for k, v in outputs.items()})
        (target / "case.json").write_text(json.dumps(case, separators=(",", ":")) + "\n")
        print(f"{arch}: {target.relative_to(ROOT)}")


def check(model_dir, case_path):
    model = AutoModel.from_pretrained(model_dir).eval()
    case = json.loads(Path(case_path).read_text())
    outputs = run(model, case)
    errors = {}
    for key, value in outputs.items():
        if key in case:
            errors[key] = float((value - torch.tensor(case[key])).abs().max())
    print(json.dumps({"model": type(model).__name__, "max_abs_error": errors}), flush=True)


if __name__ == "__main__":
    torch.set_num_threads(1)
    if len(sys.argv) > 1 and sys.argv[1] == "check":
        pairs = sys.argv[2:]
        if not pairs or len(pairs) % 2 != 0:
            sys.exit("usage: make_hf_fixtures.py check MODEL_DIR CASE_JSON [MODEL_DIR CASE_JSON ...]")
        for i in range(0, len(pairs), 2):
            check(pairs[i], pairs[i + 1])
    else:
        make()
