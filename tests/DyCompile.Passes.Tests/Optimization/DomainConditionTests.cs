using DyCompile.IR;
using DyCompile.Passes.Optimization;

namespace DyCompile.Passes.Tests.Optimization;

/// <summary>exp/log pairs cancel only where their domain conditions are known to hold.</summary>
public sealed class DomainConditionTests
{
    private static string[] Optimized(Func<GraphBuilder, Value, Value> body)
    {
        var g = new GraphBuilder("g");
        var x = g.Input("x", IRType.F32(5));
        return [.. GraphOptimizer.Optimize(g.Build(body(g, x))).Graph.Nodes.Select(n => n.Op)];
    }

    [Fact]
    public void Exp_of_log_cancels_only_for_values_known_non_negative()
    {
        Assert.Equal(["exp", "log"], Optimized((g, x) => g.Exp(g.Op("log", x))).Order(StringComparer.Ordinal));
        Assert.Equal(["add", "relu", "sigmoid"], Optimized((g, x) => g.Exp(g.Op("log", g.Add(g.Relu(x), g.Sigmoid(x))))).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Log_of_exp_cancels_only_for_values_known_bounded()
    {
        Assert.Equal(["exp", "log"], Optimized((g, x) => g.Op("log", g.Exp(x))).Order(StringComparer.Ordinal));
        Assert.Equal(["tanh"], Optimized((g, x) => g.Op("log", g.Exp(g.Tanh(x)))));
        Assert.Equal(["clamp"], Optimized((g, x) => g.Op("log", g.Exp(g.Op("clamp", [x], new Attrs { { "min", -10f }, { "max", 10f } })))));
        Assert.Equal(["clamp", "exp", "log"], Optimized((g, x) => g.Op("log", g.Exp(g.Op("clamp", [x], new Attrs { { "min", -10f }, { "max", 200f } })))).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Log_of_softmax_becomes_log_softmax()
    {
        Assert.Equal(["log_softmax"], Optimized((g, x) => g.Op("log", g.Softmax(x, 0))));
    }
}
