using DyCompile.Runtime;
using FsCheck.Xunit;

namespace DyCompile.IR.Tests;

public class ShapeRuleRobustnessTests
{
    private static IRType RandomType(Random rng) => rng.Next(6) switch
    {
        0 => IRType.Int,
        1 => IRType.Float,
        2 => IRType.Bool,
        _ => new TensorType(
            (DType)rng.Next(4),
            Enumerable.Range(0, rng.Next(5)).Select(_ => rng.Next(8) == 0 ? TensorType.Dynamic : rng.Next(0, 6)).ToArray()),
    };

    private static AttrValue RandomAttr(Random rng, AttrKind kind) => kind switch
    {
        AttrKind.Int => rng.Next(-4, 7),
        AttrKind.Float => (float)(rng.NextDouble() * 4 - 2),
        AttrKind.Bool => rng.Next(2) == 0,
        AttrKind.Ints => Enumerable.Range(0, rng.Next(5)).Select(_ => rng.Next(-4, 7)).ToArray(),
        _ => (DType)rng.Next(4),
    };

    /// <summary>Every shape and cost rule answers any operands and attributes with result types or
    /// an error message; none throws.</summary>
    [Property(MaxTest = 400)]
    public void ShapeRulesNeverThrow(int seed)
    {
        var rng = new Random(seed);
        foreach (var op in OpCatalog.All)
        {
            var count = Math.Max(0, (op.Variadic ? rng.Next(1, 4) : op.Operands.Length) + (rng.Next(10) == 0 ? rng.Next(-1, 2) : 0));
            // Bias operand types toward what the op expects so that many calls get past the first check.
            var operands = Enumerable.Range(0, count).Select(_ => op.Kind == OpKind.Host && rng.Next(2) == 0
                ? (IRType)(rng.Next(3) switch { 0 => IRType.Int, 1 => IRType.Float, _ => IRType.Bool })
                : rng.Next(3) == 0 ? RandomType(rng) : new TensorType(rng.Next(4) == 0 ? (DType)rng.Next(4) : DType.Float32,
                    Enumerable.Range(0, rng.Next(5)).Select(_ => rng.Next(1, 5)).ToArray())).ToList();
            var attrs = new Attrs();
            foreach (var a in op.Attributes)
                if (rng.Next(12) != 0) attrs.Add(a.Name, RandomAttr(rng, rng.Next(12) == 0 ? (AttrKind)rng.Next(5) : a.Kind));
            var result = OpCatalog.Infer(op.Name, operands, attrs);
            if (!result.Succeeded)
            {
                Assert.StartsWith(op.Name + ": ", result.ErrorMessage);
                continue;
            }
            Assert.NotEmpty(result.Types!);
            var cost = OpCatalog.Cost(op.Name, operands, attrs, result.Types!);
            Assert.True(cost.Flops >= 0 && cost.Bytes >= 0, $"{op.Name}: negative cost {cost}");
        }
    }
}
