using System.Runtime.CompilerServices;
using DyCompile.Passes.Optimization;

namespace DyCompile.Passes.Tests;

internal static class TestSetup
{
    /// <summary>Tests run the optimizer with its self-check on, whatever the build configuration.</summary>
    [ModuleInitializer]
    internal static void EnableOptimizerSelfCheck() => OptimizerOptions.SelfCheckByDefault = true;
}
