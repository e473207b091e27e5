"""Label-free agreement on PhraseBank's validation sentences between finmm models and the cross-validated TF-IDF +
logistic regression (sentiment_baselines.py's "tfidf_lr_cv", with the C and class weights it chose, read from
apps/sentiment/baselines/phrasebank.json: C = 10, balanced; fitted on the 3,488 training sentences). It reads no validation or test label: it is how a TF-IDF branch trained "as logistic
regression" is checked to have reached the regression's optimum, without choosing on labelled rows.

    PY="$(node tools/run-ts.mjs tools/python/python-env.ts | tail -1)"
    $PY tools/python/sentiment_agreement.py --write-validation /tmp/validation.jsonl
    node tools/run-ts.mjs apps/sentiment/src/main.ts predict --model runs/sentiment/<run>/fits/seed1/model \
        --input /tmp/validation.jsonl --output /tmp/predictions.jsonl
    $PY tools/python/sentiment_agreement.py --predictions /tmp/predictions.jsonl [more.jsonl ...]
"""
import argparse
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from sentiment_baselines import CLASSES, Features, default_data_dir, fit_predict, load_parts  # noqa: E402


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
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data_dir()), help="folder with FinancialPhraseBank-v1.0/ and split_50agree_finbert.json")
    parser.add_argument("--baselines", default=str(here / "apps" / "sentiment" / "baselines" / "phrasebank.json"),
                        help="sentiment_baselines.py's output, whose tfidf_lr_cv gives C and the class weights")
    parser.add_argument("--write-validation", help="write the validation sentences, in split order, as JSON lines {\"sentence\": ...}")
    parser.add_argument("--predictions", nargs="*", default=[], help="finmm predict outputs for that file")
    args = parser.parse_args()
    parts = load_parts(args.data)
    texts, labels = parts["train"]
    validation = parts["validation"][0]  # sentences only: no validation label is read
    if args.write_validation:
        pathlib.Path(args.write_validation).write_text("".join(json.dumps({"sentence": s}) + "\n" for s in validation))
        print(f"wrote {len(validation)} validation sentences to {args.write_validation}")
    if not args.predictions:
        return
    chosen = json.loads(pathlib.Path(args.baselines).read_text())["models"]["tfidf_lr_cv"]
    features = Features().fit(texts)
    (reference,) = fit_predict(features.transform(texts), labels, [features.transform(validation)], chosen["C"], chosen["class_weight"])
    for path in args.predictions:
        predicted = read_predictions(path, len(validation))
        same = sum(int(a == b) for a, b in zip(predicted, reference))
        print(f"{path}: agrees with the cross-validated logistic regression on {same} of {len(validation)} validation sentences ({same / len(validation):.1%})")


if __name__ == "__main__":
    main()
