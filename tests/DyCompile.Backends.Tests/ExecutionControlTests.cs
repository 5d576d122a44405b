using DyCompile.Backends.Host;
using DyCompile.Runtime.Compiled;

namespace DyCompile.Backends.Tests;

/// <summary>The stop conditions the generated dispatcher checks at every loop head.</summary>
public class ExecutionControlTests
{
    private static readonly ExecutionControl Control = new(["head", "inner"], ["model.cs(12)", null]);

    [Fact]
    public void TheLimitAllowsExactlyThatManyLoopHeadEntriesPerCall()
    {
        var control = new ExecutionControl(["head"], [null]);
        control.Start(default, 3);
        for (var i = 0; i < 3; i++) control.Tick(0);
        var stopped = Assert.Throws<LoopStoppedException>(() => control.Tick(0));
        Assert.Equal(LoopStopReason.IterationLimit, stopped.Reason);
        Assert.Equal(4, stopped.Iterations);
        // The next call starts from zero.
        control.Start(default, 3);
        for (var i = 0; i < 3; i++) control.Tick(0);
    }

    [Fact]
    public void ACancelledTokenStopsAtTheNextLoopHeadAndNamesIt()
    {
        using var cancel = new CancellationTokenSource();
        var control = new ExecutionControl(["head", "inner"], ["model.cs(12)", null]);
        control.Start(cancel.Token, null);
        control.Tick(1);
        cancel.Cancel();
        var stopped = Assert.Throws<LoopStoppedException>(() => control.Tick(0));
        Assert.Equal(LoopStopReason.Cancelled, stopped.Reason);
        Assert.Equal("head", stopped.Loop);
        Assert.Equal("model.cs(12)", stopped.SourceLocation);
        Assert.Equal(cancel.Token, stopped.CancellationToken);
        Assert.Contains("model.cs(12)", stopped.Message);
        Assert.IsAssignableFrom<OperationCanceledException>(stopped);
        Assert.Null(Assert.Throws<LoopStoppedException>(() => control.Tick(1)).SourceLocation);
    }

    [Fact]
    public void ANegativeLimitIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Control.Start(default, -1));
    }
}
