"""ganforge.metrics.context: a validation split carved from the training images is scored by the
full data set's feature classifier, against the training images it left."""

import torch

from ganforge.config import DataConfig
from ganforge.data import build_dataset
from ganforge.metrics import EvaluationContext


class _Noise:
    def sample(self, n, *, seed=None):
        return torch.rand(n, 1, 8, 8, generator=torch.Generator().manual_seed(seed or 0))


def test_a_carved_split_keeps_the_full_sets_classifier_and_its_cached_training_features(
        quick_classifier):
    digits = build_dataset(DataConfig(name="digits"))
    full = EvaluationContext(_Noise(), digits, progress=False)
    full_features = full.outputs("train", features=True)
    cached = full.classifier().path.with_name(f"{full.classifier().key}-train-features.pt")
    written = cached.stat().st_mtime_ns

    carved = digits.carve_validation()
    context = EvaluationContext(_Noise(), carved, progress=False)
    assert context.classifier().key == full.classifier().key  # not a network of its own
    kept = carved.carved_from.kept
    features = context.outputs("train", features=True)
    assert len(features) == len(carved.train) == len(digits.train) - len(carved.test)
    assert torch.equal(features, full_features[kept])
    # The held-out side is the carved images, through the same network.
    held_out = context.outputs("test", features=True)
    assert len(held_out) == len(carved.test)
    assert torch.allclose(held_out, full.outputs("train", features=True)[
        [i for i in range(len(digits.train)) if i not in set(kept.tolist())]], atol=1e-5)
    # The full set's cache on disk is read, not replaced by the shorter set's features.
    assert cached.stat().st_mtime_ns == written
    assert len(torch.load(cached, weights_only=True)) == len(digits.train)
