namespace DeepMem.Tests.Gem5;

/// <summary>A test that needs patched gem5: skipped, with the reason, unless DEEPMEM_GEM5 names it.</summary>
public sealed class Gem5FactAttribute : FactAttribute
{
    public Gem5FactAttribute()
    {
        var gem5 = Environment.GetEnvironmentVariable("DEEPMEM_GEM5");
        if (string.IsNullOrEmpty(gem5))
        {
            Skip = "DEEPMEM_GEM5 is not set: set it to a gem5.opt built with gem5-patches to run the gem5 end-to-end tests";
        }
        else if (!File.Exists(gem5))
        {
            Skip = $"DEEPMEM_GEM5 names '{gem5}', which does not exist";
        }
    }
}
