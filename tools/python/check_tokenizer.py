"""Python's `tokenizers` as the reference for finmm's tokenizer.json files and tokenizer trainers.

    python tools/python/check_tokenizer.py TOKENIZER.json SENTENCES.json [--max-length N]
        Encodes SENTENCES.json (a JSON list of strings) with TOKENIZER.json, special tokens added, and prints one JSON
        list of id lists on stdout. With --max-length, truncation to N ids is enabled first (special tokens kept).

    python tools/python/check_tokenizer.py train {wordpiece,bpe} CORPUS.json OUT.json [--vocab-size N] [--min-frequency F]
        Trains the reference tokenizer that finmm's trainWordPiece / trainByteLevelBpe mirror on CORPUS.json (a JSON
        list of strings) with Hugging Face's WordPieceTrainer (BERT normaliser, lowercase) or BpeTrainer (byte-level,
        add_prefix_space) and saves it to OUT.json.
"""

import argparse
import json
import sys

from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers


def read_strings(path: str) -> list:
    with open(path, encoding="utf-8") as f:
        values = json.load(f)
    if not isinstance(values, list) or not all(isinstance(s, str) for s in values):
        raise SystemExit(f"{path}: expected a JSON list of strings")
    return values


def encode(argv: list) -> int:
    parser = argparse.ArgumentParser(description="encode sentences with a tokenizer.json")
    parser.add_argument("tokenizer")
    parser.add_argument("sentences")
    parser.add_argument("--max-length", type=int, default=None)
    args = parser.parse_args(argv)
    tokenizer = Tokenizer.from_file(args.tokenizer)
    if args.max_length is not None:
        tokenizer.enable_truncation(max_length=args.max_length)
    encodings = tokenizer.encode_batch(read_strings(args.sentences), add_special_tokens=True)
    json.dump([e.ids for e in encodings], sys.stdout)
    sys.stdout.write("\n")
    return 0


def train(argv: list) -> int:
    parser = argparse.ArgumentParser(description="train a reference tokenizer")
    parser.add_argument("kind", choices=["wordpiece", "bpe"])
    parser.add_argument("corpus")
    parser.add_argument("out")
    parser.add_argument("--vocab-size", type=int, default=8000)
    parser.add_argument("--min-frequency", type=int, default=2)
    args = parser.parse_args(argv)
    if args.kind == "wordpiece":
        tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
        tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
        tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        trainer = trainers.WordPieceTrainer(
            vocab_size=args.vocab_size, min_frequency=args.min_frequency,
            special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"], show_progress=False,
        )
    else:
        tokenizer = Tokenizer(models.BPE())
        tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True)
        trainer = trainers.BpeTrainer(
            vocab_size=args.vocab_size, min_frequency=args.min_frequency,
            special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"],
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False,
        )
    tokenizer.train_from_iterator(read_strings(args.corpus), trainer)
    tokenizer.save(args.out)
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "train":
        sys.exit(train(sys.argv[2:]))
    sys.exit(encode(sys.argv[1:]))
