"""The DQN example's learning curve as a PNG, drawn with matplotlib
(Debian: python3-matplotlib; an optional dependency like torch)."""

from __future__ import annotations


def learning_curve(path: str, curve: dict[str, list[float]],
                   first_touch: dict[str, float]) -> None:
    """One line per experiment: its speed-up over first-touch (first-touch
    simulated time / the episode's) per training episode of that
    experiment, so that workloads of different lengths share one axis;
    1.0 (dashed) is first-touch."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5), dpi=100)
    try:
        for name, values in curve.items():
            base = first_touch[name]
            ax.plot(range(1, len(values) + 1),
                    [base / v if v > 0 else float("nan") for v in values],
                    label=f"{name} (first-touch {base:.2f} ms)")
        ax.axhline(1.0, color="black", linestyle="--", linewidth=0.8)
        ax.set_xlabel("training episode of the experiment")
        ax.set_ylabel("speed-up over first-touch (simulated time)")
        ax.set_title("DQN training on the estimator")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small")
        fig.tight_layout()
        fig.savefig(path)
    finally:
        plt.close(fig)
