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
