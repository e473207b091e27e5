"""PyTorch reference for `npm run bench:series-vision`: the same models and training steps as
tools/bench/series-vision.ts, timed the same way (median over repeats after warm-up).

    .venv-ref/bin/python tools/python/bench_series_vision.py --warmup 3 --repeats 7 [--parts alstm,cnn]

- alstm: Adv-ALSTM's attentive LSTM with the ACL18 settings (5 days, 11 features, 4 LSTM units, dense tanh mapping
  11 -> 11, attention 4 -> 1, latent [h_T ; context] -> linear head), hinge loss + alpha * l2_loss(head weight),
  alpha 1, Adam lr 1e-2, batch 1024. One timed repeat = `--alstm-steps` steps.
- cnn: the 20-day Jiang-Kelly-Xiu CNN (3 blocks of 5x3 conv without bias -> batch norm -> leaky ReLU 0.01 ->
  2x1 max-pool, 64/128/256 channels, 'same' padding), flatten, dropout 0.5, linear to 2 logits, cross-entropy,
  Adam lr 1e-3, batch 128 of 64x60 images.

Prints one JSON object: {"torch", "threads", "alstm": {...}, "cnn": {...}} with medianMs per step, samplesMs and
samplesPerSec.

With --serve it builds and warms up the models, prints {"ready": ...}, then for each line "alstm" or "cnn" read from
stdin times one repeat and prints {"part", "ms"} (ms per step), until "quit": tools/bench/series-vision.ts
alternates these repeats with its own, so that both frameworks see the same load on a shared machine.
"""

import argparse
import json
import os
import statistics
import sys
import time

import torch


class Alstm(torch.nn.Module):
    """Dense tanh mapping -> LSTM -> temporal attention -> linear head on [h_T ; context]."""

    def __init__(self, features, units, attention_units):
        super().__init__()
        self.mapping = torch.nn.Linear(features, features)
        self.lstm = torch.nn.LSTM(features, units, batch_first=True)
        self.attention = torch.nn.Linear(units, attention_units)
        self.score = torch.nn.Linear(attention_units, 1, bias=False)
        self.head = torch.nn.Linear(2 * units, 1)

    def forward(self, x):
        h, (h_last, _) = self.lstm(torch.tanh(self.mapping(x)))  # [B, T, U], [1, B, U]
        weights = torch.softmax(self.score(torch.tanh(self.attention(h))).squeeze(-1), dim=1)  # [B, T]
        context = torch.bmm(weights.unsqueeze(1), h).squeeze(1)  # [B, U]
        return self.head(torch.cat([h_last[-1], context], dim=1))  # [B, 1]


def jkx_cnn(blocks=3, base=64, height=64, width=60):
    """The 20-day chart CNN of Jiang, Kelly & Xiu, as tools/bench/series-vision.ts builds it."""
    layers, channels, h = [], 1, height
    for i in range(blocks):
        out = base * 2 ** i
        layers += [torch.nn.Conv2d(channels, out, (5, 3), padding=(2, 1), bias=False), torch.nn.BatchNorm2d(out),
                   torch.nn.LeakyReLU(0.01), torch.nn.MaxPool2d((2, 1), ceil_mode=True)]
        channels, h = out, (h + 1) // 2
    layers += [torch.nn.Flatten(), torch.nn.Dropout(0.5), torch.nn.Linear(h * width * channels, 2)]
    return torch.nn.Sequential(*layers)


def make_alstm(args):
    """The ALSTM training step, its batch and steps per repeat."""
    torch.manual_seed(1)
    model = Alstm(args.alstm_features, args.alstm_units, args.alstm_units).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    x = torch.randn(args.alstm_batch, args.alstm_days, args.alstm_features)
    y = (torch.rand(args.alstm_batch, 1) < 0.5).float() * 2 - 1  # {-1, 1}

    def step():
        optimizer.zero_grad(set_to_none=True)
        pred = model(x)
        loss = torch.clamp(1 - y * pred, min=0).mean() + args.alpha * 0.5 * model.head.weight.pow(2).sum()
        loss.backward()
        optimizer.step()
        return loss.item()

    return step, args.alstm_batch, args.alstm_steps


def make_cnn(args):
    """The 20-day CNN training step, its batch and steps per repeat."""
    torch.manual_seed(1)
    model = jkx_cnn().train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = (torch.rand(args.cnn_batch, 1, 64, 60) < 0.1).float()  # [B, C, H, W], sparse white pixels like a chart
    y = (torch.rand(args.cnn_batch) < 0.5).long()

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    return step, args.cnn_batch, 1


MAKERS = {"alstm": make_alstm, "cnn": make_cnn}


def run_repeat(step, steps):
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - t0) * 1000 / steps


def serve(args, parts):
    """Warm up, then time one repeat per stdin line naming a part."""
    steps = {}
    for part in parts:
        step, _, per_repeat = MAKERS[part](args)
        for _ in range(args.warmup if part == "alstm" else 1):
            step()
        steps[part] = (step, per_repeat)
    print(json.dumps({"ready": sorted(steps), "torch": torch.__version__, "threads": args.threads}), flush=True)
    for line in sys.stdin:
        part = line.strip()
        if part == "quit":
            break
        step, per_repeat = steps[part]
        print(json.dumps({"part": part, "ms": run_repeat(step, per_repeat)}), flush=True)


def bench(args, part):
    step, batch, per_repeat = MAKERS[part](args)
    warmup, repeats = (args.warmup, args.repeats) if part == "alstm" else (1, args.cnn_repeats)
    for _ in range(warmup):
        step()
    samples = [run_repeat(step, per_repeat) for _ in range(repeats)]
    median = statistics.median(samples)
    return {"medianMs": median, "samplesMs": samples, "samplesPerSec": batch * 1000 / median, "batch": batch}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--parts", default="alstm,cnn")
    p.add_argument("--serve", action="store_true", help="time one repeat per stdin line (see the module doc)")
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--cnn-repeats", type=int, default=5)
    p.add_argument("--alstm-steps", type=int, default=10)
    p.add_argument("--alstm-batch", type=int, default=1024)
    p.add_argument("--alstm-days", type=int, default=5)
    p.add_argument("--alstm-features", type=int, default=11)
    p.add_argument("--alstm-units", type=int, default=4)
    p.add_argument("--alpha", type=float, default=1.0)
    p.add_argument("--cnn-batch", type=int, default=128)
    p.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    parts = [p for p in args.parts.split(",") if p in MAKERS]
    if args.serve:
        serve(args, parts)
        return
    out = {"torch": torch.__version__, "threads": args.threads}
    for part in parts:
        out[part] = bench(args, part)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
