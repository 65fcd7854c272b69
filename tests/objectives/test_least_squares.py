import torch

from ganforge.objectives.least_squares import LeastSquares


def test_losses_regress_scores_onto_the_targets():
    real, fake = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 2.0])
    objective = LeastSquares()
    # 1/2 mean((s - 1)^2) over real = 1/2 * 0.5; 1/2 mean(s^2) over fake = 1/2 * 2.
    assert torch.isclose(objective.discriminator_loss(real, fake), torch.tensor(0.25 + 1.0))
    # G: 1/2 mean((s - 1)^2) over fake = 1/2 * (1 + 1) / 2.
    assert torch.isclose(objective.generator_loss(fake), torch.tensor(0.5))


def test_the_optimal_score_is_p_data_over_p_data_plus_p_g():
    # For one x seen as real with probability p and as fake with 1 - p, D's expected loss
    # p/2 (s - 1)^2 + (1 - p)/2 s^2 is smallest at s = p: the paper's D*, so 1/2 at equilibrium.
    scores = torch.linspace(0, 1, 1001)
    for p in (0.2, 0.5, 0.9):
        loss = p / 2 * (scores - 1) ** 2 + (1 - p) / 2 * scores ** 2
        assert abs(scores[loss.argmin()].item() - p) < 1e-3
    assert [s.equilibrium for s in LeastSquares.statistics] == [0.5, 0.5]
