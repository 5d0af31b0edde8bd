using System.CommandLine;
using DeepMem.Experiments;

namespace DeepMem.Cli;

/// <summary>Options and arguments that several verbs share: each is defined once here.</summary>
public static class SharedOptions
{
    /// <summary>One or more experiment files.</summary>
    public static Argument<FileInfo[]> ExperimentFiles() => new("experiments")
    {
        Description = "experiment YAML file(s)",
        Arity = ArgumentArity.OneOrMore,
    };

    /// <summary>One experiment file.</summary>
    public static Argument<FileInfo> ExperimentFile() => new("experiment")
    {
        Description = "experiment YAML file",
    };

    /// <summary>Override the backend of the file.</summary>
    public static Option<string?> Backend()
    {
        var option = new Option<string?>("--backend", "-b")
        {
            Description = $"backend to run on, overriding the file: {string.Join(" or ", Backends.Names)}",
        };
        option.AcceptOnlyFromAmong([.. Backends.Names]);
        return option;
    }

    /// <summary>Override the results folder of the file.</summary>
    public static Option<DirectoryInfo?> Output() => new("--output", "-o")
    {
        Description = "results folder, overriding the file's 'output'",
    };

    /// <summary>Override the report's baseline policy.</summary>
    public static Option<string?> Baseline() => new("--baseline")
    {
        Description = "policy the report's speed-up column compares with, overriding the file's 'report.baseline' (default first-touch)",
    };
}
