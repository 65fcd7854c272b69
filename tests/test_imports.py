import subprocess
import sys


def test_metrics_import_nothing_from_training():
    code = ("import sys, ganforge.metrics, ganforge.metrics.registry; "
            "bad = [m for m in sys.modules if m.startswith('ganforge.training')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_the_public_api_is_exported():
    import ganforge

    for name in ("train", "evaluate", "load_generator", "Generator", "RunConfig", "Config",
                 "load_config", "apply_overrides", "build_dataset"):
        assert hasattr(ganforge, name) and name in ganforge.__all__
