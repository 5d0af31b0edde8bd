using DeepMem.Core;
using YamlDotNet.RepresentationModel;

namespace DeepMem.Experiments.Loading;

/// <summary>The <c>workload:</c> section: the binary, its arguments and working folder (relative to the file's folder).</summary>
internal static class WorkloadReader
{
    /// <summary>The workload, or null when the section or its binary is missing (reported).</summary>
    public static WorkloadSpec? Read(YamlMap root, string baseDir)
    {
        var map = root.Map("workload", required: true);
        if (map is null)
        {
            return null;
        }

        var binary = map.Scalar("binary", required: true, expected: "the path of a static x86-64 binary");
        var args = new List<string>();
        if (map.Seq("args") is { } seq)
        {
            for (var i = 0; i < seq.Children.Count; i++)
            {
                if (seq.Children[i] is YamlScalarNode { Value: not null } s)
                {
                    args.Add(s.Value);
                }
                else
                {
                    map.Sink.Error(seq.Children[i], $"{map.Sub("args")}[{i}]", null, $"expected a plain argument, got {YamlMap.Describe(seq.Children[i])}");
                }
            }
        }

        var workDir = map.Scalar("working_dir", expected: "a folder");
        map.RejectUnknown();
        return binary is null ? null : new WorkloadSpec(Path.GetFullPath(binary, baseDir), args, Path.GetFullPath(workDir ?? ".", baseDir));
    }
}
