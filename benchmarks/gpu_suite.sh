#!/usr/bin/env bash
# The GPU figures of BENCHMARKS.md: the throughput benchmark on CUDA (fp32, then bf16 autocast),
# real `ganforge train` runs of the DCGAN and paper presets on CUDA (steps/s from train.jsonl),
# and a one-GPU torchrun (NCCL) smoke run. Usage: benchmarks/gpu_suite.sh [OUT_DIR]
set -euo pipefail
out=${1:-runs/gpu}
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda)"

python3 benchmarks/throughput.py --device cuda --rss-steps 0 --json "$out/throughput-fp32.json"
python3 benchmarks/throughput.py --device cuda --rss-steps 0 --repeats 3 \
    --set train.autocast_bf16=true --json "$out/throughput-bf16.json"

speed() {  # steps/s of a finished run, from its train.jsonl
    python3 -c "import json,sys; r=[json.loads(l) for l in open(sys.argv[1]+'/train.jsonl')]; \
print(f\"{sys.argv[1]}: {r[-1]['step']} steps in {r[-1]['elapsed_s']:.1f} s = \
{(r[-1]['step']-r[0]['step'])/(r[-1]['elapsed_s']-r[0]['elapsed_s']):.1f} steps/s\")" "$1"
}
for extra in "" "--train.autocast-bf16 true --train.channels-last true"; do
    name=dcgan${extra:+-bf16}
    python3 -m ganforge train --config mnist-dcgan --device cuda --run-dir \
        "$out/$name" --train.steps 3000 --train.progress false $extra
    speed "$out/$name"
done
python3 -m ganforge train --config mnist-paper --device cuda --run-dir \
    "$out/paper" --train.steps 3000 --train.progress false
speed "$out/paper"
torchrun --nproc_per_node 1 -m ganforge train --config mnist-fast --device cuda \
    --run-dir "$out/ddp" --train.steps 200 --train.progress false
speed "$out/ddp"
