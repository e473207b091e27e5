"""Label-free agreement on PhraseBank's validation sentences between finmm models and the cross-validated TF-IDF +
logistic regression (sentiment_baselines.py's "tfidf_lr_cv": C = 10, balanced class weights, fitted on the 3,488
training sentences). It reads no validation or test label: it is how a TF-IDF branch trained "as logistic
regression" is checked to have reached the regression's optimum, without choosing on labelled rows.

    PY="$(node tools/run-ts.mjs tools/python/python-env.ts | tail -1)"
    $PY tools/python/sentiment_agreement.py --write-validation /tmp/validation.jsonl
    node tools/run-ts.mjs apps/sentiment/src/main.ts predict --model runs/sentiment/<run>/fits/seed1/model \
        --input /tmp/validation.jsonl --output /tmp/predictions.jsonl
    $PY tools/python/sentiment_agreement.py --predictions /tmp/predictions.jsonl [more.jsonl ...]
"""
import argparse
import json
import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from sentiment_baselines import CLASSES, SENTENCES, Features, fit_predict, read_phrasebank  # noqa: E402

CV_CHOICE = {"c": 10.0, "class_weight": "balanced"}  # what tfidf_lr_cv chose (apps/sentiment/baselines/phrasebank.json)


def read_predictions(path, count):
    """The predicted class index of each line of a finmm predict output, which must cover every validation sentence in order."""
    out = []
    for line_no, line in enumerate(pathlib.Path(path).read_text().splitlines(), start=1):
        record = json.loads(line)
        if record.get("line") != line_no or "prediction" not in record:
            sys.exit(f"{path}:{line_no}: expected a prediction for input line {line_no}, got {line[:120]}")
        if record["prediction"] not in CLASSES:
            sys.exit(f"{path}:{line_no}: prediction {record['prediction']!r} is not one of {CLASSES}")
        out.append(CLASSES.index(record["prediction"]))
    if len(out) != count:
        sys.exit(f"{path}: {len(out)} predictions for {count} validation sentences")
    return out


def main():
    here = pathlib.Path(__file__).resolve().parents[2]
    default_data = pathlib.Path(os.environ.get("FINMM_DATA_DIR", here.parent / "shared" / "data")) / "financial-phrasebank"
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data), help="folder with FinancialPhraseBank-v1.0/ and split_50agree_finbert.json")
    parser.add_argument("--write-validation", help="write the validation sentences, in split order, as JSON lines {\"sentence\": ...}")
    parser.add_argument("--predictions", nargs="*", default=[], help="finmm predict outputs for that file")
    args = parser.parse_args()
    data = pathlib.Path(args.data)
    rows = read_phrasebank(data / SENTENCES)
    split = json.loads((data / "split_50agree_finbert.json").read_text())
    train = [rows[i] for i in split["train"]]
    validation = [rows[i][0] for i in split["validation"]]  # sentences only: no validation label is read
    if args.write_validation:
        pathlib.Path(args.write_validation).write_text("".join(json.dumps({"sentence": s}) + "\n" for s in validation))
        print(f"wrote {len(validation)} validation sentences to {args.write_validation}")
    if not args.predictions:
        return
    texts = [t for t, _ in train]
    features = Features().fit(texts)
    (reference,) = fit_predict(features.transform(texts), [y for _, y in train], [features.transform(validation)], CV_CHOICE["c"], CV_CHOICE["class_weight"])
    for path in args.predictions:
        predicted = read_predictions(path, len(validation))
        same = sum(int(a == b) for a, b in zip(predicted, reference))
        print(f"{path}: agrees with the cross-validated logistic regression on {same} of {len(validation)} validation sentences ({same / len(validation):.1%})")


if __name__ == "__main__":
    main()
