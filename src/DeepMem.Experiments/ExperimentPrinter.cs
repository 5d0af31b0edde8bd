using System.Globalization;
using DeepMem.Core;

namespace DeepMem.Experiments;

/// <summary>Prints resolved experiments (every default filled in) in a YAML-like form.</summary>
public static class ExperimentPrinter
{
    /// <summary>Prints each point.</summary>
    public static void Print(IReadOnlyList<Experiment> experiments, TextWriter w)
    {
        var inv = CultureInfo.InvariantCulture;
        foreach (var e in experiments)
        {
            w.WriteLine($"# {e.Name} / {e.PointId}");
            w.WriteLine($"name: {e.Name}");
            w.WriteLine($"backend: {e.Backend}");
            w.WriteLine("memory:");
            foreach (var n in e.Spec.Nodes)
            {
                w.WriteLine(string.Create(inv,
                    $"  - {{ name: {n.Name}, preset: {n.Preset}, kind: {n.Kind.ToString().ToLowerInvariant()}, capacity: {Units.FormatSize(n.CapacityBytes)}, read_latency: {n.ReadLatencyNs}ns, write_latency: {n.WriteLatencyNs}ns, bandwidth: {n.BandwidthGBps}GB/s, extra_latency: {n.ExtraLatencyNs}ns }}"));
            }

            var c = e.Spec.Cpu;
            w.WriteLine(string.Create(inv, $"cpu: {{ model: {c.Model}, frequency: {c.FrequencyHz / 1e9}GHz, l1d: {Units.FormatSize(c.L1DBytes)}, l1i: {Units.FormatSize(c.L1IBytes)}, l2: {Units.FormatSize(c.L2Bytes)}, cores: {c.Cores} }}"));
            w.WriteLine($"workload: {{ binary: {e.Spec.Workload.Binary}, args: [{string.Join(", ", e.Spec.Workload.Args)}], working_dir: {e.Spec.Workload.WorkingDir} }}");
            w.WriteLine($"policy: {{ {(e.Policy.Name is not null ? "name: " + e.Policy.Name : $"assembly: {e.Policy.Assembly}, type: {e.Policy.Type}")}, options: {{ {string.Join(", ", e.Policy.Options.Select(kv => $"{kv.Key}: {kv.Value}"))} }} }}");
            w.WriteLine($"epoch: {e.Spec.Epoch}{(e.Spec.Epoch.IsTime ? "" : " instructions")}");
            w.WriteLine(string.Create(inv, $"migration: {{ page_cost: {e.Spec.Migration.PerPageNs}ns }}"));
            w.WriteLine($"output: {e.Spec.OutputDir}");
            w.WriteLine(Backends.Get(e.Backend).Describe(e));
            w.WriteLine();
        }
    }
}
