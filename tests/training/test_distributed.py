# SPDX-License-Identifier: Apache-2.0
"""Training under torchrun (incept_train/distributed.py): two processes train what one process trains.

End to end, with the real launcher (`python3 -m torch.distributed.run --nproc_per_node=2 -m incept_train`, gloo
on the CPU) against one process with the same options, i.e. the same global batch (8, so 4 per process) and
seed, on a tiny synthetic set (12 images of 32x32: each epoch is one step on 8 of them, shuffled anew):

1. one step (epoch 1) from the same initial weights, each run on its own;
2. a second step (epoch 2), both runs resumed from the same checkpoint: the single process's, which also checks
   that a run resumes on another process count;
then the two-process model.pth converts.

Tolerance: every float tensor of both checkpoints (raw weights, BatchNorm statistics) and of model.pth (the EMA)
agrees within 1 % of how far the step moved it: |a - b| <= 0.01 |a - start| (Frobenius norms, `start` the
tensors the step began from). Bit-identical is not possible: the processes sum BatchNorm statistics and
gradients in another order (partial sums, then gloo's all-reduce), and BatchNorm over the global batch is
CpuSyncBatchNorm's arithmetic, not PyTorch's kernel, so activations differ in the last bits (about 1e-6 of their
size); a max pool or ReLU whose inputs tie within that (the synthetic images have flat regions) can then send a
gradient elsewhere. Measured on x86-64: at most 3.9e-4 (conv1's weights, step 1), 1e-5 to 1e-6 for most
tensors. Each comparison is one step because training from random weights at lr 0.1 is chaotic: one process
with 2 threads instead of 1 moves 4-step weights by 10-60 % of their update. A broken run misses by far more:
per-process BatchNorm statistics, per-process dropout masks, or per-process crop draws gave 0.9-2.2 after one
step. The arithmetic itself is checked in float64, where one step of both agrees to 3e-15 (ddp_float64.py;
allowed: 1e-10).

Dropout and augmentation are on: each process draws the whole global batch's masks, crops and flips from the
shared per-epoch seed and uses its rows, so every sample gets what it gets in one process.
"""

import json
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
import torch
from trainkit import PYTHON, assert_one_error_line, package_env, run_convert

from incept_train import cli, data, distributed
from incept_train.checkpoint import load_checkpoint
from incept_train.world import World, world_from_env

OPTIONS = ["--arch", "inception_small", "--synthetic", "--classes", "4", "--train-size", "12", "--val-size", "8",
           "--input-size", "32", "--crop-pad", "2", "--batch-size", "8", "--seed", "1", "--threads", "1", "-q"]
TOLERANCE = 0.01


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def torchrun(logs: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """`torchrun --nproc_per_node=2 ARGS` on this machine. --redirects/--tee name one stream (stdout to per-process
    logs in `logs`, echoed) because torch 1.13's launcher on Python 3.11 cannot parse its own default, 0."""
    cmd = [PYTHON, "-m", "torch.distributed.run", "--nproc_per_node=2", f"--master_port={_free_port()}",
           "--redirects=1", "--tee=1", f"--log_dir={logs}", *args]
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout,
                          env=package_env(OMP_NUM_THREADS="1"))


def _initial_weights() -> dict:
    """What the trainer starts from: the zoo net built after torch.manual_seed(--seed)."""
    from incept_convert import zoo
    torch.manual_seed(1)
    return zoo.build("inception_small", num_classes=4, aux_logits=True).state_dict()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Directories one1/two1 (epoch 1) and one2/two2 (epoch 2, both resumed from one1's checkpoint)."""
    root = tmp_path_factory.mktemp("distributed")
    assert cli.main([*OPTIONS, "--epochs", "1", "--out-dir", str(root / "one1")]) == 0
    proc = torchrun(root / "logs1", "-m", "incept_train", *OPTIONS, "--epochs", "1", "--out-dir", str(root / "two1"))
    assert proc.returncode == 0, proc.stderr
    for name in ("one2", "two2"):
        shutil.copytree(root / "one1", root / name)
    assert cli.main(["--resume", str(root / "one2" / "checkpoint.pth"), "--epochs", "2", "--threads", "1", "-q"]) == 0
    proc = torchrun(root / "logs2", "-m", "incept_train", "--resume", str(root / "two2" / "checkpoint.pth"),
                    "--epochs", "2", "--threads", "1", "-q")
    assert proc.returncode == 0, proc.stderr
    return root


def _worst(a: dict, b: dict, start: dict) -> tuple:
    """max over float tensors of |a - b| / |a - start|, and its tensor; integer tensors must be equal."""
    assert a.keys() == b.keys() == start.keys()
    worst = (0.0, "")
    for k in a:
        if not a[k].is_floating_point():
            assert torch.equal(a[k], b[k]), k
            continue
        moved = float((a[k].double() - start[k].double()).norm())
        assert moved > 0, f"{k} did not change in the step"
        worst = max(worst, (float((a[k].double() - b[k].double()).norm()) / moved, k))
    return worst


@pytest.mark.parametrize("epoch", [1, 2])
def test_two_processes_train_what_one_process_trains(runs, epoch):
    one, two = runs / f"one{epoch}", runs / f"two{epoch}"
    ckpt_one, ckpt_two = load_checkpoint(str(one / "checkpoint.pth")), load_checkpoint(str(two / "checkpoint.pth"))
    if epoch == 1:
        start_raw = start_ema = _initial_weights()
    else:
        before = load_checkpoint(str(runs / "one1" / "checkpoint.pth"))
        start_raw, start_ema = before["model"], before["ema"]["module"]
    raw = _worst(ckpt_one["model"], ckpt_two["model"], start_raw)
    ema = _worst(torch.load(one / "model.pth", weights_only=True), torch.load(two / "model.pth", weights_only=True),
                 start_ema)
    print(f"epoch {epoch}: largest |one - two| / |one - start|: raw {raw[0]:.2e} ({raw[1]}), EMA {ema[0]:.2e} "
          f"({ema[1]})")
    assert raw[0] <= TOLERANCE and ema[0] <= TOLERANCE, (raw, ema)
    a, b = ckpt_one["history"][-1], ckpt_two["history"][-1]
    assert b["loss"] == pytest.approx(a["loss"], rel=1e-5)   # the loss before the step: same weights, same data
    assert b["train_top1"] == a["train_top1"] and b["lr"] == a["lr"]
    assert ckpt_one["schedule"] == ckpt_two["schedule"] and ckpt_two["epoch"] == epoch


def test_the_two_process_model_converts(runs, tmp_path):
    out = tmp_path / "two.incept"
    proc = run_convert("--arch", "inception_small", "--checkpoint", runs / "two2" / "model.pth",
                       "--labels", runs / "two2" / "labels.txt", "--input-size", "32", "-o", out, "-q")
    assert proc.returncode == 0, proc.stderr
    assert out.stat().st_size > 0


def test_train_json_records_the_launch(runs):
    first = json.loads((runs / "two1" / "train.json").read_text())
    assert first["command"].startswith("torchrun --nproc_per_node=2 -m incept_train --arch inception_small")
    assert first["processes"] == 2 and first["dist_backend"] == "gloo"
    resumed = json.loads((runs / "two2" / "train.json").read_text())
    assert resumed["command"].startswith("python3 -m incept_train --arch inception_small")
    assert len(resumed["resumed_with"]) == 1 and resumed["resumed_with"][0].startswith("torchrun --nproc_per_node=2")
    assert "processes" not in json.loads((runs / "one2" / "train.json").read_text())


def test_batch_not_divisible_by_the_processes_is_refused_once(tmp_path):
    """Each process of `torchrun --nproc_per_node=2` with --batch-size 7 (run here with torchrun's variables, as
    the check comes before any process group): exit 2, rank 0 says why in one line, rank 1 says nothing."""
    for rank in (0, 1):
        env = package_env(WORLD_SIZE="2", RANK=str(rank), LOCAL_RANK=str(rank), LOCAL_WORLD_SIZE="2")
        proc = subprocess.run([PYTHON, "-m", "incept_train", *OPTIONS, "--batch-size", "7", "--out-dir",
                               str(tmp_path / "out")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=env, timeout=120)
        if rank == 0:
            assert_one_error_line(proc.returncode, proc.stderr, "--batch-size 7 cannot be split evenly over 2 "
                                                                "processes")
        else:
            assert proc.returncode == 2 and proc.stderr == "", proc.stderr
    assert not (tmp_path / "out").exists()


def test_gradients_and_statistics_exact_in_float64(tmp_path):
    proc = torchrun(tmp_path / "logs", str(Path(__file__).with_name("ddp_float64.py")), timeout=120)
    assert proc.returncode == 0, proc.stderr
    line = [x for x in proc.stdout.splitlines() if "largest relative difference:" in x]
    assert len(line) == 1, proc.stdout
    assert float(line[0].split(":")[-1]) <= 1e-10, line[0]


# ---- the pieces, in one process ----

def test_shards_are_disjoint_and_make_up_each_global_batch():
    order = torch.randperm(24, generator=torch.Generator().manual_seed(0))
    shards = [distributed.shard(order, 8, World(rank=r, size=4, local_size=4)) for r in range(4)]
    assert all(len(s) == 6 for s in shards)
    for step in range(3):   # process r holds samples 2r, 2r+1 of each global batch of 8
        assert torch.equal(torch.cat([s[2 * step:2 * step + 2] for s in shards]), order[8 * step:8 * step + 8])
    assert torch.equal(distributed.shard(order, 8, World()), order)


def test_a_shard_is_augmented_as_its_rows_of_the_global_batch():
    x = torch.arange(8 * 3 * 6 * 6, dtype=torch.float32).view(8, 3, 6, 6)
    whole = data.augment(x, 2, True, torch.Generator().manual_seed(4))
    for rank in range(2):
        rows = slice(4 * rank, 4 * rank + 4)
        part = data.augment(x[rows], 2, True, torch.Generator().manual_seed(4), first=4 * rank, total=8)
        assert torch.equal(part, whole[rows])


def test_sharded_dropout_applies_its_rows_of_one_process_mask():
    x = torch.randn(8, 10)
    torch.manual_seed(5)
    whole = torch.nn.functional.dropout(x, 0.4, training=True)
    for rank in range(2):
        torch.manual_seed(5)
        part = distributed.ShardedDropout(0.4, World(rank=rank, size=2, local_size=2))(x[4 * rank:4 * rank + 4])
        assert torch.equal(part, whole[4 * rank:4 * rank + 4])
    assert torch.equal(distributed.ShardedDropout(0.4, World(rank=1, size=2)).eval()(x), x)


def test_world_from_the_environment():
    assert world_from_env({}) == World() and world_from_env({"WORLD_SIZE": "1", "RANK": "0"}) == World()
    w = world_from_env({"WORLD_SIZE": "4", "RANK": "3", "LOCAL_RANK": "1", "LOCAL_WORLD_SIZE": "2"})
    assert (w.rank, w.local_rank, w.size, w.local_size, w.distributed, w.main) == (3, 1, 4, 2, True, False)
    for env, needle in (({"WORLD_SIZE": "two"}, "WORLD_SIZE='two' is not a number"),
                        ({"WORLD_SIZE": "2", "RANK": "2"}, "RANK=2 is outside WORLD_SIZE=2")):
        with pytest.raises(Exception, match=needle):
            world_from_env(env)
