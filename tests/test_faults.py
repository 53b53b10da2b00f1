"""Each injected fault breaks what it claims to break, and the checker recognises it."""

import numpy as np
import pytest

from scribble import faults, gradient_check

CASE_OF = {fault: case_id for case_id, fault in faults.CASE_IDS.items()}


def gradient_failures(case, count):
    x, y = (case.X[0], case.y[0]) if count == 1 else (case.X[:count], case.y[:count])
    return gradient_check(case.network, x, y).failed_parameters


@pytest.fixture(scope="module")
def trained():
    """Test accuracy and health of every case, faulty and healthy, after training."""
    results = {}
    for case_id in faults.CASE_IDS:
        for healthy in (False, True):
            case = faults.make_case(case_id, healthy=healthy)
            health = case.train()
            accuracy = case.network.evaluate(case.X_test, case.y_test)["accuracy"]
            results[case_id, healthy] = (health, accuracy)
    return results


def test_every_suspect_has_a_case():
    assert sorted(faults.CASE_IDS.values()) == sorted(faults.SUSPECTS)


@pytest.mark.parametrize("case_id", sorted(faults.CASE_IDS))
def test_healthy_twin_passes_and_learns(case_id, trained):
    case = faults.make_case(case_id, healthy=True)
    assert gradient_failures(case, 8) == []
    health, accuracy = trained[case_id, True]
    assert health.stopped is None
    assert accuracy > 0.75


def test_faulty_case_starts_from_twin_weights():
    faulty = faults.make_case("E")
    healthy = faults.make_case("E", healthy=True)
    for a, b in zip(faulty.network.layers, healthy.network.layers):
        np.testing.assert_array_equal(a.weights, b.weights)


def test_transposed_weights(trained):
    case = faults.make_case(CASE_OF["transposed_weights"])
    failed = gradient_failures(case, 8)
    assert "layer 1 weights" in failed
    assert "layer 1 biases" not in failed
    assert "layer 2 weights" not in failed
    health, accuracy = trained[case.case_id, False]
    assert health.stopped is not None or accuracy < 0.3


def test_summed_batch_gradient(trained):
    case = faults.make_case(CASE_OF["summed_batch_gradient"])
    assert gradient_failures(case, 1) == []
    assert len(gradient_failures(case, 8)) == 4
    # The gradient is exactly batch_size times the mean.
    network, X, y = case.network, case.X[:8], case.y[:8]
    network.forward(X)
    delta = network.calc_loss_delta(network.layers[-1].output, network.targets_for(y))
    network.layers[-1].backward(delta)
    mean = delta.T @ network.layers[-1].inputs / 8
    np.testing.assert_allclose(network.layers[-1].d_weights, 8 * mean)
    health, accuracy = trained[case.case_id, False]
    assert health.dead_fraction[0][-1] > 0.9  # the huge steps killed the ReLUs
    assert accuracy < 0.3


def test_relu_mask_inverted(trained):
    case = faults.make_case(CASE_OF["relu_mask_inverted"])
    assert gradient_failures(case, 8) == ["layer 0 weights", "layer 0 biases"]
    _, accuracy = trained[case.case_id, False]
    _, healthy_accuracy = trained[case.case_id, True]
    assert accuracy < healthy_accuracy - 0.2


def test_softmax_without_max():
    case = faults.make_case(CASE_OF["softmax_without_max"])
    healthy = faults.make_case(case.case_id, healthy=True)
    # Invisible to the gradient check on ordinary digits...
    assert gradient_failures(case, 8) == []
    # ...but large logits overflow exp: NaN where the stable softmax gives numbers.
    bright = 1000 * case.X[:5]  # logits up to about 860
    assert np.isnan(case.network.predict_proba(bright)).any()
    assert np.isfinite(healthy.network.predict_proba(bright)).all()


def test_labels_not_one_hot(trained):
    case = faults.make_case(CASE_OF["labels_not_one_hot"])
    assert "layer 1 biases" in gradient_failures(case, 8)
    sums = faults.output_delta_row_sums(case.network, case.X[:4], case.y[:4])
    np.testing.assert_allclose(sums, 1 - 10 * case.y[:4].astype(int))
    healthy = faults.make_case(case.case_id, healthy=True)
    np.testing.assert_allclose(
        faults.output_delta_row_sums(healthy.network, case.X[:4], case.y[:4]),
        0,
        atol=1e-12,
    )
    health, accuracy = trained[case.case_id, False]
    assert health.stopped is not None or accuracy < 0.3


def test_pixels_not_normalized(trained):
    case = faults.make_case(CASE_OF["pixels_not_normalized"])
    assert case.X.max() == 255
    # The network's code is right: on the same digits in [0, 1] the check passes.
    assert gradient_check(case.network, case.X[:8] / 255, case.y[:8]).passed
    health, _ = trained[case.case_id, False]
    assert health.stopped is not None
    assert max(health.update_ratio[0]) > 1


def test_softmax_derivative_twice(trained):
    case = faults.make_case(CASE_OF["softmax_derivative_twice"])
    failed = gradient_failures(case, 8)
    assert "layer 1 weights" in failed
    assert "layer 1 biases" in failed
    healthy = faults.make_case(case.case_id, healthy=True)
    faulty_delta = faults.measure_output_delta(case.network, case.X[:16], case.y[:16])
    true_delta = faults.measure_output_delta(healthy.network, case.X[:16], case.y[:16])
    assert np.all(np.abs(faulty_delta) <= 0.25 * np.abs(true_delta) + 1e-15)
    _, accuracy = trained[case.case_id, False]
    _, healthy_accuracy = trained[case.case_id, True]
    assert accuracy < healthy_accuracy - 0.1


@pytest.mark.parametrize("case_id", sorted(faults.CASE_IDS))
def test_diagnose_accepts_right_answer(case_id):
    fault = faults.CASE_IDS[case_id]
    verdict = faults.diagnose(case_id, fault)
    assert verdict.correct
    assert verdict.message.startswith("Correct")
    assert "The fix:" in verdict.message


@pytest.mark.parametrize("case_id", sorted(faults.CASE_IDS))
def test_diagnose_rejects_every_wrong_answer(case_id):
    for suspect in faults.SUSPECTS:
        if suspect == faults.CASE_IDS[case_id]:
            continue
        verdict = faults.diagnose(case_id, suspect)
        assert not verdict.correct
        assert "Next step:" in verdict.message
        assert faults.SUSPECTS[suspect] in verdict.message


def test_diagnose_normalizes_spelling():
    case_id = CASE_OF["summed_batch_gradient"]
    assert faults.diagnose(case_id, " Summed batch-gradient ").correct


def test_diagnose_rejects_unknown_names():
    with pytest.raises(ValueError, match="unknown suspect 'bad luck'"):
        faults.diagnose("A", "bad luck")
    with pytest.raises(ValueError, match="unknown case 'Z'"):
        faults.diagnose("Z", "summed_batch_gradient")
    with pytest.raises(ValueError, match="unknown case 'Z'"):
        faults.make_case("Z")


def test_diagnose_without_answer_gives_hint():
    verdict = faults.diagnose("B", None)
    assert not verdict.correct
    assert "no answer yet" in verdict.message
    assert "case.X.min()" in verdict.message
