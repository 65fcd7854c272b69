"""Algorithm 1 (trainer), checkpoints, multi-process training and the run's log."""
