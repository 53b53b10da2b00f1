"""The benchmark at tiny sizes, so that it keeps running; no timing is asserted."""

import json

import numpy as np
import pytest

from benchmarks import __main__ as bench_main
from benchmarks import measure, report, run
from scribble import NeuralNetwork, one_hot


@pytest.fixture(scope="module")
def smoke_output(tmp_path_factory):
    """Run ``python -m benchmarks --smoke`` once, over a README with a full-size section."""
    output_dir = tmp_path_factory.mktemp("bench")
    kept_section = (
        f"{report.FULL_SIZE_START}\n## Full-size accuracy\n\n| a | b |\n|---|---|\n"
        f"| 1 | 2 |\n{report.FULL_SIZE_END}"
    )
    (output_dir / "README.md").write_text(
        f"# Old\n\nold text\n\n{kept_section}\n\nold tail\n"
    )
    bench_main.main(["--smoke", "--output-dir", str(output_dir)])
    results = json.loads((output_dir / "results.json").read_text())
    return results, (output_dir / "README.md").read_text(), kept_section


def test_smoke_run_writes_every_section(smoke_output):
    _, readme, _ = smoke_output
    for heading in (
        "## Machine",
        "## Matrix multiply rate",
        "## Seconds per epoch",
        "## Test accuracy",
        "## Peak memory",
        "## Goals",
    ):
        assert heading in readme
    assert "old text" not in readme


def test_smoke_run_keeps_full_size_section(smoke_output):
    _, readme, kept_section = smoke_output
    assert readme.count(report.FULL_SIZE_START) == 1
    assert kept_section in readme


def test_smoke_run_figures_are_positive(smoke_output):
    results, _, _ = smoke_output
    assert all(row["gflops"] > 0 for row in results["gemm"])
    assert {row["batch_size"] for row in results["epochs"]} == {1, 32}
    assert all(row["scribble_seconds"] > 0 for row in results["epochs"])
    assert 0 < results["peak_memory_mb"] < 24_000
    # The share of the GEMM rate is a ratio of two measured rates, each pair apart.
    peak_share = results["peak_share"]
    assert len(peak_share["shares"]) == results["settings"]["repeats"]
    assert peak_share["share"] > 0
    assert peak_share["gemm_gflops"] > 0
    for epochs, accuracy in results["accuracy"]["scribble"].items():
        assert 0 <= accuracy <= 1, epochs


def test_smoke_run_reference_agrees(smoke_output):
    results, _, _ = smoke_output
    (row,) = results["reference"]
    assert row["max_difference"] <= 1e-12
    assert row["speedup"] > 0


def test_smoke_run_torch_rows_or_hint(smoke_output):
    results, readme, _ = smoke_output
    if measure.load_torch() is None:
        assert results["torch_skipped"]
        assert 'pip install -e ".[bench]"' in readme
        assert all(row["torch_seconds"] is None for row in results["epochs"])
    else:
        assert all(row["torch_seconds"] > 0 for row in results["epochs"])
        assert all(row["ratio"] > 0 for row in results["epochs"])


def test_report_without_torch_says_how_to_install(smoke_output):
    results, _, _ = smoke_output
    results = json.loads(json.dumps(results))
    results["torch_skipped"] = True
    for row in results["epochs"]:
        row.update(torch_seconds=None, ratio=None)
        row.pop("torch_cpu_share", None)
    results["accuracy"]["torch"] = None
    readme = report.render(results)
    assert "torch==2.13.0" in readme
    assert "PyTorch not installed" in readme


def test_goal_rows_follow_the_figures(smoke_output):
    results, _, _ = smoke_output
    results = json.loads(json.dumps(results))
    results["peak_memory_mb"] = 700.0
    results["reference"][0].update(speedup=12.0, max_difference=1e-15)
    rows = {row[0][0]: row for row in report.goals(results)}
    assert rows["4"][3] == "**not met**"
    assert rows["3"][3] == "met"
    results["reference"][0]["max_difference"] = 1e-9
    rows = {row[0][0]: row for row in report.goals(results)}
    assert rows["3"][3] == "**not met**"


def test_flops_per_sample_counts_matrix_products():
    # Layer 0: forward and weight gradient; layer 1 adds its input gradient.
    assert measure.flops_per_sample([784, 128, 10]) == 2 * (
        2 * 784 * 128 + 3 * 128 * 10
    )


def test_torch_model_copies_scribble_weights():
    torch = measure.load_torch()
    if torch is None:
        pytest.skip(measure.TORCH_INSTALL_HINT)
    model = measure.torch_model(torch, np.float64)
    network = measure.scribble_network(np.float64)
    x = np.random.default_rng(0).random((3, 784))
    with torch.no_grad():
        logits = model(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(
        network.predict_proba(x), torch.softmax(torch.from_numpy(logits), 1).numpy()
    )


def test_smoke_settings_use_bundled_sample():
    settings = run.Settings.smoke()
    assert (settings.data_dir / "train-images-idx3-ubyte.gz").is_file()


def test_per_sample_fast_update_matches_dense_update(digits):
    """Layer.update after one sample equals weights -= lr * np.outer(delta, x)."""
    X_train, y_train, _, _ = digits
    network = NeuralNetwork.from_sizes([784, 32, 10], rng=4)
    targets = one_hot(y_train[:20], 10)
    for x, target in zip(X_train[:20], targets):
        before = [layer.weights.copy() for layer in network.layers]
        predicted = network.forward(x)
        delta = network.calc_loss_delta(predicted, target)
        for layer, weights in zip(reversed(network.layers), reversed(before)):
            delta = layer.backward(delta)
            expected = weights - 0.05 * np.outer(layer.delta, layer.inputs)
            layer.update(0.05)
            np.testing.assert_allclose(layer.weights, expected, rtol=0, atol=1e-15)
            np.testing.assert_array_equal(
                layer.d_weights, np.outer(layer.delta, layer.inputs)
            )
