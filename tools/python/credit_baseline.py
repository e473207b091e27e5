"""Classical baselines of the credit app on German Credit, on the same 5 folds (folds_5.json) as the app.

Per fold, fitted on the 4 training folds only: one-hot encoding of the 13 categorical attributes and
standardisation of the 7 numeric ones, then logistic regression (sklearn defaults: L2, C=1, lbfgs) and, for
reference, histogram gradient boosting. Reported per fold and as mean / sample std (ddof=1) over the folds:
ROC-AUC, KS, Gini, Brier, and the expected cost per applicant under german.doc's matrix (bad predicted good 5,
good predicted bad 1) at
  - the cost-minimising threshold chosen on out-of-fold predictions of the training folds (inner 5-fold CV,
    never the test fold), with the same rule as the app (`choose_threshold` below), and
  - the Bayes threshold 1/6 on P(bad).

Run from the repository root (the venv comes from tools/python/python-env.ts):
    node tools/run-ts.mjs apps/credit/scripts/lr-baseline.ts
or directly:
    "$(node tools/run-ts.mjs tools/python/python-env.ts | tail -1)" tools/python/credit_baseline.py \
        --data ../shared/data/german-credit --out apps/credit/baselines/german-credit.json
"""
import argparse
import hashlib
import json
import os
import pathlib
import sys

import numpy as np
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score, roc_curve
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

# Attribute kinds in german.data's column order (german.doc): 7 numeric, 13 categorical.
KINDS = "cnccnccnccncnccncncc"
NAMES = [
    "checking_status", "duration_months", "credit_history", "purpose", "credit_amount", "savings_status",
    "employment_since", "installment_rate_pct", "personal_status_sex", "other_debtors", "residence_since",
    "property", "age_years", "other_installment_plans", "housing", "existing_credits", "job", "people_liable",
    "telephone", "foreign_worker",
]
COST_BAD_AS_GOOD = 5.0
COST_GOOD_AS_BAD = 1.0
BAYES_THRESHOLD = COST_GOOD_AS_BAD / (COST_GOOD_AS_BAD + COST_BAD_AS_GOOD)


def read_german(path):
    """Rows of german.data as (categorical codes, numeric values, label 1 = bad), failing on a malformed line."""
    cats, nums, labels = [], [], []
    with open(path, encoding="latin-1") as f:
        for line_no, line in enumerate(f, start=1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 21:
                sys.exit(f"{path}:{line_no}: expected 21 fields, got {len(fields)}")
            cats.append([v for v, k in zip(fields, KINDS) if k == "c"])
            try:
                nums.append([float(v) for v, k in zip(fields, KINDS) if k == "n"])
            except ValueError as error:
                sys.exit(f"{path}:{line_no}: {error}")
            if fields[20] not in ("1", "2"):
                sys.exit(f"{path}:{line_no} field class: expected 1 or 2, got {fields[20]!r}")
            labels.append(1 if fields[20] == "2" else 0)
    cats = np.array(cats, dtype=object)
    nums = np.array(nums, dtype=float)
    return np.concatenate([nums, cats], axis=1), np.array(labels)


def pipeline(model):
    """One-hot + standardise (fitted on whatever `fit` gets, i.e. the training folds only), then the model."""
    n_numeric = KINDS.count("n")
    columns = ColumnTransformer([
        ("numeric", StandardScaler(), list(range(n_numeric))),
        ("categorical", OneHotEncoder(handle_unknown="ignore"), list(range(n_numeric, len(KINDS)))),
    ])
    return Pipeline([("columns", columns), ("model", model)])


def costs(y, p, threshold):
    """Mean cost per applicant when P(bad) >= threshold is predicted bad."""
    pred = (p >= threshold).astype(int)
    total = COST_BAD_AS_GOOD * np.sum((y == 1) & (pred == 0)) + COST_GOOD_AS_BAD * np.sum((y == 0) & (pred == 1))
    return float(total / len(y))


def choose_threshold(y, p):
    """The app's rule: candidates are 0, 1 and the midpoints between sorted distinct scores; the middle one of
    the candidates with the least cost wins."""
    s = np.unique(p)
    candidates = np.concatenate([[0.0], (s[1:] + s[:-1]) / 2, [1.0 + 1e-9]])
    cost = np.array([costs(y, p, t) for t in candidates])
    best = np.flatnonzero(cost <= cost.min() + 1e-12)
    return float(candidates[best[len(best) // 2]])


def ks(y, p):
    fpr, tpr, _ = roc_curve(y, p)
    return float(np.max(tpr - fpr))


def evaluate(make, x, y, fold):
    """Per-fold metrics of a model built by `make()`, fitted on the other folds."""
    rows = []
    for k in range(int(fold.max()) + 1):
        train, test = fold != k, fold == k
        inner = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
        oof = cross_val_predict(pipeline(make()), x[train], y[train], cv=inner, method="predict_proba")[:, 1]
        threshold = choose_threshold(y[train], oof)
        model = pipeline(make()).fit(x[train], y[train])
        p = model.predict_proba(x[test])[:, 1]
        auc = float(roc_auc_score(y[test], p))
        rows.append({
            "fold": k, "n": int(test.sum()), "roc_auc": auc, "ks": ks(y[test], p), "gini": 2 * auc - 1,
            "brier": float(brier_score_loss(y[test], p)), "threshold": threshold,
            "cost": costs(y[test], p, threshold), "cost_bayes": costs(y[test], p, BAYES_THRESHOLD),
        })
    summary = {}
    for key in ("roc_auc", "ks", "gini", "brier", "cost", "cost_bayes"):
        values = np.array([r[key] for r in rows])
        summary[key] = {"mean": float(values.mean()), "std": float(values.std(ddof=1))}
    return {"folds": rows, "summary": summary}


def sha256(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


def main():
    here = pathlib.Path(__file__).resolve().parents[2]
    default_data = pathlib.Path(os.environ.get("FINMM_DATA_DIR", here.parent / "shared" / "data")) / "german-credit"
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(default_data), help="folder with german.data and folds_5.json")
    parser.add_argument("--out", default=str(here / "apps" / "credit" / "baselines" / "german-credit.json"))
    args = parser.parse_args()
    data_file = pathlib.Path(args.data) / "german.data"
    folds_file = pathlib.Path(args.data) / "folds_5.json"
    x, y = read_german(data_file)
    fold = np.array(json.loads(folds_file.read_text())["fold"])
    if len(fold) != len(y):
        sys.exit(f"{folds_file}: {len(fold)} folds for {len(y)} rows")
    result = {
        "protocol": "5-fold CV on folds_5.json; one-hot + standardise fitted per fold on the 4 training folds; "
                    "threshold chosen on inner 5-fold out-of-fold predictions of the training folds; "
                    "cost = mean cost per applicant (bad->good 5, good->bad 1); std over folds with ddof=1",
        "sklearn": sklearn.__version__,
        "data": {"german.data": sha256(data_file), "folds_5.json": sha256(folds_file)},
        "bayes_threshold": BAYES_THRESHOLD,
        "models": {
            "logistic_regression": evaluate(lambda: LogisticRegression(max_iter=2000), x, y, fold),
            "hist_gradient_boosting": evaluate(lambda: HistGradientBoostingClassifier(random_state=0), x, y, fold),
        },
    }
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    for name, r in result["models"].items():
        s = r["summary"]
        print(f"{name}: AUC {s['roc_auc']['mean']:.4f} ± {s['roc_auc']['std']:.4f}, KS {s['ks']['mean']:.4f}, "
              f"Gini {s['gini']['mean']:.4f}, cost {s['cost']['mean']:.4f} (Bayes 1/6: {s['cost_bayes']['mean']:.4f})")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
