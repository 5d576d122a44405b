using DyCompile.IR;
using DyCompile.Passes.Hashing;

namespace DyCompile.Passes.Tests.Hashing;

/// <summary>The cache reuses artefacts across equal functions, and only after confirming on a second input set.</summary>
public sealed class FunctionalCacheTests
{
    private static Graph Unary(string name, Func<GraphBuilder, Value, Value> body)
    {
        var g = new GraphBuilder(name);
        var x = g.Input("x", IRType.F32(4, 4));
        return g.Build(body(g, x));
    }

    [Fact]
    public void An_equal_function_reuses_the_artefact()
    {
        var cache = new FunctionalCache<string>();
        var compiled = 0;
        string Compile(Graph graph) => $"artefact {++compiled} for @{graph.Name}";

        var first = cache.GetOrAdd(Unary("first", (g, x) => g.Relu(g.Relu(x))), Compile);
        var second = cache.GetOrAdd(Unary("second", (g, x) => g.Relu(x)), Compile);

        Assert.Equal("artefact 1 for @first", first);
        Assert.Equal(first, second);
        Assert.Equal(1, compiled);
        Assert.Equal((1, 1, 0), (cache.Hits, cache.Misses, cache.Rejected));
    }

    [Fact]
    public void A_different_function_is_a_miss()
    {
        var cache = new FunctionalCache<int>();
        cache.Add(Unary("relu", (g, x) => g.Relu(x)), 1);
        Assert.False(cache.TryGet(Unary("tanh", (g, x) => g.Tanh(x)), out _));
        Assert.Equal((0, 1, 0), (cache.Hits, cache.Misses, cache.Rejected));
    }

    [Fact]
    public void A_hash_hit_is_confirmed_on_a_second_input_set_before_reuse()
    {
        // clamp(x, −100, 100) equals x on the hashing inputs (all in [−2, 2]) — the hashes collide —
        // but not on the wider confirmation set, so the cached artefact must not be reused.
        Graph identity = Unary("identity", (g, x) => g.Relu(x));
        Graph clamped = Unary("clamped", (g, x) => g.Relu(g.Op("clamp", [x], new Attrs { { "min", -100f }, { "max", 100f } })));
        var cache = new FunctionalCache<string>();
        Assert.Equal(cache.Hasher.Hash(identity), cache.Hasher.Hash(clamped));

        cache.Add(identity, "compiled identity");
        Assert.False(cache.TryGet(clamped, out _));
        Assert.Equal((0, 1, 1), (cache.Hits, cache.Misses, cache.Rejected));

        var made = cache.GetOrAdd(clamped, _ => "compiled clamp");
        Assert.Equal("compiled clamp", made);
        Assert.Equal(2, cache.Count);
        Assert.True(cache.TryGet(Unary("clamped again", (g, x) => g.Relu(g.Op("clamp", [x], new Attrs { { "min", -100f }, { "max", 100f } }))), out var again));
        Assert.Equal("compiled clamp", again);
    }

    [Fact]
    public void Graphs_with_other_input_types_never_share_an_artefact()
    {
        var g = new GraphBuilder("other");
        var x = g.Input("x", IRType.F32(16));
        var flat = g.Build(g.Reshape(g.Relu(x), 4, 4));
        var cache = new FunctionalCache<int>();
        cache.Add(Unary("square", (b, v) => b.Relu(v)), 1);
        Assert.False(cache.TryGet(flat, out _));
    }
}
