using System.CommandLine;
using DeepMem.Experiments;

namespace DeepMem.Cli.Commands;

/// <summary>
/// <c>deepmem traces &lt;folder&gt;</c>: what a folder of window traces holds,
/// and, where it has a calibration run, how well the window formulas that do
/// not fit themselves to that run predict it (a held-out mixed placement,
/// checked without running gem5).
/// </summary>
public static class TracesCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var folders = new Argument<DirectoryInfo[]>("folders") { Description = "folders of window traces (deepmem trace's output)", Arity = ArgumentArity.OneOrMore };
        var command = new Command("traces", "describe trace folders; with a calibration run, predict it from the single-device traces with the linear and loaded-latency formulas")
        {
            folders,
        };
        command.SetAction(parse => Execute(parse.GetValue(folders)!, Console.Out, Console.Error));
        return command;
    }

    /// <summary>Describes each folder; returns the exit code.</summary>
    public static int Execute(IReadOnlyList<DirectoryInfo> folders, TextWriter stdout, TextWriter stderr) =>
        TraceFolders.Describe(folders, stdout, stderr) ? ExitCodes.Ok : ExitCodes.BadInput;
}
