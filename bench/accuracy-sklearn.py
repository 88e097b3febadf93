#!/usr/bin/python3
"""Reference accuracy: scikit-learn's LogisticRegression on the exact split of a CSV
written by `npm run train -- --data-out data.csv`, next to the accuracy in the model.

Usage: /usr/bin/python3 bench/accuracy-sklearn.py data.csv model.json
Needs Debian's python3-sklearn (apt-get install python3-sklearn).
"""
import csv
import json
import sys

from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

FEATURES = ["heartRate", "systolicBP", "diastolicBP", "temperature", "oxygenSaturation"]


def load(path):
    parts = {"train": ([], []), "test": ([], [])}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            x, y = parts[row["split"]]
            x.append([float(row[name]) for name in FEATURES])
            y.append(row["label"])
    return parts


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    parts = load(sys.argv[1])
    with open(sys.argv[2]) as f:
        ours = json.load(f)["metrics"]["accuracy"]
    x_train, y_train = parts["train"]
    x_test, y_test = parts["test"]
    results = {}
    for name, clf in {
        "sklearn multinomial (lbfgs, C=1)": LogisticRegression(max_iter=5000),
        "sklearn multinomial (unregularized)": LogisticRegression(C=1e6, max_iter=5000),
        "sklearn one-vs-rest (liblinear)": LogisticRegression(solver="liblinear", max_iter=5000),
    }.items():
        model = make_pipeline(StandardScaler(), clf).fit(x_train, y_train)
        results[name] = model.score(x_test, y_test)
    best = max(results.values())
    print(f"train rows {len(y_train)}, test rows {len(y_test)}")
    print(f"ours (ml-logistic-regression): {ours:.4f}")
    for name, acc in results.items():
        print(f"{name}: {acc:.4f}")
    gap = (best - ours) * 100
    print(f"best reference minus ours: {gap:+.2f} points (goal: <= +1.00)")
    sys.exit(1 if gap > 1.0 else 0)


if __name__ == "__main__":
    main()
