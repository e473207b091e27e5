"""Writes packages/trainer/test/fixtures/metrics.json: fixed inputs and scikit-learn's values for every metric
of @finmm/trainer, which the trainer's metric tests must match to 1e-6.

Run from the repository root with the reference venv (created with the pinned tools/python/requirements.txt by
`npx tsx tools/python/python-env.ts` when .venv-ref/ is missing):
    .venv-ref/bin/python tools/python/make_metric_fixtures.py
The output is committed; the TypeScript tests only read it. Re-running it writes the same file.
"""
import json
import pathlib

import numpy as np
import sklearn
from sklearn import metrics as m

OUT = pathlib.Path(__file__).resolve().parents[2] / "packages" / "trainer" / "test" / "fixtures" / "metrics.json"


def report(y_true, y_pred, num_classes):
    """Per-class and averaged scores as classification_report(output_dict=True, zero_division=0)."""
    r = m.classification_report(y_true, y_pred, labels=list(range(num_classes)), output_dict=True, zero_division=0)
    keys = ("precision", "recall", "f1-score", "support")
    out = {"classes": [[r[str(k)][x] for x in keys] for k in range(num_classes)]}
    out["macro"] = [r["macro avg"][x] for x in keys]
    out["weighted"] = [r["weighted avg"][x] for x in keys]
    return out


def ks(y_true, scores):
    fpr, tpr, _ = m.roc_curve(y_true, scores, drop_intermediate=False)
    return float(np.max(tpr - fpr))


def binary_case(name, y_true, scores, threshold=0.5):
    y_true = np.asarray(y_true, dtype=int)
    scores = np.asarray(scores, dtype=float)
    y_pred = (scores >= threshold).astype(int)
    auc = m.roc_auc_score(y_true, scores)
    fpr, tpr, thr = m.roc_curve(y_true, scores, drop_intermediate=False)
    return {
        "name": name,
        "kind": "binary",
        "yTrue": y_true.tolist(),
        "scores": scores.tolist(),
        "yPred": y_pred.tolist(),
        "expected": {
            "accuracy": m.accuracy_score(y_true, y_pred),
            "mcc": m.matthews_corrcoef(y_true, y_pred),
            "confusion": m.confusion_matrix(y_true, y_pred, labels=[0, 1]).tolist(),
            "report": report(y_true, y_pred, 2),
            "rocAuc": auc,
            "averagePrecision": m.average_precision_score(y_true, scores),
            "ks": ks(y_true, scores),
            "gini": 2 * auc - 1,
            "brier": m.brier_score_loss(y_true, scores),
            "roc": {"fpr": fpr.tolist(), "tpr": tpr.tolist(), "thresholds": [None if np.isinf(t) else float(t) for t in thr]},
        },
    }


def multiclass_case(name, y_true, probs):
    y_true = np.asarray(y_true, dtype=int)
    probs = np.asarray(probs, dtype=float)
    y_pred = probs.argmax(axis=1)
    c = probs.shape[1]
    return {
        "name": name,
        "kind": "multiclass",
        "numClasses": c,
        "yTrue": y_true.tolist(),
        "probs": probs.tolist(),
        "yPred": y_pred.tolist(),
        "expected": {
            "accuracy": m.accuracy_score(y_true, y_pred),
            "mcc": m.matthews_corrcoef(y_true, y_pred),
            "confusion": m.confusion_matrix(y_true, y_pred, labels=list(range(c))).tolist(),
            "report": report(y_true, y_pred, c),
            "rocAucOvr": m.roc_auc_score(y_true, probs, multi_class="ovr", average="macro", labels=list(range(c))),
            "brier": m.brier_score_loss(y_true, probs, labels=list(range(c))),
        },
    }


def regression_case(name, y_true, y_pred):
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    return {
        "name": name,
        "kind": "regression",
        "yTrue": y_true.tolist(),
        "yPred": y_pred.tolist(),
        "expected": {
            "mae": m.mean_absolute_error(y_true, y_pred),
            "rmse": m.root_mean_squared_error(y_true, y_pred),
            "r2": m.r2_score(y_true, y_pred),
        },
    }


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def main():
    rng = np.random.RandomState(20240611)
    cases = []

    # Binary: informative continuous scores.
    y = rng.randint(0, 2, size=60)
    s = 1 / (1 + np.exp(-(1.5 * (2 * y - 1) + rng.normal(0, 1.5, size=60))))
    cases.append(binary_case("binary-continuous", y, np.round(s, 6)))

    # Binary with many tied scores (one decimal), including ties across classes at the threshold.
    y = rng.randint(0, 2, size=50)
    s = np.clip(np.round(0.5 + 0.25 * (2 * y - 1) + rng.normal(0, 0.25, size=50), 1), 0, 1)
    cases.append(binary_case("binary-ties", y, s))

    # Binary where nothing is predicted positive (zero_division) and positives are rare.
    y = np.array([0] * 17 + [1] * 3)
    s = np.round(rng.uniform(0, 0.45, size=20), 4)
    cases.append(binary_case("binary-none-predicted", y, s))

    # Multiclass with four classes; class 3 is never predicted.
    n = 80
    y = rng.randint(0, 4, size=n)
    z = rng.normal(0, 1, size=(n, 4))
    z[np.arange(n), y] += 1.2
    z[:, 3] -= 10.0
    cases.append(multiclass_case("multiclass-never-predicted", y, softmax(z)))

    # Multiclass with three classes and tied probabilities.
    y = rng.randint(0, 3, size=45)
    z = np.round(rng.normal(0, 1, size=(45, 3)) + 1.0 * np.eye(3)[y], 0)
    p = softmax(z)
    cases.append(multiclass_case("multiclass-ties", y, p))

    # Regression.
    t = rng.normal(0, 2, size=70)
    cases.append(regression_case("regression", t, t + rng.normal(0.3, 1, size=70)))
    cases.append(regression_case("regression-constant-target", np.full(10, 3.0), 3.0 + rng.normal(0, 1, size=10)))
    cases.append(regression_case("regression-constant-exact", np.full(5, -1.5), np.full(5, -1.5)))

    OUT.parent.mkdir(parents=True, exist_ok=True)
    doc = {"generator": "tools/python/make_metric_fixtures.py", "sklearn": sklearn.__version__, "cases": cases}
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
