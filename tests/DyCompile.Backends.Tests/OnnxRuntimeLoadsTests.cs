using Microsoft.ML.OnnxRuntime;

namespace DyCompile.Backends.Tests;

public class OnnxRuntimeLoadsTests
{
    [Fact]
    public void NativeRuntimeLoadsAndListsCpuProvider() =>
        Assert.Contains("CPUExecutionProvider", OrtEnv.Instance().GetAvailableProviders());
}
