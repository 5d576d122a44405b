using System.Runtime.CompilerServices;

namespace DyCompile.Compiler.Tests;

/// <summary>IR text goldens under Goldens/, compared as strings. Set DYCOMPILE_UPDATE_GOLDENS=1 to
/// rewrite them from the current output (then review the diff).</summary>
public static class Golden
{
    public static void Match(string name, string actual, [CallerFilePath] string caller = "")
    {
        var path = Path.Combine(Path.GetDirectoryName(caller)!, "Goldens", name + ".ir");
        actual = actual.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (Environment.GetEnvironmentVariable("DYCOMPILE_UPDATE_GOLDENS") == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"golden {name}.ir is missing; run with DYCOMPILE_UPDATE_GOLDENS=1 and review it");
        Assert.Equal(File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal), actual);
    }
}
