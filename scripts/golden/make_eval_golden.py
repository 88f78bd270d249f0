#!/usr/bin/python3
# -----------------------------------------------------------------------------
# make_eval_golden.py -- scikit-learn oracle for lessismore.eval (the metrics and
# the linear probe of `lessismore evaluate`)
#
# What this is the oracle for
#   lessismore.eval.Metrics re-implements, for labels y in 0..K-1 and class
#   probabilities P (n, K) with predictions argmax(P) (first maximum on ties):
#     roc_auc_score(y, P[:, 1])                            (K = 2)
#     roc_auc_score(y, P, multi_class="ovr", average="macro")  (K > 2)
#     roc_curve(y == c, P[:, c])   (fpr and tpr; drop_intermediate=True)
#     accuracy_score, confusion_matrix(labels=0..K-1),
#     f1_score / precision_score / recall_score(average="macro") with the
#     default zero_division ("warn", which counts as 0)
#   and numpy.percentile (linear) for the bootstrap interval. The bootstrap draws
#   its own resamples (Java's generator cannot reproduce numpy's), so this file
#   gives a few resamples' indices with sklearn's AUC and accuracy on each: the
#   Java test feeds the same indices and must find the same values.
#   lessismore.eval.LogisticRegression is checked against
#     LogisticRegression(C=C, multi_class="multinomial", solver="lbfgs",
#                        tol=1e-12, max_iter=100000)
#   on a small standardized 3-class problem: coefficients, intercepts and the
#   training-set probabilities; plus the exact minimizer of the same objective
#   (scipy L-BFGS-B to a gradient below 1e-7 max(1, C)), since sklearn stops early (ftol).
#
# Cases (all random but seeded): a binary set with many tied scores, a 3-class
# set, an imbalanced 4-class set, and a 3-class set where class 2 is never
# predicted (its precision is 0/0).
#
# Output: java/src/test/resources/golden/eval/metrics.txt and logistic.txt, one
# "key values..." line per item (floats as repr, exact round trip).
# Run from the repository root: /usr/bin/python3 scripts/golden/make_eval_golden.py
# -----------------------------------------------------------------------------
import os

import numpy as np
import scipy.optimize
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (accuracy_score, confusion_matrix, f1_score, precision_score, recall_score,
                             roc_auc_score, roc_curve)

OUT = "java/src/test/resources/golden/eval"


def fmt(values):
    return " ".join(repr(float(v)) if isinstance(v, (float, np.floating)) else str(int(v)) for v in values)


def auc(y, p, k):
    if k == 2:
        return roc_auc_score(y, p[:, 1])
    return roc_auc_score(y, p, multi_class="ovr", average="macro")


def softmaxish(rng, y, k, sharp):
    """Probabilities that lean towards the true class, (n, k), rows summing to 1."""
    logits = rng.normal(size=(len(y), k))
    logits[np.arange(len(y)), y] += sharp
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def cases():
    rng = np.random.default_rng(7)
    # Binary, scores on a 0.1 grid: many ties within and across classes.
    y = rng.integers(0, 2, 40)
    s = np.clip(np.round(0.5 + 0.3 * (y - 0.5) + rng.normal(0, 0.25, 40), 1), 0, 1)
    yield "binary_ties", 2, y, np.stack([1 - s, s], axis=1)
    y = rng.integers(0, 3, 60)
    yield "three_class", 3, y, softmaxish(rng, y, 3, 1.0)
    y = rng.choice(4, size=80, p=[0.6, 0.25, 0.1, 0.05])
    yield "imbalanced", 4, y, softmaxish(rng, y, 4, 0.8)
    # Class 2 is never the argmax: its column is scaled down, renormalized.
    y = rng.integers(0, 3, 45)
    p = softmaxish(rng, y, 3, 1.0)
    p[:, 2] *= 0.2
    p /= p.sum(axis=1, keepdims=True)
    p[:, 2] = np.minimum(p[:, 2], 0.3)
    p[:, :2] = p[:, :2] / p[:, :2].sum(axis=1, keepdims=True) * (1 - p[:, 2:3])
    yield "never_predicted", 3, y, p


def metrics_file():
    lines = ["# sklearn " + sklearn.__version__ + ", numpy " + np.__version__]
    rng = np.random.default_rng(11)
    for name, k, y, p in cases():
        pred = p.argmax(axis=1)
        lines.append("case " + name)
        lines.append("classes " + str(k))
        lines.append("y " + fmt(y))
        lines.append("proba " + fmt(p.ravel()))
        lines.append("auc " + repr(auc(y, p, k)))
        lines.append("accuracy " + repr(accuracy_score(y, pred)))
        lines.append("f1 " + repr(f1_score(y, pred, average="macro")))
        lines.append("precision " + repr(precision_score(y, pred, average="macro")))
        lines.append("recall " + repr(recall_score(y, pred, average="macro")))
        lines.append("confusion " + fmt(confusion_matrix(y, pred, labels=list(range(k))).ravel()))
        for c in range(k):
            fpr, tpr, _ = roc_curve(y == c, p[:, c])
            lines.append("roc_fpr %d %s" % (c, fmt(fpr)))
            lines.append("roc_tpr %d %s" % (c, fmt(tpr)))
        aucs = []
        for _ in range(5):
            while True:
                idx = rng.integers(0, len(y), len(y))
                if len(np.unique(y[idx])) == k:  # sklearn's AUC needs every class present
                    break
            a = auc(y[idx], p[idx], k)
            aucs.append(a)
            lines.append("boot %s %s %s" % (repr(a), repr(accuracy_score(y[idx], pred[idx])), fmt(idx)))
        lines.append("percentile_2.5_97.5 %s %s" % (repr(np.percentile(aucs, 2.5)), repr(np.percentile(aucs, 97.5))))
        lines.append("end")
    return lines


def logistic_file():
    rng = np.random.default_rng(3)
    n, d, k = 60, 5, 3
    y = np.arange(n) % k
    centers = rng.normal(0, 1.0, size=(k, d))
    x = centers[y] + rng.normal(0, 1.2, size=(n, d))
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    lines = ["# sklearn " + sklearn.__version__, "n %d" % n, "d %d" % d, "classes %d" % k,
             "x " + fmt(x.ravel()), "y " + fmt(y)]
    for c in (0.05, 1.0, 20.0):
        m = LogisticRegression(C=c, multi_class="multinomial", solver="lbfgs", tol=1e-12, max_iter=100000)
        m.fit(x, y)
        lines.append("fit " + repr(c))
        lines.append("coef " + fmt(m.coef_.ravel()))
        lines.append("intercept " + fmt(m.intercept_))
        lines.append("proba " + fmt(m.predict_proba(x).ravel()))
        # sklearn stops on scipy's ftol (64 eps) before its gradient is small (up to ~1e-3 at
        # C = 20): the minimizer of the same objective to a 1e-7 max(1, C) gradient is given too.
        t = optimum(x, y, k, c)
        lines.append("optimum_coef " + fmt(t[:k * d]))
        lines.append("optimum_intercept " + fmt(t[k * d:]))
    return lines


def optimum(x, y, k, c):
    """Minimizer of sklearn's objective 0.5 |W|^2 + C sum_i CE_i (intercepts not penalized)."""
    n, d = x.shape
    onehot = np.eye(k)[y]

    def f(t):
        w, b = t[:k * d].reshape(k, d), t[k * d:]
        z = x @ w.T + b
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        loss = -c * np.log(p[np.arange(n), y]).sum() + 0.5 * (w ** 2).sum()
        return loss, np.concatenate([(c * (p - onehot).T @ x + w).ravel(), c * (p - onehot).sum(axis=0)])

    r = scipy.optimize.minimize(f, np.zeros(k * (d + 1)), jac=True, method="L-BFGS-B",
                                options=dict(gtol=1e-14, ftol=1e-16, maxiter=100000))
    assert np.abs(r.jac).max() < 1e-7 * max(1, c), r
    return r.x


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, lines in (("metrics.txt", metrics_file()), ("logistic.txt", logistic_file())):
        with open(os.path.join(OUT, name), "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
