import pytest
import torch

from ganforge import device as device_module
from ganforge.device import cpu_has_bf16_units, resolve_device, use_bf16_autocast
from ganforge.errors import ConfigError

CPU, CUDA = torch.device("cpu"), torch.device("cuda")


def test_cpu_and_auto_resolve_without_a_gpu():
    assert resolve_device("cpu") == CPU
    assert resolve_device("auto") == (CUDA if torch.cuda.is_available() else CPU)
    with pytest.raises(ConfigError, match="device must be one of auto, cpu, cuda"):
        resolve_device("tpu")


@pytest.mark.parametrize("setting", [True, False])
@pytest.mark.parametrize("bf16_units", [True, False])
def test_an_explicit_autocast_setting_stands_on_every_device(monkeypatch, setting, bf16_units):
    monkeypatch.setattr(device_module, "cpu_has_bf16_units", lambda: bf16_units)
    assert use_bf16_autocast(setting, CPU) is setting
    assert use_bf16_autocast(setting, CUDA) is setting


def test_auto_autocast_is_on_only_for_a_cpu_with_bf16_units(monkeypatch):
    monkeypatch.setattr(device_module, "cpu_has_bf16_units", lambda: True)
    assert use_bf16_autocast("auto", CPU)
    assert not use_bf16_autocast("auto", CUDA)  # measured slower on an H100 (BENCHMARKS.md)
    monkeypatch.setattr(device_module, "cpu_has_bf16_units", lambda: False)
    assert not use_bf16_autocast("auto", CPU)


@pytest.mark.parametrize("amx, avx512_bf16, expected", [
    (True, False, True), (False, True, True), (True, True, True), (False, False, False)])
def test_either_kind_of_bf16_unit_counts(monkeypatch, amx, avx512_bf16, expected):
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: amx, raising=False)
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: avx512_bf16,
                        raising=False)
    assert cpu_has_bf16_units() is expected


def test_bf16_probe_reads_no_when_torch_lacks_it(monkeypatch):
    assert isinstance(cpu_has_bf16_units(), bool)
    monkeypatch.delattr(torch.cpu, "_is_amx_tile_supported", raising=False)
    monkeypatch.delattr(torch.cpu, "_is_avx512_bf16_supported", raising=False)
    assert cpu_has_bf16_units() is False
