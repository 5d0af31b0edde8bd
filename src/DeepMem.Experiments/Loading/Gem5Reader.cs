using DeepMem.Bridge;

namespace DeepMem.Experiments.Loading;

/// <summary>The <c>gem5:</c> section: the binary and config script, the bridge's deadlines, fallback, bind address and token.</summary>
internal static class Gem5Reader
{
    /// <summary>The gem5 settings: the defaults (config and Python path from the repository) where the file says nothing.</summary>
    public static Gem5Options Read(YamlMap root, string baseDir)
    {
        var repo = RepoLocator.FindRoot(baseDir);
        var options = new Gem5Options
        {
            ConfigScript = Path.Combine(repo ?? baseDir, "configs", "gem5", "deepmem_se.py"),
            PythonPath = Path.Combine(repo ?? baseDir, "gem5-patches", "python"),
        };
        var map = root.Map("gem5");
        if (map is null)
        {
            return options;
        }

        TimeSpan Span(string key, TimeSpan fallback) =>
            map.DurationNs(key, null, minNs: double.Epsilon, rule: ", greater than zero") is { } ns ? TimeSpan.FromTicks((long)(ns / 100)) : fallback;

        var binary = map.Scalar("binary", expected: "the path of a patched gem5.opt");
        var config = map.Scalar("config", expected: "the gem5 config script");
        var fallbackText = map.Choice("fallback", ["default", "stop"]);
        var bind = map.Scalar("bind", expected: "an IP address") ?? options.Bind;
        var token = map.Scalar("token", expected: "a shared secret");
        if (bind != "127.0.0.1" && bind != "::1" && bind != "localhost" && string.IsNullOrEmpty(token))
        {
            map.Sink.Error(map.Get("bind")!, map.Sub("bind"), bind, $"binding to '{bind}' (not loopback) needs 'token' too");
        }

        options = options with
        {
            Binary = binary is null ? null : Path.GetFullPath(binary, baseDir),
            ConfigScript = config is null ? options.ConfigScript : Path.GetFullPath(config, baseDir),
            ReplyDeadline = Span("reply_deadline", options.ReplyDeadline),
            EventDeadline = Span("event_deadline", options.EventDeadline),
            RunTimeout = Span("run_timeout", options.RunTimeout),
            Fallback = fallbackText == "stop" ? FallbackMode.Stop : FallbackMode.Default,
            Bind = bind,
            Token = token,
        };
        map.RejectUnknown();
        return options;
    }
}
