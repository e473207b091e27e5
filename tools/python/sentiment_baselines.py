"""Classical baselines of the sentiment app on Financial PhraseBank (50Agree), on the FinBERT split the app uses.

TF-IDF of word 1-2 grams and character 2-5 grams (char_wb), fitted on the 3,488 training sentences only, then
multinomial logistic regression (sklearn, lbfgs):
  - "tfidf_lr": C = 1 (sklearn's default), no tuning at all;
  - "tfidf_lr_tuned": C and class_weight chosen by validation macro-F1 (388 sentences), refitted on the training
    sentences only (validation and test are never trained on);
  - "tfidf_lr_cv": C and class_weight chosen by mean macro-F1 over a stratified 5-fold cross-validation of the
    3,488 training sentences (features refitted on each fold's training part), then fitted on all of them. The
    388 validation sentences are too few to tell the grid apart (0.740-0.749 for every C with balanced weights, 0.644-0.751 without).
Reported on the 970 test sentences: accuracy, macro-F1 and the classification report. The issue's reference
figure for this kind of baseline is accuracy 0.803 / macro-F1 0.760.

Run from the repository root (the venv comes from tools/python/python-env.ts):
    node tools/run-ts.mjs apps/sentiment/scripts/baselines.ts
or directly:
    "$(node tools/run-ts.mjs tools/python/python-env.ts | tail -1)" tools/python/sentiment_baselines.py \
        --data ../shared/data/financial-phrasebank --out apps/sentiment/baselines/phrasebank.json
"""
import argparse
import hashlib
import json
import os
import pathlib
import sys

import numpy as np
import sklearn
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, classification_report, f1_score
from sklearn.model_selection import StratifiedKFold

CLASSES = ["negative", "neutral", "positive"]  # the app's class order
SENTENCES = "FinancialPhraseBank-v1.0/Sentences_50Agree.txt"


def read_phrasebank(path):
    """(sentence, label index) per non-empty line (ISO-8859-1, split on the last '@'), failing on a bad line."""
    rows = []
    text = pathlib.Path(path).read_bytes().decode("latin-1")
    for line_no, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if line.strip() == "":
            continue
        sentence, at, label = line.rpartition("@")
        if at == "" or label.strip() not in CLASSES or sentence.strip() == "":
            sys.exit(f"{path}:{line_no}: expected 'sentence@label' with label one of {CLASSES}")
        rows.append((sentence.strip(), CLASSES.index(label.strip())))
    return rows


class Features:
    """Word 1-2 gram and char_wb 2-5 gram TF-IDF (sublinear tf), fitted on the training sentences only."""

    def __init__(self):
        self.word = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, lowercase=True)
        self.char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, lowercase=True)

    def fit(self, texts):
        self.word.fit(texts)
        self.char.fit(texts)
        return self

    def transform(self, texts):
        return hstack([self.word.transform(texts), self.char.transform(texts)]).tocsr()


def default_data_dir():
    """FINMM_DATA_DIR/financial-phrasebank, else ../shared/data/financial-phrasebank beside the repository."""
    here = pathlib.Path(__file__).resolve().parents[2]
    return pathlib.Path(os.environ.get("FINMM_DATA_DIR", here.parent / "shared" / "data")) / "financial-phrasebank"


def load_parts(data_dir):
    """{train, validation, test}: (sentences, label indices) of the FinBERT split, failing when the split does not fit the file."""
    sentence_file = pathlib.Path(data_dir) / SENTENCES
    split_file = pathlib.Path(data_dir) / "split_50agree_finbert.json"
    rows = read_phrasebank(sentence_file)
    split = json.loads(split_file.read_text())
    if split.get("rows") != len(rows):
        sys.exit(f"{split_file}: split is for {split.get('rows')} rows, the sentence file has {len(rows)}")
    return {name: ([rows[i][0] for i in split[name]], np.array([rows[i][1] for i in split[name]])) for name in ("train", "validation", "test")}


def cv_splits(texts, y):
    """The stratified 5-fold split of the training sentences that chooses tfidf_lr_cv (seed 0): (fit rows, held rows) pairs."""
    return StratifiedKFold(5, shuffle=True, random_state=0).split(texts, y)


def scores(y, pred):
    report = classification_report(y, pred, labels=[0, 1, 2], target_names=CLASSES, output_dict=True, zero_division=0)
    return {
        "accuracy": float(accuracy_score(y, pred)),
        "macro_f1": float(f1_score(y, pred, average="macro")),
        "report": {k: {m: float(v) for m, v in r.items()} if isinstance(r, dict) else float(r) for k, r in report.items()},
    }


def fit_predict(x_train, y_train, xs, c, class_weight):
    model = LogisticRegression(C=c, class_weight=class_weight, max_iter=5000)
    model.fit(x_train, y_train)
    return [model.predict(x) for x in xs]


def sha256(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


def main():
    here = pathlib.Path(__file__).resolve().parents[2]
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()), help="folder with FinancialPhraseBank-v1.0/ and split_50agree_finbert.json")
    parser.add_argument("--out", default=str(here / "apps" / "sentiment" / "baselines" / "phrasebank.json"))
    args = parser.parse_args()
    sentence_file = pathlib.Path(args.data) / SENTENCES
    split_file = pathlib.Path(args.data) / "split_50agree_finbert.json"
    parts = load_parts(args.data)
    (t_train, y_train), (t_valid, y_valid), (t_test, y_test) = parts["train"], parts["validation"], parts["test"]
    features = Features().fit(t_train)
    x_train, x_valid, x_test = (features.transform(t) for t in (t_train, t_valid, t_test))

    models = {}
    valid_pred, test_pred = fit_predict(x_train, y_train, [x_valid, x_test], 1.0, None)
    models["tfidf_lr"] = {"C": 1.0, "class_weight": None, "validation": scores(y_valid, valid_pred), "test": scores(y_test, test_pred)}

    grid = []
    for c in (0.3, 1.0, 3.0, 10.0, 30.0, 100.0):
        for class_weight in (None, "balanced"):
            (valid_pred,) = fit_predict(x_train, y_train, [x_valid], c, class_weight)
            grid.append({"C": c, "class_weight": class_weight, "validation_macro_f1": float(f1_score(y_valid, valid_pred, average="macro"))})
    best = max(grid, key=lambda g: g["validation_macro_f1"])  # first of equals wins (grid order)
    valid_pred, test_pred = fit_predict(x_train, y_train, [x_valid, x_test], best["C"], best["class_weight"])
    models["tfidf_lr_tuned"] = {
        "C": best["C"], "class_weight": best["class_weight"], "grid": grid,
        "validation": scores(y_valid, valid_pred), "test": scores(y_test, test_pred),
    }

    folds = []
    for fit_rows, held_rows in cv_splits(t_train, y_train):
        fold_features = Features().fit([t_train[i] for i in fit_rows])
        folds.append((fold_features.transform([t_train[i] for i in fit_rows]), y_train[fit_rows],
                      fold_features.transform([t_train[i] for i in held_rows]), y_train[held_rows]))
    cv_grid = []
    for c in (1.0, 3.0, 10.0, 30.0, 100.0):
        for class_weight in (None, "balanced"):
            f1s = [f1_score(y_held, fit_predict(x_fit, y_fit, [x_held], c, class_weight)[0], average="macro")
                   for x_fit, y_fit, x_held, y_held in folds]
            cv_grid.append({"C": c, "class_weight": class_weight, "cv_macro_f1": float(np.mean(f1s)),
                            "cv_macro_f1_folds": [float(f) for f in f1s]})
    best = max(cv_grid, key=lambda g: g["cv_macro_f1"])  # first of equals wins (grid order)
    valid_pred, test_pred = fit_predict(x_train, y_train, [x_valid, x_test], best["C"], best["class_weight"])
    models["tfidf_lr_cv"] = {
        "C": best["C"], "class_weight": best["class_weight"], "grid": cv_grid,
        "validation": scores(y_valid, valid_pred), "test": scores(y_test, test_pred),
    }

    result = {
        "protocol": "FinBERT split of Sentences_50Agree.txt (train 3488 / validation 388 / test 970); TF-IDF word 1-2 "
                    "+ char_wb 2-5 grams (sublinear tf) fitted on train only; multinomial logistic regression; "
                    "tfidf_lr: C=1 untuned; tfidf_lr_tuned: C and class_weight chosen on validation macro-F1, "
                    "trained on train only; tfidf_lr_cv: C and class_weight chosen by stratified 5-fold CV macro-F1 "
                    "on train (seed 0), trained on train only; metrics on test",
        "sklearn": sklearn.__version__,
        "data": {"Sentences_50Agree.txt": sha256(sentence_file), "split_50agree_finbert.json": sha256(split_file)},
        "classes": CLASSES,
        "models": models,
    }
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(result, indent=2) + "\n")
    os.replace(tmp, out)  # atomic
    for name, r in models.items():
        print(f"{name} (C={r['C']}, class_weight={r['class_weight']}): test accuracy {r['test']['accuracy']:.4f}, "
              f"macro-F1 {r['test']['macro_f1']:.4f} (validation {r['validation']['accuracy']:.4f} / {r['validation']['macro_f1']:.4f})")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
