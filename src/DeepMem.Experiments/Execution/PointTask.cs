namespace DeepMem.Experiments.Execution;

/// <summary>One point to run, and the deepmem arguments that run it alone on another machine.</summary>
/// <param name="Point">The experiment point.</param>
/// <param name="Arguments">
/// Arguments of <c>deepmem</c> that run exactly this point locally and store
/// its result (for example <c>run exp.yaml --point policy=hemem --executor local</c>);
/// what a cluster task executes.
/// </param>
public sealed record PointTask(Experiment Point, IReadOnlyList<string> Arguments);
