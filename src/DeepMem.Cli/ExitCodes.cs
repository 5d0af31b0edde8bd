namespace DeepMem.Cli;

/// <summary>Exit codes of the deepmem command.</summary>
public static class ExitCodes
{
    /// <summary>Everything went well.</summary>
    public const int Ok = 0;

    /// <summary>An experiment ran and failed (or a backend is unavailable).</summary>
    public const int Failed = 1;

    /// <summary>Bad input: a bad file, option or argument.</summary>
    public const int BadInput = 2;

    /// <summary>Cancelled by the user (Ctrl-C).</summary>
    public const int Cancelled = 130;
}
