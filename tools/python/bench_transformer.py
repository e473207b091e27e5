"""PyTorch reference for `npm run bench:backend`: one Adam training step of a BERT encoder (transformers' BertModel),
masked mean pooling, a linear classifier and cross-entropy, timed like tools/bench/transformer-step.ts.

    .venv-ref/bin/python tools/python/bench_transformer.py --warmup 2 --repeats 7 [--vocab 30522 --hidden 256 ...]

Prints one JSON object: {"medianMs", "samplesMs", "threads", "torch", "transformers", "parameters"}.
With --serve it instead warms up, prints "ready", then runs one timed step per line read from stdin and prints its
wall and CPU milliseconds as JSON ({"wallMs", "cpuMs"}), so that a caller can interleave its own steps with
PyTorch's on a shared machine; when stdin closes it prints {"info": {"threads", "torch", ...}}.
"""

import argparse
import json
import os
import statistics
import sys
import time

import torch
import transformers
from transformers import BertConfig, BertModel


def fake_batch(vocab, seq, batch, classes):
    """The same deterministic batch as fakeBatch() in tools/bench/transformer-step.ts."""
    state = 12345

    def nxt():
        nonlocal state
        state = (state * 1103515245 + 12345) % 2147483648
        return state / 2147483648

    ids, mask, labels = [], [], []
    for _ in range(batch):
        length = int(seq / 2 + nxt() * (seq / 2 + 1))
        ids.append([1 + int(nxt() * (vocab - 1)) if t < length else 0 for t in range(seq)])
        mask.append([1 if t < length else 0 for t in range(seq)])
        labels.append(int(nxt() * classes))
    return torch.tensor(ids), torch.tensor(mask), torch.tensor(labels)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--vocab", type=int, default=30522)
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--intermediate", type=int, default=1024)
    p.add_argument("--seq", type=int, default=64)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--classes", type=int, default=3)
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    p.add_argument("--serve", action="store_true")
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    config = BertConfig(vocab_size=args.vocab, hidden_size=args.hidden, num_hidden_layers=args.layers,
                        num_attention_heads=args.heads, intermediate_size=args.intermediate, hidden_act="gelu",
                        max_position_embeddings=512, type_vocab_size=2, hidden_dropout_prob=args.dropout,
                        attention_probs_dropout_prob=args.dropout)
    encoder = BertModel(config).train()
    classifier = torch.nn.Linear(args.hidden, args.classes)
    params = list(encoder.parameters()) + list(classifier.parameters())
    optimizer = torch.optim.Adam(params, lr=args.lr)
    ids, mask, labels = fake_batch(args.vocab, args.seq, args.batch, args.classes)

    def step():
        optimizer.zero_grad(set_to_none=True)
        tokens = encoder(input_ids=ids, attention_mask=mask).last_hidden_state  # [B, T, D]
        m = mask.unsqueeze(-1).float()
        pooled = (tokens * m).sum(1) / m.sum(1).clamp(min=1)  # [B, D]
        loss = torch.nn.functional.cross_entropy(classifier(pooled), labels)
        loss.backward()
        optimizer.step()
        return loss.item()

    for _ in range(args.warmup):
        step()
    info = {
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "attention": encoder.config._attn_implementation,
        "parameters": sum(p.numel() for p in params if p.requires_grad),
    }
    if args.serve:
        print("ready", flush=True)
        for _ in sys.stdin:
            t0, c0 = time.perf_counter(), time.process_time()
            step()
            print(json.dumps({"wallMs": (time.perf_counter() - t0) * 1000, "cpuMs": (time.process_time() - c0) * 1000}), flush=True)
        print(json.dumps({"info": info}), flush=True)
        return
    samples = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        step()
        samples.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({"medianMs": statistics.median(samples), "samplesMs": samples, **info}))


if __name__ == "__main__":
    main()
