"""How accurate the feature classifier behind FD, KID, PRDC and the class metrics is, and how long
it takes to train on this machine.

Trains it from scratch (in a temporary cache, so the user's cached networks are neither used nor
touched) for each data set and seed, and prints test accuracy and training seconds, with mean
+- standard error over the seeds. The goals: >= 97% on MNIST, >= 90% on Fashion-MNIST, each
within 2 minutes on the 2-core CPU.

    python benchmarks/feature_classifier.py --data mnist fashion-mnist --seeds 0 1 2
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", nargs="+", default=["mnist", "fashion-mnist"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    args = parser.parse_args()
    os.environ["GANFORGE_CACHE_DIR"] = tempfile.mkdtemp(prefix="ganforge-classifiers-")
    from ganforge.config import DataConfig
    from ganforge.data import build_dataset
    from ganforge.metrics.features import ARCHITECTURE, load_or_train_classifier

    print(f"feature classifier {ARCHITECTURE}")
    print("| data | seed | test accuracy | training s |")
    print("| --- | --- | --- | --- |")
    for name in args.data:
        data = build_dataset(DataConfig(name=name))
        accuracies, seconds = [], []
        for seed in args.seeds:
            trained = load_or_train_classifier(data.train, data.train_labels, data.test,
                                               data.test_labels, seed=seed, progress=False)
            accuracies.append(trained.test_accuracy)
            seconds.append(trained.train_seconds)
            print(f"| {name} | {seed} | {trained.test_accuracy:.2%} "
                  f"| {trained.train_seconds:.1f} |", flush=True)
        if len(args.seeds) > 1:
            error = statistics.stdev(accuracies) / len(accuracies) ** 0.5
            print(f"| {name} | mean of {len(args.seeds)} | {statistics.mean(accuracies):.2%} "
                  f"+- {error:.2%} | {statistics.mean(seconds):.1f} (max {max(seconds):.1f}) |",
                  flush=True)


if __name__ == "__main__":
    main()
