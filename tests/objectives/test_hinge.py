import torch

from ganforge.objectives.hinge import Hinge

LOGITS_REAL = torch.tensor([2.0, 0.5, -1.0])
LOGITS_FAKE = torch.tensor([-3.0, 0.0])


def test_discriminator_loss_counts_only_samples_inside_the_margin():
    # real: max(0, 1 - l) = 0, 0.5, 2 -> mean 2.5 / 3; fake: max(0, 1 + l) = 0, 1 -> mean 0.5.
    loss = Hinge().discriminator_loss(LOGITS_REAL, LOGITS_FAKE)
    assert torch.isclose(loss, torch.tensor(2.5 / 3 + 0.5))


def test_generator_loss_is_minus_the_mean_output_on_fakes():
    assert torch.isclose(Hinge().generator_loss(LOGITS_FAKE), torch.tensor(1.5))


def test_statistics_are_mean_outputs_and_the_share_inside_the_margin():
    logit_real, logit_fake, inside = Hinge().step_statistics(LOGITS_REAL, LOGITS_FAKE)
    assert torch.isclose(logit_real, torch.tensor(0.5))
    assert torch.isclose(logit_fake, torch.tensor(-1.5))
    # Inside: real 0.5 and -1.0 (below 1), fake 0.0 (above -1): 3 of 5.
    assert torch.isclose(inside, torch.tensor(0.6))
    assert all(s.equilibrium is None for s in Hinge.statistics)  # no -log 4 or 1/2 line
    assert not Hinge.measures_jensen_shannon
