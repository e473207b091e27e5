"""PyTorch reference for `npm run bench:text` (tools/bench/text.ts) and the MLM checkpoint check of
packages/encoders-text/test/pretraining-model.test.ts.

    python tools/python/bench_text.py check-mlm MODEL_DIR CASE_JSON
        loads MODEL_DIR (saved by finmm's saveMlmModel) with BertForMaskedLM.from_pretrained, runs the inputs of
        CASE_JSON ({"input_ids", "attention_mask", "logits"?}) and prints one JSON line:
        {"model", "missing", "unexpected", "logits"} with the logits when CASE_JSON has none, else
        {"model", "missing", "unexpected", "max_abs_error"}.
    python tools/python/bench_text.py serve --model MODEL_DIR --data DATA_JSON [--threads N] [--lr 5e-4]
        loads the finmm-saved initial model (so both sides start from the same weights), warms up, prints "ready",
        then answers one JSON line ({"wallMs", "cpuMs"}) per command read from stdin:
          train-hf I        one AdamW step of BertForMaskedLM on batch I (labels -100 except at masked positions;
                            logits at every position, as transformers computes them)
          train-gathered I  the same step with the head run only at the masked positions (as finmm does)
          infer1 I          encoder forward of sentence I alone (batch 1), [CLS] vector read back
          infer64 I         encoder forward of sentences I..I+63 padded to the longest, [CLS] vectors read back
        and prints {"info": {...}} when stdin closes.
DATA_JSON: {"batches": [{"batch", "seqLen", "ids", "attentionMask", "positions", "labels"}], "sentences": [[ids]],
"padId", "warmup"}, flat row-major arrays as finmm's MlmCollator makes them.
"""

import json
import os
import sys
import time
from pathlib import Path

import torch
import transformers
from transformers import BertForMaskedLM


def check_mlm(model_dir, case_path):
    model, info = BertForMaskedLM.from_pretrained(model_dir, output_loading_info=True)
    model.eval()
    case = json.loads(Path(case_path).read_text())
    with torch.no_grad():
        logits = model(input_ids=torch.tensor(case["input_ids"]), attention_mask=torch.tensor(case["attention_mask"])).logits
    out = {"model": type(model).__name__, "missing": sorted(info["missing_keys"]), "unexpected": sorted(info["unexpected_keys"])}
    if "logits" in case:
        out["max_abs_error"] = float((logits - torch.tensor(case["logits"])).abs().max())
    else:
        out["logits"] = logits.tolist()
    print(json.dumps(out), flush=True)


def tensors(batch):
    b, t = batch["batch"], batch["seqLen"]
    ids = torch.tensor(batch["ids"], dtype=torch.long).view(b, t)  # [B, T]
    mask = torch.tensor(batch["attentionMask"], dtype=torch.float32).view(b, t)  # [B, T]
    positions = torch.tensor(batch["positions"], dtype=torch.long)  # [M]
    labels = torch.tensor(batch["labels"], dtype=torch.long)  # [M]
    return ids, mask, positions, labels


def serve(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    model = BertForMaskedLM.from_pretrained(args.model).train()
    data = json.loads(Path(args.data).read_text())
    batches, sentences, pad = data["batches"], data["sentences"], data["padId"]
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2 and "LayerNorm" not in n and "bias" not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.ndim >= 2 and "LayerNorm" not in n and "bias" not in n)]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=args.lr)
    d = model.config.hidden_size

    def train(i, gathered):
        ids, mask, positions, labels = tensors(batches[i % len(batches)])
        optimizer.zero_grad(set_to_none=True)
        if gathered:
            hidden = model.bert(input_ids=ids, attention_mask=mask).last_hidden_state.reshape(-1, d)  # [B*T, D]
            logits = model.cls(hidden[positions])  # [M, V]
            loss = torch.nn.functional.cross_entropy(logits, labels)
        else:
            full = torch.full((ids.numel(),), -100, dtype=torch.long)
            full[positions] = labels
            loss = model(input_ids=ids, attention_mask=mask, labels=full.view_as(ids)).loss  # labels [B*T] -> [B, T]
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        return loss.item()

    def infer(i, n):
        rows = [sentences[(i + k) % len(sentences)] for k in range(n)]
        longest = max(len(r) for r in rows)
        ids = torch.tensor([r + [pad] * (longest - len(r)) for r in rows], dtype=torch.long)  # [N, T]
        mask = torch.tensor([[1] * len(r) + [0] * (longest - len(r)) for r in rows], dtype=torch.long)  # [N, T]
        with torch.inference_mode():
            cls = model.bert(input_ids=ids, attention_mask=mask).last_hidden_state[:, 0]  # [N, D]
        return cls.numpy()

    for k in range(data.get("warmup", 2)):
        train(k, False)
        train(k, True)
    model.eval()
    for k in range(5):
        infer(k, 1)
        infer(k, 64)
    print("ready", flush=True)
    for line in sys.stdin:
        command, index = line.split()
        index = int(index)
        t0, c0 = time.perf_counter(), time.process_time()
        if command.startswith("train"):
            model.train()
            loss = train(index, command == "train-gathered")
            model.eval()
            extra = {"loss": loss}
        else:
            infer(index, 1 if command == "infer1" else 64)
            extra = {}
        print(json.dumps({"wallMs": (time.perf_counter() - t0) * 1000, "cpuMs": (time.process_time() - c0) * 1000, **extra}), flush=True)
    info = {
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "attention": model.config._attn_implementation,
        "parameters": sum(p.numel() for p in model.parameters()),
    }
    print(json.dumps({"info": info}), flush=True)


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "check-mlm":
        if len(sys.argv) != 4:
            sys.exit("usage: bench_text.py check-mlm MODEL_DIR CASE_JSON")
        torch.set_num_threads(1)
        check_mlm(sys.argv[2], sys.argv[3])
        return
    if len(sys.argv) >= 2 and sys.argv[1] == "serve":
        import argparse

        p = argparse.ArgumentParser()
        p.add_argument("--model", required=True)
        p.add_argument("--data", required=True)
        p.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
        p.add_argument("--lr", type=float, default=5e-4)
        serve(p.parse_args(sys.argv[2:]))
        return
    sys.exit(__doc__)


if __name__ == "__main__":
    main()
