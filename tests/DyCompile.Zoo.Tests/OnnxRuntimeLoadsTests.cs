using Microsoft.ML.OnnxRuntime;

namespace DyCompile.Zoo.Tests;

public class OnnxRuntimeLoadsTests
{
    [Fact]
    public void NativeRuntimeLoadsAndListsCpuProvider() =>
        Assert.Contains("CPUExecutionProvider", OrtEnv.Instance().GetAvailableProviders());
}
