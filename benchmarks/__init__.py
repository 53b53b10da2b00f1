"""Speed and memory benchmarks of scribble; ``make bench`` runs them."""
