import math

import torch
import torch.nn.functional as F

from ganforge.objectives.logistic import Minimax, NonSaturating, value_function

discriminator_loss = Minimax().discriminator_loss
generator_loss_minimax = Minimax().generator_loss
generator_loss_nonsaturating = NonSaturating().generator_loss


def test_discriminator_loss_is_2log2_when_d_is_half():
    zeros = torch.zeros(8)  # logit 0 <=> D(x) = 1/2
    assert math.isclose(discriminator_loss(zeros, zeros).item(), 2 * math.log(2), rel_tol=1e-6)


def test_value_is_minus_log4_when_d_is_half():
    zeros = torch.zeros(8)
    assert math.isclose(value_function(zeros, zeros).item(), -math.log(4), rel_tol=1e-6)


def test_losses_match_the_probability_formulas():
    logits_real, logits_fake = torch.tensor([0.3, -1.2, 2.0]), torch.tensor([-0.7, 0.4])
    d_real, d_fake = torch.sigmoid(logits_real), torch.sigmoid(logits_fake)
    value = torch.log(d_real).mean() + torch.log(1 - d_fake).mean()
    assert torch.allclose(value_function(logits_real, logits_fake), value)
    assert torch.allclose(discriminator_loss(logits_real, logits_fake), -value)
    bce = F.binary_cross_entropy(d_real, torch.ones(3)) + F.binary_cross_entropy(d_fake,
                                                                                 torch.zeros(2))
    assert torch.allclose(discriminator_loss(logits_real, logits_fake), bce)
    assert torch.allclose(generator_loss_minimax(logits_fake), torch.log(1 - d_fake).mean())
    assert torch.allclose(generator_loss_nonsaturating(logits_fake), -torch.log(d_fake).mean())


def _gradient(loss_fn, logits):
    logits = logits.clone().requires_grad_(True)
    loss_fn(logits).backward()
    return logits.grad


def test_both_generator_losses_push_d_of_fakes_up():
    # Descending either G loss must raise D(G(z)): the gradient w.r.t. the logit is negative.
    logits = torch.tensor([-3.0, 0.0, 3.0])
    assert (_gradient(generator_loss_minimax, logits) < 0).all()
    assert (_gradient(generator_loss_nonsaturating, logits) < 0).all()


def test_minimax_saturates_where_nonsaturating_does_not():
    # The paper's motivation for the alternative: when D confidently rejects fakes
    # (D(G(z)) ~ 0) the minimax gradient vanishes, the non-saturating one does not.
    confident = torch.tensor([-10.0])
    assert abs(_gradient(generator_loss_minimax, confident).item()) < 1e-4
    assert abs(_gradient(generator_loss_nonsaturating, confident).item()) > 0.99


def test_discriminator_gradient_raises_real_and_lowers_fake_logits():
    logits_real = torch.zeros(4, requires_grad=True)
    logits_fake = torch.zeros(4, requires_grad=True)
    discriminator_loss(logits_real, logits_fake).backward()
    assert (logits_real.grad < 0).all() and (logits_fake.grad > 0).all()


def test_losses_stay_finite_for_extreme_logits():
    extreme = torch.tensor([-200.0, 200.0])
    for value in (discriminator_loss(extreme, extreme), generator_loss_minimax(extreme),
                  generator_loss_nonsaturating(extreme), value_function(extreme, extreme)):
        assert torch.isfinite(value)


def test_logged_statistics_are_v_and_the_mean_probabilities():
    logits_real, logits_fake = torch.tensor([0.3, -1.2, 2.0]), torch.tensor([-0.7, 0.4])
    objective = NonSaturating()
    value, d_real, d_fake = objective.step_statistics(logits_real, logits_fake)
    assert torch.allclose(value, -objective.discriminator_loss(logits_real, logits_fake))
    assert torch.allclose(d_real, torch.sigmoid(logits_real).mean())
    assert torch.allclose(d_fake, torch.sigmoid(logits_fake).mean())
    assert [s.key for s in objective.statistics] == ["value", "d_real", "d_fake"]
    # The equilibrium the paper proves: V = -log 4 and D = 1/2.
    assert [s.equilibrium for s in objective.statistics] == [-math.log(4), 0.5, 0.5]
    assert objective.measures_jensen_shannon
