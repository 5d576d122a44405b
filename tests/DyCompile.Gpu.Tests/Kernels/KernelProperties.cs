using DyCompile.IR;
using DyCompile.Runtime;
using FsCheck;
using FsCheck.Fluent;

namespace DyCompile.Gpu.Tests.Kernels;

/// <summary>Device ≡ eager on random shapes and attributes: permutations, reductions over random
/// dim sets, softmax along a random dim, and matmuls of random broadcast batch shapes.</summary>
[Collection(CpuAcceleratorCollection.Name)]
public sealed class KernelProperties(CpuAcceleratorFixture gpu)
{
    private static void Holds(Action<Random> law, int tests) =>
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(tests).WithQuietOnSuccess(true),
            Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), (int seed) => law(new Random(seed))));

    private static int[] Shape(Random rng) => [.. Enumerable.Range(0, rng.Next(1, 5)).Select(_ => rng.Next(1, 7))];

    [Fact]
    public void PermutesAndReductionsOfRandomShapesMatchEager() => Holds(rng =>
    {
        var shape = Shape(rng);
        var x = Oracle.Floats(rng, shape);
        var order = Enumerable.Range(0, shape.Length).OrderBy(_ => rng.Next()).ToArray();
        Oracle.Same(gpu, "permute", new Attrs { { "dims", order } }, x);
        var dims = Enumerable.Range(0, shape.Length).Where(_ => rng.Next(2) == 0).Select(d => rng.Next(2) == 0 ? d : d - shape.Length).ToArray();
        var op = new[] { "sum", "mean", "max", "min" }[rng.Next(4)];
        Oracle.Same(gpu, op, new Attrs { { "dims", dims }, { "keepdim", rng.Next(2) == 0 } }, x);
        Oracle.Same(gpu, "softmax", new Attrs { { "dim", rng.Next(-shape.Length, shape.Length) } }, x);
    }, tests: 25);

    [Fact]
    public void MatMulsOfRandomBroadcastShapesMatchEager() => Holds(rng =>
    {
        int m = rng.Next(1, 40), k = rng.Next(1, 40), n = rng.Next(1, 40);
        var batch = Enumerable.Range(0, rng.Next(0, 3)).Select(_ => rng.Next(1, 4)).ToArray();
        int[] BatchOf() => [.. batch.Select(d => rng.Next(2) == 0 ? 1 : d)];
        Oracle.Same(gpu, "matmul", [], Oracle.Floats(rng, [.. BatchOf(), m, k]), Oracle.Floats(rng, [.. BatchOf(), k, n]));
    }, tests: 15);
}
