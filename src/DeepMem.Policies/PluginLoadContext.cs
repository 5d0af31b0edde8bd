using System.Reflection;
using System.Runtime.Loader;

namespace DeepMem.Policies;

/// <summary>
/// Load context for one plug-in assembly: its own dependencies resolve next
/// to it, while DeepMem.Core is shared with the host so that the policy
/// interface is the same type on both sides.
/// </summary>
public sealed class PluginLoadContext : AssemblyLoadContext
{
    private static readonly HashSet<string> Shared = ["DeepMem.Core"];
    private readonly AssemblyDependencyResolver _resolver;

    /// <summary>Creates a collectible context for the plug-in at <paramref name="assemblyPath"/>.</summary>
    public PluginLoadContext(string assemblyPath)
        : base(name: "deepmem-plugin:" + Path.GetFileNameWithoutExtension(assemblyPath), isCollectible: false)
    {
        _resolver = new AssemblyDependencyResolver(assemblyPath);
    }

    /// <inheritdoc />
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is not null && Shared.Contains(assemblyName.Name))
        {
            return null;
        }

        var path = _resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    /// <inheritdoc />
    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
