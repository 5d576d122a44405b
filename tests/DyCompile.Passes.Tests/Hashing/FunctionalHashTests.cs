using DyCompile.IR;
using DyCompile.Passes.Hashing;
using DyCompile.Passes.Optimization;
using DyCompile.Runtime;

namespace DyCompile.Passes.Tests.Hashing;

/// <summary>Functional hashes identify functions, not spellings; structural hashes identify spellings.</summary>
public sealed class FunctionalHashTests
{
    private static readonly FunctionalHasher Hasher = new();

    private static Graph Build(string name, Func<GraphBuilder, Value, Value, Value> body, int[]? shape = null)
    {
        var g = new GraphBuilder(name);
        shape ??= [3, 4];
        Value x = g.Input("x", IRType.F32(shape)), y = g.Input("y", IRType.F32(shape));
        return g.Build(body(g, x, y));
    }

    public static TheoryData<string> EqualPairs => ["commuted add", "double relu", "reassociated matmuls", "transposed product", "exp of log_softmax"];

    private static (Graph, Graph) Pair(string which) => which switch
    {
        "commuted add" => (Build("a", (g, x, y) => g.Add(x, y)), Build("b", (g, x, y) => g.Add(y, x))),
        "double relu" => (Build("a", (g, x, y) => g.Relu(g.Relu(g.Mul(x, y)))), Build("b", (g, x, y) => g.Relu(g.Mul(y, x)))),
        "reassociated matmuls" => (Build("a", (g, x, y) => g.MatMul(g.MatMul(x, y), x), [4, 4]), Build("b", (g, x, y) => g.MatMul(x, g.MatMul(y, x)), [4, 4])),
        "transposed product" => (
            Build("a", (g, x, y) => g.Op("transpose", [g.MatMul(x, y)], new Attrs { { "dim0", 0 }, { "dim1", 1 } }), [4, 4]),
            Build("b", (g, x, y) => g.MatMul(T(g, y), T(g, x)), [4, 4])),
        _ => (Build("a", (g, x, y) => g.Exp(g.Op("log_softmax", [g.Add(x, y)], new Attrs { { "dim", 1 } }))), Build("b", (g, x, y) => g.Softmax(g.Add(x, y), -1))),
    };

    private static Value T(GraphBuilder g, Value v) => g.Op("transpose", [v], new Attrs { { "dim0", 1 }, { "dim1", 0 } });

    [Theory]
    [MemberData(nameof(EqualPairs))]
    public void Equal_functions_written_differently_hash_equal(string which)
    {
        var (a, b) = Pair(which);
        Assert.NotEqual(StructuralHasher.Hash(a), StructuralHasher.Hash(b));
        Assert.Equal(Hasher.Hash(a), Hasher.Hash(b));
    }

    [Fact]
    public void An_optimized_graph_hashes_like_its_original()
    {
        var g = new GraphBuilder("chain");
        Value a = g.Input("a", IRType.F32(2, 16)), b = g.Input("b", IRType.F32(16, 2)), c = g.Input("c", IRType.F32(2, 16));
        var graph = g.Build(g.Relu(g.MatMul(a, g.MatMul(b, c))));
        var optimized = GraphOptimizer.Optimize(graph).Graph;
        Assert.NotEqual(StructuralHasher.Hash(graph), StructuralHasher.Hash(optimized));
        Assert.Equal(Hasher.Hash(graph), Hasher.Hash(optimized));
    }

    [Theory]
    [InlineData("relu", "abs")]
    [InlineData("add", "sub")]
    [InlineData("add", "mul")]
    [InlineData("matmul", "matmul-swapped")]
    [InlineData("sigmoid", "tanh")]
    public void Different_functions_hash_differently(string first, string second)
    {
        Graph Make(string op) => op switch
        {
            "relu" or "abs" or "sigmoid" or "tanh" => Build(op, (g, x, y) => g.Op(op, g.Sub(x, y)), [4, 4]),
            "matmul" => Build(op, (g, x, y) => g.MatMul(x, y), [4, 4]),
            "matmul-swapped" => Build(op, (g, x, y) => g.MatMul(y, x), [4, 4]),
            _ => Build(op, (g, x, y) => g.Op(op, x, y), [4, 4]),
        };
        Assert.NotEqual(Hasher.Hash(Make(first)), Hasher.Hash(Make(second)));
    }

    [Fact]
    public void The_hash_depends_on_the_signature_and_the_seed()
    {
        var small = Build("a", (g, x, y) => g.Add(x, y), [2, 2]);
        var large = Build("a", (g, x, y) => g.Add(x, y), [2, 3]);
        Assert.NotEqual(Hasher.Hash(small), Hasher.Hash(large));
        Assert.Equal(new FunctionalHasher(1).Hash(small), new FunctionalHasher(1).Hash(small));
        Assert.NotEqual(new FunctionalHasher(1).Hash(small), new FunctionalHasher(2).Hash(small));
    }

    [Fact]
    public void Structural_hashes_ignore_value_names_only()
    {
        Graph Named(string x, string y, string r)
        {
            var g = new GraphBuilder("g");
            Value a = g.Input(x, IRType.F32(2)), b = g.Input(y, IRType.F32(2));
            return g.Build(g.Op("add", [a, b], null, r));
        }
        Assert.Equal(StructuralHasher.Hash(Named("x", "y", "r")), StructuralHasher.Hash(Named("p", "q", "s")));
        Assert.NotEqual(StructuralHasher.Hash(Named("x", "y", "r")), StructuralHasher.Hash(Build("g", (g, x, y) => g.Sub(x, y), [2])));
    }

    [Fact]
    public void Quantization_absorbs_rounding_noise_but_not_real_differences()
    {
        var scale = 3f;
        var x = 1.2345678f;
        var ulp = MathF.BitIncrement(x) - x;
        Assert.Equal(Hasher.Quantize(x, scale), Hasher.Quantize(x + 4 * ulp, scale));
        Assert.Equal(Hasher.Quantize(x, scale), Hasher.Quantize(x - 4 * ulp, scale));
        Assert.NotEqual(Hasher.Quantize(x, scale), Hasher.Quantize(x * 1.01f, scale));
        Assert.NotEqual(Hasher.Quantize(x, scale), Hasher.Quantize(-x, scale));
        // Cancellation residue far below the output's scale counts as zero, whatever its sign.
        Assert.Equal(0, Hasher.Quantize(1e-9f, scale));
        Assert.Equal(0, Hasher.Quantize(-1e-9f, scale));
        Assert.Equal(Hasher.Quantize(float.NaN, scale), Hasher.Quantize(-float.NaN, scale));
        Assert.NotEqual(Hasher.Quantize(float.PositiveInfinity, scale), Hasher.Quantize(float.NegativeInfinity, scale));
    }

    [Fact]
    public void Sampled_inputs_follow_the_input_types()
    {
        var g = new GraphBuilder("g");
        var f = g.Input("f", IRType.F32(2, TensorType.Dynamic));
        var i = g.Input("i", IRType.Tensor(DType.Int64, 5));
        var graph = g.Build(f, i);
        var inputs = InputSampler.Inputs(graph, 1, SampleSet.Primary);
        var ft = (Tensor)inputs[0];
        var it = (Tensor)inputs[1];
        Assert.Equal(new[] { 2, InputSampler.DynamicDimension }, ft.ShapeArray());
        Assert.All(ft.ToFloatArray(), v => Assert.InRange(v, -2f, 2f));
        Assert.Equal(DType.Int64, it.DType);
        Assert.All(it.Longs.ToArray(), v => Assert.InRange(v, 0, 1));
        Assert.Equal(ft.ToFloatArray(), ((Tensor)InputSampler.Inputs(graph, 1, SampleSet.Primary)[0]).ToFloatArray());
        Assert.NotEqual(ft.ToFloatArray(), ((Tensor)InputSampler.Inputs(graph, 1, SampleSet.Confirmation)[0]).ToFloatArray());
    }
}
