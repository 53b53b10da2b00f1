"""Checkers for the functions a learner writes in a lesson's "your turn" cells.

``check("softmax", softmax)`` runs the learner's ``softmax`` on every case of the
exercise, easy ones first and then hard ones (large logits, a batch, uint8 input),
and prints the first failing case with its expected and actual value and a hint.
When the wrong result is exactly what a classic bug produces (softmax without
subtracting the maximum, say), the report names that bug. A function that is not
written yet (its body is ``...`` or ``pass``, it returns None, or it raises
NotImplementedError) gets a friendly "not attempted yet" instead of an error, so a
committed notebook runs clean. ``hint(name)`` and ``solution(name)`` print help.

Adding an exercise for a later week takes one :func:`register` call with an
:class:`Exercise`: its reference function, its cases and the classic bugs, each a
wrong function plus the message to show. :mod:`scribble.exercise_library` registers
the course's exercises that way.
"""

import copy
import textwrap
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "Bug",
    "Case",
    "CheckResult",
    "Exercise",
    "check",
    "evaluate",
    "exercise_names",
    "get_exercise",
    "hint",
    "register",
    "solution",
]

# Results match when they agree to this tolerance, as np.allclose measures it.
RTOL = 1e-6
ATOL = 1e-9


@dataclass(frozen=True)
class Case:
    """One call of the learner's function: its arguments and what it shows.

    ``description`` names the case in reports ("large logits", "a batch of 2").
    """

    description: str
    args: tuple
    kwargs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Bug:
    """A classic mistake: a function that makes it, and the message naming it.

    A failing result that equals ``wrong_function``'s result on the same case is
    reported with ``message``.
    """

    message: str
    wrong_function: object


@dataclass(frozen=True)
class Exercise:
    """A function for the learner to write, with everything needed to check it.

    Attributes
    ----------
    name : str
        The key for :func:`check`, :func:`hint` and :func:`solution`, usually the
        function's name.
    signature : str
        How the learner's function is called, for example ``"softmax(z)"``.
    reference : callable
        A correct implementation; the expected values come from it.
    cases : tuple of Case
        Checked in order, so put the easy cases first.
    hint : str
    solution : str
        Source code of a correct function, shown by :func:`solution`.
    bugs : tuple of Bug
        Classic mistakes to recognise in a failing result.
    """

    name: str
    signature: str
    reference: object
    cases: tuple
    hint: str
    solution: str
    bugs: tuple = ()


_REGISTRY = {}


def register(exercise):
    """Add ``exercise`` to the registry under its name and return it.

    Raises ValueError if the name is taken or the reference fails its own cases,
    so a broken exercise is caught when it is defined.
    """
    if exercise.name in _REGISTRY:
        raise ValueError(f"an exercise named {exercise.name!r} is already registered")
    if not exercise.cases:
        raise ValueError(f"exercise {exercise.name!r} has no cases")
    _REGISTRY[exercise.name] = exercise
    result = evaluate(exercise.name, exercise.reference)
    if not result.passed:
        del _REGISTRY[exercise.name]
        if result.case is None:
            problem = "it returns None"
        else:
            problem = (
                f"it fails its own case {result.case.description!r}: {result.message}"
            )
        raise ValueError(
            f"the reference of exercise {exercise.name!r} is wrong: {problem}"
        )
    return exercise


def exercise_names():
    """Return the names of all registered exercises, in registration order."""
    return list(_REGISTRY)


def get_exercise(name):
    """Return the registered :class:`Exercise` called ``name``."""
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(repr(key) for key in _REGISTRY)
        raise ValueError(f"no exercise named {name!r}: choose one of {known}") from None


@dataclass
class CheckResult:
    """Outcome of checking one function against one exercise.

    ``status`` is "passed", "failed" or "not attempted". For a failure, ``case``
    is the first failing case, ``expected`` and ``actual`` its values (``actual``
    is the exception if the function raised), ``bug`` the recognised classic bug
    or None, and ``message`` the explanation printed by :func:`check`.
    """

    name: str
    status: str
    num_cases: int
    case_number: int = None
    case: Case = None
    expected: object = None
    actual: object = None
    bug: Bug = None
    message: str = ""
    failed_cases: list = field(default_factory=list)

    @property
    def passed(self):
        return self.status == "passed"

    def report(self):
        """Return the text :func:`check` prints."""
        exercise = get_exercise(self.name)
        if self.status == "passed":
            return f"{self.name}: all {self.num_cases} cases pass. Well done!"
        if self.status == "not attempted":
            return textwrap.fill(
                f"{self.name}: not attempted yet. Write {exercise.signature} in the "
                f"cell above, run it, then run this check again. For help: "
                f"exercises.hint({self.name!r}).",
                width=88,
            )
        lines = [
            f"{self.name}: case {self.case_number} of {self.num_cases} failed: "
            f"{self.case.description}",
            f"  called:   {_format_call(exercise, self.case)}",
            f"  expected: {_format_value(self.expected)}",
        ]
        if isinstance(self.actual, BaseException):
            lines.append(f"  raised:   {type(self.actual).__name__}: {self.actual}")
        else:
            lines.append(f"  actual:   {_format_value(self.actual)}")
        lines.append(_wrap(self.message))
        others = [case.description for case in self.failed_cases[1:]]
        if others:
            lines.append(_wrap(f"Also failing: {'; '.join(others)}."))
        lines.append(_wrap(f"Hint: {exercise.hint}"))
        return "\n".join(lines)


def _wrap(text):
    return textwrap.fill(text, width=88, initial_indent="  ", subsequent_indent="  ")


def evaluate(name, function):
    """Check ``function`` against exercise ``name`` and return a :class:`CheckResult`.

    Prints nothing; :func:`check` prints the result.
    """
    exercise = get_exercise(name)
    num_cases = len(exercise.cases)
    if function is None:
        return CheckResult(name, "not attempted", num_cases)
    if not callable(function):
        raise TypeError(
            f"check({name!r}, ...) needs your function itself, got "
            f"{type(function).__name__} {function!r}: pass the name without "
            "calling it, for example check('softmax', softmax)"
        )
    failures = []
    for index, case in enumerate(exercise.cases):
        failure = _run_case(exercise, function, case)
        if failure is None:
            continue
        if failure == "not attempted":
            if index == 0:
                return CheckResult(name, "not attempted", num_cases)
            failure = CheckResult(
                name,
                "failed",
                num_cases,
                case=case,
                expected=_call(exercise.reference, case),
                actual=None,
                message=(
                    "Your function returned None or raised NotImplementedError on "
                    "this case, although it worked on case 1: check that every "
                    "branch ends with a return statement."
                ),
            )
        failure.case_number = index + 1
        failures.append(failure)
    if not failures:
        return CheckResult(name, "passed", num_cases)
    first = failures[0]
    first.failed_cases = [failure.case for failure in failures]
    return first


def check(name, function):
    """Check the learner's ``function`` against exercise ``name`` and print a report.

    Returns nothing, so the report is the cell's only output. :func:`evaluate`
    returns the result as an object.
    """
    print(evaluate(name, function).report())


def hint(name):
    """Print the hint of exercise ``name``."""
    exercise = get_exercise(name)
    print(textwrap.fill(f"Hint for {exercise.signature}: {exercise.hint}", width=88))


def solution(name):
    """Print a correct solution of exercise ``name``."""
    print(get_exercise(name).solution.strip())


def _call(function, case):
    args = copy.deepcopy(case.args)
    return function(*args, **copy.deepcopy(case.kwargs))


def _run_case(exercise, function, case):
    """Return None if ``function`` passes ``case``, "not attempted", or a result."""
    expected = _call(exercise.reference, case)
    args = copy.deepcopy(case.args)
    kwargs = copy.deepcopy(case.kwargs)

    def failed(actual, message, bug=None):
        return CheckResult(
            exercise.name,
            "failed",
            len(exercise.cases),
            case=case,
            expected=expected,
            actual=actual,
            bug=bug,
            message=message,
        )

    try:
        with np.errstate(all="ignore"):
            actual = function(*args, **kwargs)
    except NotImplementedError:
        return "not attempted"
    except Exception as error:  # any error the learner's code raises is reported
        bug = _match_bug(exercise, case, error)
        return failed(error, bug.message if bug else _explain_error(error), bug)
    if actual is None:
        return "not attempted"

    changed = _changed_argument(case.args, args)
    if changed is not None:
        return failed(
            actual,
            f"Your function changed its argument {changed} in place, so the caller's "
            "array is different afterwards: compute a new array instead (for "
            "example np.maximum(0, z) rather than z[z < 0] = 0).",
        )
    problem = _compare(expected, actual)
    if problem is None:
        return None
    bug = _match_bug(exercise, case, actual)
    return failed(actual, bug.message if bug else problem, bug)


def _explain_error(error):
    if isinstance(error, ValueError) and "shapes" in str(error):
        return (
            "The shapes in a product do not fit: print the shape of each array and "
            "check which axes np.dot multiplies together."
        )
    return f"Your function raised {type(error).__name__} on this case."


def _changed_argument(originals, after):
    for position, (original, now) in enumerate(zip(originals, after)):
        if isinstance(original, np.ndarray) and not np.array_equal(
            original, now, equal_nan=original.dtype.kind == "f"
        ):
            return f"number {position + 1}"
    return None


def _compare(expected, actual):
    """Return None if ``actual`` matches ``expected``, else what differs."""
    if isinstance(expected, tuple):
        if not isinstance(actual, (tuple, list)) or len(actual) != len(expected):
            return f"Expected a tuple of {len(expected)} values, got {_kind(actual)}."
        for position, (want, got) in enumerate(zip(expected, actual)):
            problem = _compare(want, got)
            if problem is not None:
                return f"Value number {position + 1} of the tuple is wrong. {problem}"
        return None
    try:
        actual_array = np.asarray(actual, dtype=float)
    except (TypeError, ValueError):
        return f"Expected numbers, got {_kind(actual)}."
    expected_array = np.asarray(expected, dtype=float)
    if actual_array.shape != expected_array.shape:
        return f"Expected shape {expected_array.shape}, got shape {actual_array.shape}."
    if not np.isfinite(actual_array).all() and np.isfinite(expected_array).all():
        return "Your result contains nan or inf where every value should be finite."
    if not np.allclose(actual_array, expected_array, rtol=RTOL, atol=ATOL):
        return "The values differ."
    return None


def _match_bug(exercise, case, actual):
    """Return the first bug whose result (or raised error) on ``case`` is ``actual``."""
    for bug in exercise.bugs:
        try:
            with np.errstate(all="ignore"):
                wrong = _call(bug.wrong_function, case)
        except Exception as error:  # the bug may raise just as the learner's code
            wrong = error
        if _same(wrong, actual):
            return bug
    return None


def _same(first, second):
    if isinstance(first, BaseException) or isinstance(second, BaseException):
        return type(first) is type(second) and str(first) == str(second)
    if isinstance(first, tuple):
        return (
            isinstance(second, (tuple, list))
            and len(first) == len(second)
            and all(_same(a, b) for a, b in zip(first, second))
        )
    try:
        first = np.asarray(first, dtype=float)
        second = np.asarray(second, dtype=float)
    except (TypeError, ValueError):
        return False
    return first.shape == second.shape and np.allclose(
        first, second, rtol=RTOL, atol=ATOL, equal_nan=True
    )


def _kind(value):
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return f"{type(value).__name__} {value!r}"


def _format_value(value):
    if isinstance(value, tuple):
        return "(" + ", ".join(_format_value(item) for item in value) + ")"
    if isinstance(value, (np.ndarray, list)):
        array = np.asarray(value)
        if array.dtype.kind in "biuf":
            return np.array2string(
                array, precision=4, suppress_small=True, separator=", "
            ).replace("\n", "\n            ")
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    return repr(value)


def _format_call(exercise, case):
    function_name = exercise.signature.split("(")[0]
    parts = [_format_argument(argument) for argument in case.args]
    parts += [f"{key}={_format_argument(value)}" for key, value in case.kwargs.items()]
    return f"{function_name}({', '.join(parts)})"


def _format_argument(value):
    if isinstance(value, np.ndarray):
        if value.size > 12:
            return f"<array of shape {value.shape}, dtype {value.dtype}>"
        text = np.array2string(value, precision=4, separator=", ")
        text = " ".join(text.split())
        if value.dtype not in (np.float64, np.int64):
            text = f"np.array({text}, dtype=np.{value.dtype})"
        return text
    return repr(value)


# The course's exercises register themselves on import.
from . import exercise_library  # noqa: E402, F401
