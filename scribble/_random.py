"""The one place where scribble turns a seed into a random number generator."""

import numpy as np

_default_generator = np.random.default_rng()


def seed(value):
    """Reseed the generator that layers and neurons use when given no ``rng``.

    After ``scribble.seed(42)``, ``Layer(784, 128, "relu")`` draws the same weights on
    every run. Pass ``rng=`` explicitly where two streams must not interfere.
    """
    global _default_generator
    _default_generator = np.random.default_rng(value)
    return _default_generator


def as_generator(rng=None):
    """Return a ``numpy.random.Generator`` for ``rng``.

    ``None`` gives the shared default generator (see :func:`seed`), an int a new
    generator seeded with it, and a Generator is returned as it is.
    """
    if rng is None:
        return _default_generator
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"expected a seed (int), a numpy.random.Generator or None, got {rng!r}"
    )
