namespace DeepMem.Tests.Execution;

/// <summary>
/// A test against the real one-node Slurm cluster that tests/slurm/cluster.sh
/// starts (CI does, and sets DEEPMEM_SLURM=1); skipped with the reason otherwise.
/// </summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    public SlurmFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("DEEPMEM_SLURM") != "1")
        {
            Skip = "DEEPMEM_SLURM is not 1: start the test cluster with 'tests/slurm/cluster.sh start' (root, slurm-wlm + munge) and set DEEPMEM_SLURM=1";
        }
    }
}
