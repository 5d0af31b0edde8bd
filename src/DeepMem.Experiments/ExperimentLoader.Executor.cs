using DeepMem.Core;
using DeepMem.Experiments.Execution;

namespace DeepMem.Experiments;

public static partial class ExperimentLoader
{
    /// <summary>Keys of the <c>executor:</c> section.</summary>
    public static readonly string[] ExecutorKeys =
        ["kind", "jobs", "partition", "account", "time", "memory", "cpus_per_task", "retries", "requeue", "poll", "sbatch", "command"];

    private static ExecutorSpec ReadExecutor(YamlMap root, ProblemSink sink)
    {
        var spec = new ExecutorSpec();
        var map = root.Map("executor");
        if (map is null)
        {
            return spec;
        }

        int Whole(string key, int fallback, int min)
        {
            var text = map.Scalar(key, expected: $"a whole number, at least {min}");
            if (text is null)
            {
                return fallback;
            }

            if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= min)
            {
                return n;
            }

            sink.Error(map.Get(key)!, map.Sub(key), text, $"'{text}' is not a whole number of at least {min}");
            return fallback;
        }

        TimeSpan? Span(string key, double minSeconds)
        {
            var text = map.Scalar(key, expected: Units.DurationHelp);
            if (text is null)
            {
                return null;
            }

            if (Units.TryParseDurationNs(text, out var ns) && ns >= minSeconds * 1e9)
            {
                return TimeSpan.FromTicks((long)(ns / 100));
            }

            sink.Error(map.Get(key)!, map.Sub(key), text, $"'{text}' is not {Units.DurationHelp} of at least {minSeconds}s");
            return null;
        }

        List<string> Strings(string key, string what)
        {
            var seq = map.Seq(key);
            if (seq is null)
            {
                return [];
            }

            var items = new List<string>();
            foreach (var item in seq.Children)
            {
                if (item is YamlDotNet.RepresentationModel.YamlScalarNode { Value: { Length: > 0 } v })
                {
                    items.Add(v);
                }
                else
                {
                    sink.Error(item, map.Sub(key), YamlMap.Describe(item), $"expected {what}");
                }
            }

            return items;
        }

        var kind = Choice(map, "kind", ExecutorSpec.Kinds, sink) ?? "local";
        var slurm = spec.Slurm with
        {
            Partition = map.Scalar("partition", expected: "a partition name"),
            Account = map.Scalar("account", expected: "an account name"),
            TimeLimit = Span("time", 1),
            CpusPerTask = Whole("cpus_per_task", spec.Slurm.CpusPerTask, 1),
            Retries = Whole("retries", 0, 0),
            Requeue = Choice(map, "requeue", ["true", "false"], sink) == "true",
            PollInterval = Span("poll", 0.1) ?? spec.Slurm.PollInterval,
            ExtraLines = Strings("sbatch", "an sbatch option such as --qos=short"),
            DeepMemCommand = Strings("command", "a word of the command that starts deepmem on a node"),
        };
        if (map.Scalar("memory", expected: "a size such as 4GiB") is { } memory)
        {
            if (Units.TryParseSize(memory, out var bytes) && bytes >= 1 << 20)
            {
                slurm = slurm with { MemoryMiB = bytes >> 20 };
            }
            else
            {
                sink.Error(map.Get("memory")!, map.Sub("memory"), memory, $"'{memory}' is not a size of at least 1MiB such as 4GiB");
            }
        }

        map.RejectUnknown(ExecutorKeys);
        return new ExecutorSpec { Kind = kind, Jobs = Whole("jobs", 1, 1), Slurm = slurm };
    }
}
