"""Does logistic regression on PhraseBank gain from other TF-IDF features or from annotator agreement? A 5-fold CV
of the 3,488 training sentences only (validation and test are never read).

Same folds as sentiment_baselines.py's "tfidf_lr_cv" (StratifiedKFold(5, shuffle, random_state=0)); features
refitted on each fold's training part; multinomial logistic regression with balanced class weights at C = 3, 10, 30.
  - feature variants: the baseline's word 1-2 + char_wb 2-5 grams (char min_df 2), word 1-3, char_wb 1-6 or 3-6,
    char (across word boundaries) 2-6, word only, char_wb only;
  - sample weights from annotator agreement (PhraseBank's 66/75/100% files; a training sentence in none of them
    has 50-65% agreement): the agreement level, its square, or leaving out the 50-65% sentences.
Each line gives the mean CV macro-F1 and accuracy, and the paired difference in macro-F1 from the baseline at the
same C (mean over folds ± its standard error).

    "$(node tools/run-ts.mjs tools/python/python-env.ts | tail -1)" tools/python/sentiment_feature_cv.py
"""
import argparse
import pathlib
import sys

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from sentiment_baselines import cv_splits, default_data_dir, load_parts, read_phrasebank  # noqa: E402

FEATURES = {
    "baseline: word 1-2 + char_wb 2-5": ((1, 2), ("char_wb", (2, 5))),
    "word 1-3 + char_wb 2-5": ((1, 3), ("char_wb", (2, 5))),
    "word 1-2 + char_wb 1-6": ((1, 2), ("char_wb", (1, 6))),
    "word 1-2 + char_wb 3-6": ((1, 2), ("char_wb", (3, 6))),
    "word 1-2 + char 2-6": ((1, 2), ("char", (2, 6))),
    "word 1-2 only": ((1, 2), None),
    "char_wb 2-5 only": (None, ("char_wb", (2, 5))),
}
AGREEMENT_FILES = (("66Agree", 0.66), ("75Agree", 0.75), ("AllAgree", 1.0))


def vectorizers(spec):
    """The TfidfVectorizers of a feature variant (sublinear tf; char min_df 2, as the baseline)."""
    word, char = spec
    out = []
    if word is not None:
        out.append(TfidfVectorizer(ngram_range=word, sublinear_tf=True, min_df=1, lowercase=True))
    if char is not None:
        out.append(TfidfVectorizer(analyzer=char[0], ngram_range=char[1], sublinear_tf=True, min_df=2, lowercase=True))
    return out


def fold_scores(texts, y, weights_of, spec, c):
    """(macro-F1, accuracy) of each fold."""
    out = []
    for fit_rows, held_rows in cv_splits(texts, y):
        vs = vectorizers(spec)
        x_fit = hstack([v.fit_transform([texts[i] for i in fit_rows]) for v in vs]).tocsr()
        x_held = hstack([v.transform([texts[i] for i in held_rows]) for v in vs]).tocsr()
        w = weights_of[fit_rows]
        keep = w > 0
        model = LogisticRegression(C=c, class_weight="balanced", max_iter=5000)
        model.fit(x_fit[keep], y[fit_rows][keep], sample_weight=w[keep])
        pred = model.predict(x_held)
        out.append((f1_score(y[held_rows], pred, average="macro"), accuracy_score(y[held_rows], pred)))
    return np.array(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()), help="folder with FinancialPhraseBank-v1.0/ and split_50agree_finbert.json")
    args = parser.parse_args()
    data = pathlib.Path(args.data)
    texts, y = load_parts(data)["train"]
    level = {}
    for name, agreement in AGREEMENT_FILES:
        for sentence, _ in read_phrasebank(data / f"FinancialPhraseBank-v1.0/Sentences_{name}.txt"):
            level[sentence] = max(level.get(sentence, 0.5), agreement)
    agreement = np.array([level.get(t, 0.5) for t in texts])
    counts = {f"{v:.2f}": int((agreement == v).sum()) for v in sorted(set(agreement))}
    print(f"{len(texts)} training sentences; agreement levels (0.50 = in no stricter file): {counts}", flush=True)
    baseline_spec = FEATURES["baseline: word 1-2 + char_wb 2-5"]
    ones = np.ones(len(texts))
    baseline = {c: fold_scores(texts, y, ones, baseline_spec, c) for c in (3, 10, 30)}

    def report(name, c, scores):
        diff = scores[:, 0] - baseline[c][:, 0]
        print(f"{name}, C={c}: CV macro-F1 {scores[:, 0].mean():.4f}, accuracy {scores[:, 1].mean():.4f}; "
              f"paired macro-F1 difference {diff.mean():+.4f} ± {diff.std(ddof=1) / np.sqrt(len(diff)):.4f}", flush=True)

    for name, spec in FEATURES.items():
        for c in (3, 10, 30):
            report(name, c, baseline[c] if spec is baseline_spec else fold_scores(texts, y, ones, spec, c))
    for name, weights in (("weights = agreement", agreement), ("weights = agreement^2", agreement**2), ("without the 50-65% sentences", (agreement > 0.5).astype(float))):
        report(f"baseline features, {name}", 10, fold_scores(texts, y, weights, baseline_spec, 10))


if __name__ == "__main__":
    main()
