import torch

from ganforge.config import DataConfig
from ganforge.data import build_dataset
from ganforge.metrics import features
from ganforge.metrics.features import load_or_train_classifier, predict

MNIST_THRESHOLD = 0.97  # the bar for the MNIST digits


def test_classifier_reaches_its_threshold_on_the_mnist_digits(classifier_cache, monkeypatch):
    # A third of the shipped budget (measured: 98.8% in 38 s, against 97 s for the whole), so
    # the recipe's margin is tested without a minute and a half of training; the shipped
    # budget's accuracy is what benchmarks/table1.py prints (99.4% on full MNIST).
    monkeypatch.setattr(features, "IMAGES_PER_RUN", 50_000)
    data = build_dataset(DataConfig(name="mnist-5k"))
    trained = load_or_train_classifier(data.train, data.train_labels, data.test,
                                       data.test_labels, progress=False)
    assert trained.test_accuracy >= MNIST_THRESHOLD
    # Measured, not just recorded: the cached network really classifies the test split.
    predicted = predict(trained.network, data.test).argmax(1)
    assert (predicted == data.test_labels).float().mean().item() == trained.test_accuracy


def test_the_cache_returns_the_same_network_and_survives_corruption(classifier_cache,
                                                                     monkeypatch):
    data = build_dataset(DataConfig(name="digits"))
    args = (data.train, data.train_labels, data.test, data.test_labels)
    monkeypatch.setattr(features, "IMAGES_PER_RUN", 3_000)  # a quick network is enough here
    first = load_or_train_classifier(*args, progress=False)
    calls = []
    with monkeypatch.context() as patch:  # a second call must come from the cache
        patch.setattr(features, "train_classifier",
                      lambda *a, **k: calls.append(1) or (_ for _ in ()).throw(AssertionError))
        second = load_or_train_classifier(*args, progress=False)
    assert not calls and second.key == first.key
    for a, b in zip(first.network.parameters(), second.network.parameters(), strict=True):
        assert torch.equal(a, b)
    first.path.write_bytes(b"corrupt")
    third = load_or_train_classifier(*args, progress=False)  # retrained, replaced
    assert third.path == first.path and third.path.stat().st_size > 1000
    assert third.test_accuracy == first.test_accuracy  # seeded: the same network again


def test_features_do_not_depend_on_the_batch_size(classifier_cache, monkeypatch):
    data = build_dataset(DataConfig(name="digits"))
    monkeypatch.setattr(features, "IMAGES_PER_RUN", 3_000)
    network = load_or_train_classifier(data.train, data.train_labels, data.test,
                                       data.test_labels, progress=False).network
    images = data.test[:100]
    reference = predict(network, images, batch_size=100, features=True)
    for batch_size in (1, 7, 64):
        torch.testing.assert_close(predict(network, images, batch_size=batch_size,
                                           features=True), reference, rtol=1e-5, atol=1e-6)
