"""The optimizer suite: reference rules, objectives, the step-by-step check (and that it catches a
rule with ε in the wrong place), the probes, the cross-library mapping, bad input and the study."""

from __future__ import annotations

import argparse

import numpy as np
import pytest
from conformance.adapters import ConformanceError
from conformance.adapters import optimizers as optlibs

from conformance.optimizers import library_conventions, objectives, rules, study, suite
from conformance.tolerance import compare, policy

TOL = policy("trajectory", "float64", "optimizer")


# ------------------------------------------------------------------ a library without a framework
class FakeLibrary(optlibs.Library):
    """A 'library' whose optimizers are rules.py under fixed flags: lets the checks be tested
    without a framework, including a library that does not do what it documents."""

    module = "numpy"
    distribution = "numpy"
    framework = "numpy"
    OPTIMIZERS = {
        name: ("conformance.optimizers.rules:" + spec.rule, {}) for name, spec in library_conventions.OPTIMIZERS.items()
    }
    HYPERPARAMS = {
        k: k
        for k in ("lr", "momentum", "beta1", "beta2", "eps", "weight_decay", "rho", "initial_accumulator", "eps_root")
    }

    def __init__(self, name: str, flags: dict, refuse_negative_lr: bool = True):
        super().__init__(name)
        self.flags = flags
        self.refuse = refuse_negative_lr

    def kwargs(self, optimizer, hyper):
        return dict(hyper)

    def make(self, optimizer, **hyper):
        if self.refuse and hyper.get("lr", 0) < 0:
            raise ValueError(f"Invalid learning rate: {hyper['lr']}")
        flags = {**library_conventions.OPTIMIZERS[optimizer].flags, **self.flags.get(optimizer, {})}
        return rules.Reference(library_conventions.OPTIMIZERS[optimizer].rule, **hyper, **flags)


@pytest.fixture
def fake(monkeypatch):
    """'fake' follows torch's documented rules; 'liar' documents torch's but puts ε inside √ for
    RMSprop and uses ε̂ for Adam."""
    torch_flags = {o: library_conventions.reference_flags("torch", o) for o in library_conventions.OPTIMIZERS}
    liar_flags = {o: dict(f) for o, f in torch_flags.items()}
    liar_flags["rmsprop"]["eps_in_sqrt"] = True
    liar_flags["adam"]["eps_hat"] = True
    libs = {"fake": FakeLibrary("fake", torch_flags), "liar": FakeLibrary("liar", liar_flags, False)}
    monkeypatch.setattr(suite.optlibs, "get", lambda name: libs[name])
    monkeypatch.setitem(library_conventions.DOCUMENTED, "fake", library_conventions.DOCUMENTED["torch"])
    monkeypatch.setitem(library_conventions.DOCUMENTED, "liar", library_conventions.DOCUMENTED["torch"])
    suite._CACHE.clear()
    yield libs
    suite._CACHE.clear()


# ------------------------------------------------------------------ rules
def test_adam_first_step_is_a_signed_step_of_size_lr():
    """m̂₁ = g, v̂₁ = g², so θ₁ = θ₀ − η g/(|g| + ε) ≈ θ₀ − η sign(g)."""
    theta, g = np.array([1.0, -2.0]), np.array([0.5, -3.0])
    out = rules.adam(theta, g, {}, lr=0.1, eps=0.0)
    np.testing.assert_allclose(out, theta - 0.1 * np.sign(g), rtol=1e-15)


def test_eps_hat_equals_algorithm_1_with_a_scaled_eps():
    """θ − α_t m/(√v + ε̂) = Algorithm 1 with ε = ε̂/√(1 − β₂ᵗ) at every step t."""
    g = np.array([0.3, -1e-6])
    s1, s2 = {}, {}
    for t in range(1, 4):
        a = rules.adam(np.zeros(2), g, s1, lr=1.0, eps=1e-5, eps_hat=True)
        b = rules.adam(np.zeros(2), g, s2, lr=1.0, eps=1e-5 / np.sqrt(1 - 0.999**t))
        np.testing.assert_allclose(a, b, rtol=1e-13)


def test_momentum_forms_agree_at_constant_lr_and_split_when_it_changes():
    obj = objectives.get("quadratic")
    outside = rules.Reference("momentum", lr=0.05, momentum=0.9)
    inside = rules.Reference("momentum", lr=0.05, momentum=0.9, lr_in_velocity=True)
    a, b = objectives.trajectory(outside, obj, 30), objectives.trajectory(inside, obj, 30)
    assert compare(a, b, TOL).ok
    a = objectives.trajectory(rules.Reference("momentum", lr=0.05, momentum=0.9), obj, 30, {10: 0.01})
    b = objectives.trajectory(
        rules.Reference("momentum", lr=0.05, momentum=0.9, lr_in_velocity=True), obj, 30, {10: 0.01}
    )
    assert not compare(a, b, TOL).ok


def test_decoupled_weight_decay_is_lr_times_lambda_theta():
    theta = np.array([2.0])
    out = rules.gradient_descent(theta, np.zeros(1), {}, lr=0.1, weight_decay=0.5, decoupled=True)
    assert out[0] == pytest.approx(2.0 - 0.1 * 0.5 * 2.0, rel=1e-15)


@pytest.mark.parametrize("name", ["quadratic", "rosenbrock", "logistic", "tiny"])
def test_objective_gradients_match_central_differences(name):
    obj = objectives.get(name)
    x = obj.x0 + 0.1
    h = 1e-6 * max(1.0, float(np.max(np.abs(x))))
    fd = np.array([(obj.value(x + h * e) - obj.value(x - h * e)) / (2 * h) for e in np.eye(x.size)])
    np.testing.assert_allclose(obj.grad(x), fd, rtol=1e-6, atol=1e-8 * max(1.0, np.abs(fd).max()))


def test_unknown_objective_is_a_clear_error():
    with pytest.raises(ConformanceError, match="choose one of"):
        objectives.get("himmelblau")


# ------------------------------------------------------------------ the checks
def test_step_by_step_check_passes_a_library_that_follows_its_rule(fake):
    for opt in ("sgd", "momentum", "adam", "rmsprop_centered", "adagrad"):
        out = suite.check_rule("fake", opt, "quadratic")
        assert out.status == "pass", (opt, out.message)
        assert out.data["amplification"] < 10


def test_step_by_step_check_catches_eps_in_the_wrong_place(fake):
    out = suite.check_rule("liar", "rmsprop", "quadratic")
    assert out.status == "fail"
    assert out.max_rel_error > 1e-10
    assert out.data["first_step_over_bound"] is not None
    assert suite.check_rule("liar", "adam", "logistic").status == "fail"


def test_probe_identifies_the_convention_and_flags_a_mismatch(fake):
    tiny = suite.PROBES[0]
    ok = suite.run_probe(tiny, "fake", "adam")
    assert ok.status == "pass" and ok.data["identified"].startswith("ε outside")
    bad = suite.run_probe(tiny, "liar", "adam")
    assert bad.status == "fail" and bad.data["identified"].startswith("ε̂")
    assert "documentation says" in bad.message


def test_every_probe_tells_its_candidates_apart(fake):
    for p in suite.PROBES:
        for opt in library_conventions.OPTIMIZERS:
            if p.applies(opt):
                out = suite.run_probe(p, "fake", opt)
                assert out.status == "pass", (p.check, opt, out.message)


def test_mapping_switches_what_can_be_switched_and_zeroes_eps_otherwise():
    hp = suite.hyper("rmsprop", "quadratic")
    lib_h, can_h, notes = library_conventions.mapping("optax", "rmsprop", hp)
    assert lib_h["eps_in_sqrt"] is False and lib_h["eps"] == hp["eps"]
    lib_h, can_h, notes = library_conventions.mapping("keras[jax]", "adam", suite.hyper("adam", "quadratic"))
    assert lib_h["eps"] == can_h["eps"] == 0.0 and any("cannot be mapped" in n for n in notes)


def test_mapped_check_fails_for_a_library_whose_rule_cannot_be_mapped(fake, monkeypatch):
    # 'liar' documents torch's rule, so the mapping changes nothing and its ε̂ Adam disagrees
    out = suite.check_mapped("liar", "adam", "quadratic")
    assert out.status == "fail"
    assert suite.check_mapped("fake", "adam", "quadratic").status == "pass"


def test_bad_input_is_recorded_with_the_library_message(fake):
    out = suite.check_bad_input("fake", "adam", {"lr": -1e-3})
    assert out.data["refused"] and "Invalid learning rate" in out.message
    out = suite.check_bad_input("liar", "adam", {"lr": -1e-3})
    assert not out.data["refused"] and "accepts" in out.message


def test_tasks_cover_every_library_and_check():
    tasks = list(suite.tasks(None))
    cases = {t.case.split(":")[0] for t in tasks if ":" in t.case}
    assert set(optlibs.names()) <= cases
    checks = {t.check for t in tasks}
    assert {
        suite.MATCH,
        suite.AGREE,
        "probe: tiny gradients",
        "probe: first steps",
        "probe: lr change mid-run",
        "probe: weight decay",
    } <= checks
    assert all(t.family == "optimizers" and t.dtypes == ("float64",) for t in tasks)


def test_unknown_library_and_hyperparameter_are_clear_errors():
    with pytest.raises(ConformanceError, match="choose one of"):
        optlibs.get("mxnet")
    lib = optlibs.get("torch")
    if not lib.available():
        pytest.skip("torch not installed")
    with pytest.raises(ConformanceError, match="takes no 'beta1'"):
        lib.kwargs("sgd", {"lr": 0.1, "beta1": 0.9})


# ------------------------------------------------------------------ real libraries (when installed)
@pytest.mark.parametrize("library", ["torch", "optax"])
def test_real_library_adam_matches_its_documented_rule(library):
    lib = optlibs.get(library)
    if not lib.available():
        pytest.skip(f"{library} not installed")
    suite._CACHE.clear()
    out = suite.check_rule(library, "adam", "rosenbrock")
    assert out.status == "pass", out.message


# ------------------------------------------------------------------ the study
def test_study_model_and_batches_are_deterministic():
    pytest.importorskip("sklearn")
    x, y = study.digits()
    assert x.shape == (1797, 64) and y.shape == (1797, 10) and 0 <= x.min() and x.max() <= 1
    theta = study.init(3)
    assert theta.size == sum(int(np.prod(s)) for s in study.sizes())
    np.testing.assert_array_equal(theta, study.init(3))
    from conformance import adapters

    j = float(study.loss(adapters.get("numpy").xp, theta, x, y))
    assert 2.0 < j < 3.0  # near log 10 at a Glorot start
    assert all(len(b) == study.BATCH for b in study.batches(1, 1797, 50))


def test_lr_rule_prefers_fewest_steps_then_lowest_loss(monkeypatch):
    outcomes = {0.03: (None, 1.0), 0.1: (120, 0.4), 0.3: (60, 0.4), 1.0: (None, 9.0), 3.0: (None, float("inf"))}
    seen = []

    def fake_train(fw, opt, lr, seed, setup, stop_after=None):
        seen.append((lr, stop_after))
        reached, final = outcomes[lr]
        return {"steps": [0], "losses": [final], "reached": reached}

    monkeypatch.setattr(study, "train", fake_train)
    lr, _ = study.choose_lr("torch", "sgd", study.SETUPS["quick"])
    assert lr == 0.3 and seen[0] == (3.0, None) and seen[-1] == (0.03, 60)
    outcomes.update({0.1: (None, 0.7), 0.3: (None, 0.6)})
    seen.clear()
    assert study.choose_lr("torch", "sgd", study.SETUPS["quick"])[0] == 0.3


def test_command_refuses_an_unknown_framework():
    from conformance.commands import optimizers as command

    p = argparse.ArgumentParser()
    command.configure(p)
    args = p.parse_args(["--frameworks", "mxnet"])
    with pytest.raises(ConformanceError, match="no convergence study"):
        command.main(args)


def test_registry_entry_covers_keras_on_tf_and_nothing_else():
    from conformance import registry

    entries = registry.parse_file(registry.DEFAULT_DIR / "optimizers.toml")
    reg = registry.Registry(entries)
    rec = {
        "framework": "tensorflow",
        "framework_version": "2.21.0",
        "api": "tape",
        "dtype": "float64",
        "family": "optimizers",
        "case": "keras[tensorflow]:adam:quadratic",
        "check": suite.MATCH,
    }
    assert reg.match(rec) is not None
    assert reg.match({**rec, "case": "keras[jax]:adam:quadratic", "framework": "jax"}) is None
    assert reg.match({**rec, "check": suite.AGREE}) is None
