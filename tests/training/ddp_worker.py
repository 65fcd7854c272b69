"""Run under torchrun by test_distributed.py: train through the public API, then save every rank's
weights so that the test can compare the replicas."""

import sys

import torch
import torch.distributed as dist

import ganforge
from ganforge.training.distributed import shutdown_distributed

config_path, run_dir, weights_path, mode = sys.argv[1:5]
result = ganforge.train(ganforge.load_config(config_path), run_dir, resume=mode == "resume")
# The class prior is what sampling draws clusters by: in a self-conditioned run it follows the
# clusters each rank trains on.
state = {"G": result.generator.network.state_dict(), "D": result.discriminator.state_dict(),
         "prior": result.generator.class_prior}
replicas = [state]
if dist.is_initialized():  # torchrun with one process sets up no process group
    replicas = [None] * dist.get_world_size()
    dist.all_gather_object(replicas, state)
if not dist.is_initialized() or dist.get_rank() == 0:
    torch.save(replicas, weights_path)
del result
shutdown_distributed()
