"""``python -m benchmarks``: measure, then rewrite benchmarks/README.md.

``--report-only`` rebuilds the README from the saved results.json without measuring.
"""

import argparse
import json
from pathlib import Path

from . import report, run

HERE = Path(__file__).resolve().parent


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=run.FASHION_MNIST_DIR,
        help="folder with the four gzipped IDX files (default: %(default)s, from "
        "Debian's dataset-fashion-mnist)",
    )
    parser.add_argument(
        "--repeats", type=int, default=5, help="timed runs per figure (default: 5)"
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="tiny sizes on the bundled MNIST sample, for the test suite",
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=HERE,
        help="where README.md and results.json go (default: benchmarks/)",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="rebuild README.md from the results.json in --output-dir",
    )
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"--repeats must be >= 1, got {args.repeats}")

    results_path = args.output_dir / "results.json"
    readme_path = args.output_dir / "README.md"
    if args.report_only:
        results = json.loads(results_path.read_text())
    else:
        if args.smoke:
            settings = run.Settings.smoke()
        else:
            settings = run.Settings.full(args.data_dir, repeats=args.repeats)
        results = run.run(settings, progress=lambda message: print(message, flush=True))
        args.output_dir.mkdir(parents=True, exist_ok=True)
        run.save(results, results_path)
    old_text = readme_path.read_text() if readme_path.exists() else None
    run.write_text_atomically(readme_path, report.render(results, old_text))
    print(f"wrote {readme_path}")


if __name__ == "__main__":
    main()
