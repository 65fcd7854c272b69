import torch

from ganforge import load_generator, train


def test_load_generator_samples_images_in_unit_range(tmp_path, tiny_config):
    result = train(tiny_config, tmp_path / "run")
    generator = load_generator(tmp_path / "run", device="cpu")
    samples = generator.sample(10, seed=3)
    assert samples.shape == (10, 1, 8, 8) and samples.dtype == torch.float32
    assert samples.min() >= 0 and samples.max() <= 1
    assert torch.equal(samples, generator.sample(10, seed=3))
    assert not torch.equal(samples, generator.sample(10, seed=4))
    # The in-memory generator that train() returns is the same network.
    assert torch.allclose(result.generator.sample(10, seed=3), samples)
    assert generator.step == 20


def test_the_old_generator_name_still_works_with_a_deprecation_warning():
    import pytest

    import ganforge
    from ganforge.sampler import Sampler

    with pytest.warns(DeprecationWarning, match="now ganforge.Sampler"):
        assert ganforge.Generator is Sampler
    with pytest.warns(DeprecationWarning):
        from ganforge.generator import Generator  # noqa: F401


def test_a_self_conditioned_run_keeps_its_clusters_and_samples_draw_them_by_share(
        tmp_path, tiny_config, monkeypatch):
    from ganforge.checkpoint import checkpoint_path, load_checkpoint
    from ganforge.config import apply_overrides
    from ganforge.training import run as run_module

    config = apply_overrides(tiny_config, {"model.conditional": True, "model.clusters": 5})
    train(config, tmp_path / "run")
    payload = load_checkpoint(checkpoint_path(tmp_path / "run"))
    clusters = payload["cluster_labels"].long()
    assert len(clusters) == 1617 and clusters.max() == 4  # every training digit, 5 clusters
    shares = torch.bincount(clusters, minlength=5).double() / len(clusters)
    generator = load_generator(tmp_path / "run", device="cpu")
    assert generator.num_classes == 5 and not generator.conditions_on_labels
    assert torch.allclose(generator.class_prior, shares)

    # Sampling draws clusters by their shares: a prior on one cluster draws only it.
    drawn = []
    decode = generator.decode
    monkeypatch.setattr(generator, "decode", lambda z, labels=None: (drawn.append(labels),
                                                                    decode(z, labels))[1])
    generator.class_prior = torch.tensor([0.0, 0.0, 1.0, 0.0, 0.0], dtype=torch.float64)
    generator.sample(7, seed=0)
    assert torch.equal(drawn[-1], torch.full((7,), 2))
    generator.class_prior = torch.tensor([0.5, 0.5, 0.0, 0.0, 0.0], dtype=torch.float64)
    many = generator.sample(4000, seed=0, batch_size=4000)
    assert many.shape == (4000, 1, 8, 8)
    assert abs((drawn[-1] == 0).double().mean().item() - 0.5) < 0.03 and drawn[-1].max() <= 1

    # Resuming conditions on the stored clusters: k-means does not run again.
    def no_kmeans(*args, **kwargs):
        raise AssertionError("a resumed run must not re-cluster")

    monkeypatch.setattr(run_module, "kmeans_labels", no_kmeans)
    train(apply_overrides(config, {"train.steps": 30}), tmp_path / "run", resume=True)
    resumed = load_checkpoint(checkpoint_path(tmp_path / "run"))
    assert resumed["step"] == 30 and torch.equal(resumed["cluster_labels"].long(), clusters)


def test_temperature_draws_g_of_the_scaled_noise_and_must_be_positive(tmp_path, tiny_config):
    import pytest

    from ganforge.errors import ConfigError

    train(tiny_config, tmp_path / "run")
    generator = load_generator(tmp_path / "run", device="cpu", temperature=0.7)
    assert generator.temperature == 0.7
    z = generator.prior.sample(6, generator=torch.Generator().manual_seed(5))
    assert torch.allclose(generator.sample(6, seed=5), generator.decode(0.7 * z))
    for bad in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ConfigError, match="temperature must be a positive number"):
            generator.temperature = bad
