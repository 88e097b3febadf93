#!/usr/bin/python3
"""Reference accuracy: scikit-learn's LogisticRegression on the exact split of a CSV written by
`npm run train -- --data-out data.csv`, fitted on the raw vitals and on the model's derived
features (computed here, independently, from the transform recorded in model.json), next to the
accuracies in the model: the model's own (derived features) and its raw-feature baseline's.

Usage: /usr/bin/python3 bench/accuracy-sklearn.py data.csv model.json
Exits 1 if the best scikit-learn fit beats ours by more than 1 point on either feature set.
Needs Debian's python3-sklearn (apt-get install python3-sklearn).
"""
import csv
import json
import sys

from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

VITALS = ["heartRate", "systolicBP", "diastolicBP", "temperature", "oxygenSaturation"]
GOAL_POINTS = 1.0


def load(path):
    parts = {"train": ([], []), "test": ([], [])}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            x, y = parts[row["split"]]
            x.append({name: float(row[name]) for name in VITALS})
            y.append(row["label"])
    return parts


def band_points(bands, value):
    for upper, points in bands:
        if upper is None or value <= upper:
            return points
    return bands[-1][1]


def featurize(transform):
    """The artifact's transform as a function from vitals to feature values."""
    if transform is None or transform["kind"] == "raw":
        return lambda v: [v[name] for name in VITALS]

    def term(feature, points):
        if feature["term"] == "points":
            return points
        return 1 if points >= feature["atLeast"] else 0

    def derived(v):
        points = [band_points(transform["bands"][name], v[name]) for name in VITALS]
        return [sum(term(feature, p) for p in points) for feature in transform["derived"]]

    return derived


def references(parts, features):
    x_train = [features(v) for v in parts["train"][0]]
    x_test = [features(v) for v in parts["test"][0]]
    results = {}
    for name, clf in {
        "multinomial (lbfgs, C=1)": LogisticRegression(max_iter=5000),
        "multinomial (unregularized)": LogisticRegression(C=1e6, max_iter=5000),
        "one-vs-rest (liblinear)": LogisticRegression(solver="liblinear", max_iter=5000),
    }.items():
        model = make_pipeline(StandardScaler(), clf).fit(x_train, parts["train"][1])
        results[name] = model.score(x_test, parts["test"][1])
    return results


def compare(title, ours_name, ours, results):
    print(f"{title}:")
    print(f"  ours ({ours_name}): {ours:.4f}")
    for name, acc in results.items():
        print(f"  sklearn {name}: {acc:.4f}")
    gap = (max(results.values()) - ours) * 100
    print(f"  best sklearn minus ours: {gap:+.2f} points (goal: <= +{GOAL_POINTS:.2f})")
    return gap <= GOAL_POINTS


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    parts = load(sys.argv[1])
    with open(sys.argv[2]) as f:
        artifact = json.load(f)
    metrics = artifact["metrics"]
    transform = artifact.get("transform")
    print(f"train rows {len(parts['train'][1])}, test rows {len(parts['test'][1])}")
    ok = True
    if transform is not None and transform["kind"] != "raw":
        names = ", ".join(feature["name"] for feature in transform["derived"])
        ok &= compare(f"derived features ({names})", "ml-logistic-regression, calibrated", metrics["accuracy"], references(parts, featurize(transform)))
        raw, raw_name = metrics.get("baseline", {}).get("accuracy"), "ml-logistic-regression, raw-feature baseline"
    else:
        raw, raw_name = metrics["accuracy"], "ml-logistic-regression, this raw-feature model"
    if raw is not None:
        ok &= compare("raw vitals", raw_name, raw, references(parts, featurize(None)))
    ceiling = metrics.get("ceiling", {}).get("accuracy")
    if ceiling is not None:
        print(f"labelling rule on the same test rows (ceiling): {ceiling:.4f}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
