"""Training throughput of ganforge against a tutorial-style loop, measured in the same run.

For the paper preset (MLP/maxout, batch 100, SGD) and the tutorial preset (BatchNorm/LeakyReLU MLP,
batch 64, Adam), baseline and ganforge runs alternate; the report gives each one's steps/s and
images/s, the median ratio, the FLOPs of one step, the share of this machine's fp32 matmul
throughput (measured at 100 x 1200 x 1200 in the same run) that ganforge reaches, the peak RSS of
a real `ganforge train` of the paper preset, and the time and memory to load Fashion-MNIST.

    python benchmarks/throughput.py                 # about 4 minutes on 2 CPU cores
    python benchmarks/throughput.py --steps 100 --repeats 2   # a quick look
    python benchmarks/throughput.py --device cuda --rss-steps 0 --set train.autocast_bf16=true
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.overrides import parse_overrides  # noqa: E402
from benchmarks.results_file import save_results  # noqa: E402
from benchmarks.tutorial_baseline import (  # noqa: E402
    TutorialLoop,
    copy_weights_into_baseline,
    paper_networks,
    tutorial_networks,
)
from ganforge.config import RunConfig, apply_overrides, load_config  # noqa: E402
from ganforge.data import InMemoryBatches, build_dataset, to_model_range  # noqa: E402
from ganforge.models import (  # noqa: E402
    build_discriminator,
    build_generator,
    build_prior,
    output_range,
)
from ganforge.objectives import build_objective  # noqa: E402
from ganforge.training.run_log import RunLog  # noqa: E402
from ganforge.training.trainer import Trainer  # noqa: E402

PRESETS: dict[str, tuple[str, Callable[[], tuple[torch.nn.Module, torch.nn.Module]]]] = {
    "paper": ("mnist-paper", paper_networks),
    "tutorial": ("mnist-tutorial", tutorial_networks),
}


def build_pair(config: RunConfig, baseline_networks: Callable[[], tuple],
               device: torch.device) -> tuple[Trainer, TutorialLoop]:
    """A ganforge trainer and a tutorial loop with the same weights, data and batch size."""
    dataset = build_dataset(config.data)
    value_range = output_range(config.model.g_output, dataset.is_image)
    torch.manual_seed(0)
    G = build_generator(config.model, dataset.sample_shape,
                        dataset.train.float().mean(0) / 255).to(device)
    D = build_discriminator(config.model, dataset.sample_shape).to(device)
    trainer = Trainer(config.train, G, D, build_prior(config.model),
                      InMemoryBatches(dataset.train.to(device), config.train.batch_size, seed=0),
                      device=device, value_range=value_range, seed=0,
                      objective=build_objective(**dataclasses.asdict(config.loss)))
    G_base, D_base = baseline_networks()
    copy_weights_into_baseline(G, D, G_base, D_base)
    images = to_model_range(dataset.train, value_range).view(len(dataset.train), -1)
    baseline = TutorialLoop(G_base, D_base, images, config.train.batch_size,
                            config.train.optimizer, config.train.g_lr,
                            momentum=config.train.momentum_start, device=device)
    return trainer, baseline


def synchronize(device: torch.device) -> None:
    """Wait for queued GPU work, so that a timer measures it (a no-op on the CPU)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_steps(run: Callable[[int], None], steps: int, device: torch.device) -> float:
    """Steps per second of `run(steps)`."""
    synchronize(device)
    start = time.perf_counter()
    run(steps)
    synchronize(device)
    return steps / (time.perf_counter() - start)


def matmul_flops_per_s(device: torch.device, m: int = 100, k: int = 1200, n: int = 1200,
                       repeats: int = 200) -> float:
    """fp32 matmul throughput of this machine at one shape, as torch reaches it."""
    a, b = torch.randn(m, k, device=device), torch.randn(k, n, device=device)
    for _ in range(20):
        a @ b
    synchronize(device)
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    synchronize(device)
    return 2 * m * k * n * repeats / (time.perf_counter() - start)


def step_flops(step: Callable[[], object]) -> int:
    counter = FlopCounterMode(display=False)
    with counter:
        step()
    return counter.get_total_flops()


def measure_preset(name: str, steps: int, repeats: int, device: torch.device,
                   settings: dict[str, str]) -> dict[str, float]:
    config_path, baseline_networks = PRESETS[name]
    config = apply_overrides(load_config(config_path),
                             {"train.progress": "false", "device": device.type, **settings})
    trainer, baseline = build_pair(config, baseline_networks, device)
    batch = config.train.batch_size

    # ganforge pays for its per-step train.jsonl records, as a real run does.
    log_dir = Path(tempfile.mkdtemp())
    log = RunLog(log_dir, total_steps=10**9, start_step=0, progress=False, tensorboard=False)

    def run_ganforge(n: int) -> None:
        trainer.fit(trainer.step_count + n, callbacks=[log])

    def run_baseline(n: int) -> None:
        for _ in range(n):
            baseline.step()

    run_ganforge(20)  # warm-up: allocator, thread pool, first-touch of buffers
    run_baseline(20)
    ours, theirs, peaks = [], [], []
    for _ in range(repeats):  # alternate, so that machine noise hits both alike
        theirs.append(time_steps(run_baseline, steps, device))
        ours.append(time_steps(run_ganforge, steps, device))
        peaks.append(matmul_flops_per_s(device))
    log.close()
    ratios = [a / b for a, b in zip(ours, theirs, strict=True)]
    flops_ours = step_flops(trainer.step)
    flops_theirs = step_flops(baseline.step)
    peak = statistics.median(peaks)
    ours_median = statistics.median(ours)
    return {
        "baseline_steps_per_s": statistics.median(theirs),
        "ganforge_steps_per_s": ours_median,
        "baseline_images_per_s": statistics.median(theirs) * batch,
        "ganforge_images_per_s": ours_median * batch,
        "median_ratio": statistics.median(ratios),
        "ratios": ratios,
        "ganforge_gflop_per_step": flops_ours / 1e9,
        "baseline_gflop_per_step": flops_theirs / 1e9,
        "matmul_gflop_per_s_100x1200x1200": peak / 1e9,
        "ganforge_gflop_per_s": flops_ours * ours_median / 1e9,
        "fraction_of_matmul_peak": flops_ours * ours_median / peak,
    }


def peak_rss_of_paper_training(steps: int) -> float:
    """Peak resident memory (GB) of a real `ganforge train` of the paper preset."""
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([sys.executable, "-m", "ganforge", "train", "--config",
                        "mnist-paper", "--run-dir", f"{folder}/run",
                        "--train.steps", str(steps), "--train.progress", "false"],
                       check=True, capture_output=True)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1e6  # KB -> GB


LOAD_SCRIPT = """
import json, time
import torch  # imported before measuring: we time the data, not torch's import
from ganforge.config import DataConfig
from ganforge.data import build_dataset

def status_mb(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1e3

with open("/proc/self/clear_refs", "w") as file:
    file.write("5")  # Linux: reset the peak (VmHWM) to the current resident size
before = status_mb("VmRSS")
start = time.perf_counter()
data = build_dataset(DataConfig(name="fashion-mnist"))
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "images": len(data.train) + len(data.test),
                  "rss_before_mb": before, "rss_after_mb": status_mb("VmRSS"),
                  "rss_peak_mb": status_mb("VmHWM"),
                  "peak_added_mb": status_mb("VmHWM") - before,
                  "tensor_mb": (data.train.nbytes + data.test.nbytes) / 1e6}))
"""


def fashion_mnist_loading() -> dict[str, float] | None:
    """Seconds and memory to load all 70,000 Fashion-MNIST images (None if not installed)."""
    result = subprocess.run([sys.executable, "-c", LOAD_SCRIPT], capture_output=True, text=True)
    if result.returncode != 0:
        print(f"fashion-mnist not measured: {result.stderr.strip().splitlines()[-1]}")
        return None
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=300, help="steps per timed run")
    parser.add_argument("--repeats", type=int, default=5, help="alternating runs per loop")
    parser.add_argument("--presets", nargs="+", default=list(PRESETS), choices=list(PRESETS))
    parser.add_argument("--rss-steps", type=int, default=1500,
                        help="steps of the paper preset whose peak RSS is measured (0: skip)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--device", default="cpu", help="cpu or cuda: both loops run there")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="a ganforge setting for its loop, e.g. train.autocast_bf16=true")
    args = parser.parse_args()
    device = torch.device(args.device)
    settings = parse_overrides(args.set, "--set")

    where = torch.cuda.get_device_name(device) if device.type == "cuda" else \
        f"{torch.get_num_threads()} threads"
    print(f"torch {torch.__version__}, {where}; ganforge settings {settings or 'as the preset'}")
    results: dict[str, object] = {}
    for name in args.presets:
        figures = measure_preset(name, args.steps, args.repeats, device, settings)
        results[name] = figures
        print(f"\n{name} preset ({args.repeats} alternating runs of {args.steps} steps)")
        print(f"  baseline  {figures['baseline_steps_per_s']:7.1f} steps/s "
              f"{figures['baseline_images_per_s']:8.0f} images/s "
              f"{figures['baseline_gflop_per_step']:.3f} GFLOP/step")
        print(f"  ganforge  {figures['ganforge_steps_per_s']:7.1f} steps/s "
              f"{figures['ganforge_images_per_s']:8.0f} images/s "
              f"{figures['ganforge_gflop_per_step']:.3f} GFLOP/step")
        print(f"  median ratio ganforge / baseline: {figures['median_ratio']:.2f}x "
              f"(runs: {', '.join(f'{r:.2f}' for r in figures['ratios'])})")
        print(f"  fp32 matmul 100x1200x1200: {figures['matmul_gflop_per_s_100x1200x1200']:.0f} "
              f"GFLOP/s; ganforge reaches {figures['ganforge_gflop_per_s']:.0f} GFLOP/s = "
              f"{100 * figures['fraction_of_matmul_peak']:.0f}%")
    if args.rss_steps:
        rss = peak_rss_of_paper_training(args.rss_steps)
        results["paper_training_peak_rss_gb"] = rss
        print(f"\npeak RSS of `ganforge train` (paper preset, {args.rss_steps} steps): "
              f"{rss:.2f} GB")
    loading = fashion_mnist_loading()
    if loading is not None:
        results["fashion_mnist_loading"] = loading
        print(f"Fashion-MNIST ({loading['images']:,} images): {loading['seconds']:.2f} s; "
              f"loading raised the peak RSS by {loading['peak_added_mb']:.0f} MB "
              f"({loading['tensor_mb']:.0f} MB of uint8 tensors kept; process peak "
              f"{loading['rss_peak_mb']:.0f} MB including torch itself)")
    if args.json:
        save_results(results, args.json, indent=2)


if __name__ == "__main__":
    main()
