using System.Globalization;
using DeepMem.Core;
using DeepMem.Experiments.Execution;
using YamlDotNet.RepresentationModel;

namespace DeepMem.Experiments.Loading;

/// <summary>The <c>executor:</c> section: where the points run (local jobs, or Slurm and its settings).</summary>
internal static class ExecutorReader
{
    /// <summary>The executor: local, one job, where the file says nothing.</summary>
    public static ExecutorSpec Read(YamlMap root)
    {
        var spec = new ExecutorSpec();
        var map = root.Map("executor");
        if (map is null)
        {
            return spec;
        }

        TimeSpan? Span(string key, double minSeconds) =>
            map.DurationNs(key, null, minNs: minSeconds * 1e9, rule: $" of at least {minSeconds}s") is { } ns ? TimeSpan.FromTicks((long)(ns / 100)) : null;

        var kind = map.Choice("kind", ExecutorSpec.Kinds) ?? "local";
        var jobs = Whole(map, "jobs", 1, 1);
        var slurm = spec.Slurm with
        {
            Partition = map.Scalar("partition", expected: "a partition name"),
            Account = map.Scalar("account", expected: "an account name"),
            TimeLimit = Span("time", 1),
            CpusPerTask = Whole(map, "cpus_per_task", spec.Slurm.CpusPerTask, 1),
            Retries = Whole(map, "retries", 0, 0),
            Requeue = map.Flag("requeue") == true,
            PollInterval = Span("poll", 0.1) ?? spec.Slurm.PollInterval,
            ExtraLines = Strings(map, "sbatch", "an sbatch option such as --qos=short"),
            DeepMemCommand = Strings(map, "command", "a word of the command that starts deepmem on a node"),
        };
        if (map.Scalar("memory", expected: "a size such as 4GiB") is { } memory)
        {
            if (Units.TryParseSize(memory, out var bytes) && bytes >= 1 << 20)
            {
                slurm = slurm with { MemoryMiB = bytes >> 20 };
            }
            else
            {
                map.Sink.Error(map.Get("memory")!, map.Sub("memory"), memory, $"'{memory}' is not a size of at least 1MiB such as 4GiB");
            }
        }

        map.RejectUnknown();
        return new ExecutorSpec { Kind = kind, Jobs = jobs, JobsFromFile = map.Get("jobs") is not null, Slurm = slurm };
    }

    private static int Whole(YamlMap map, string key, int fallback, int min)
    {
        var text = map.Scalar(key, expected: $"a whole number, at least {min}");
        if (text is null)
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min)
        {
            return n;
        }

        map.Sink.Error(map.Get(key)!, map.Sub(key), text, $"'{text}' is not a whole number of at least {min}");
        return fallback;
    }

    private static List<string> Strings(YamlMap map, string key, string what)
    {
        var seq = map.Seq(key);
        if (seq is null)
        {
            return [];
        }

        var items = new List<string>();
        foreach (var item in seq.Children)
        {
            if (item is YamlScalarNode { Value: { Length: > 0 } v })
            {
                items.Add(v);
            }
            else
            {
                map.Sink.Error(item, map.Sub(key), YamlMap.Describe(item), $"expected {what}");
            }
        }

        return items;
    }
}
