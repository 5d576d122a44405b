using DyCompile.Runtime;

namespace DyCompile.IR.Tests;

/// <summary>Shape rules see whatever sizes a parsed program declares, up to 2^31 - 1: with such
/// sizes and attribute values they still answer with result types or an error, never an
/// exception (the verifier relies on that to never throw).</summary>
public class ShapeRuleExtremeSizeTests
{
    private static readonly int[] Sizes = [0, 1, 2, 3, 4, 65_536, 1 << 30, 2_000_000_000, int.MaxValue];

    private static readonly int[] Ints = [int.MinValue, -2_000_000_000, -2, -1, 0, 1, 2, 3, 65_536, 1 << 30, 2_000_000_000, int.MaxValue];

    private static T Pick<T>(Random rng, T[] from) => from[rng.Next(from.Length)];

    private static AttrValue Attr(Random rng, AttrKind kind) => kind switch
    {
        AttrKind.Int => Pick(rng, Ints),
        AttrKind.Float => Pick(rng, [0f, -1f, 1e-30f, 3e38f, float.NaN, float.PositiveInfinity]),
        AttrKind.Bool => rng.Next(2) == 0,
        AttrKind.Ints => Enumerable.Range(0, rng.Next(5)).Select(_ => rng.Next(3) == 0 ? rng.Next(-2, 4) : Pick(rng, Ints)).ToArray(),
        _ => (DType)rng.Next(4),
    };

    [Fact]
    public void ShapeRulesAnswerExtremeSizesWithTypesOrErrors()
    {
        var rng = new Random(14_05);
        var thrown = new List<string>();
        for (var trial = 0; trial < 300; trial++)
        {
            foreach (var op in OpCatalog.All)
            {
                var rank = rng.Next(5);
                var operands = Enumerable.Range(0, op.Variadic ? rng.Next(1, 4) : op.Operands.Length).Select(_ => op.Kind == OpKind.Host
                    ? (IRType)(rng.Next(3) switch { 0 => IRType.Int, 1 => IRType.Float, _ => IRType.Bool })
                    : new TensorType(rng.Next(4) == 0 ? (DType)rng.Next(4) : DType.Float32,
                        Enumerable.Range(0, rng.Next(3) == 0 ? rng.Next(5) : rank).Select(_ => rng.Next(8) == 0 ? TensorType.Dynamic : Pick(rng, Sizes)).ToArray())).ToList();
                var attrs = new Attrs();
                foreach (var a in op.Attributes) attrs.Add(a.Name, Attr(rng, a.Kind));
                try
                {
                    var result = OpCatalog.Infer(op.Name, operands, attrs);
                    Assert.True(result.Succeeded ? result.Types!.Count > 0 : result.ErrorMessage!.StartsWith(op.Name + ": "), $"{op.Name}: {result.ErrorMessage}");
                }
                catch (Exception e) when (e is not Xunit.Sdk.XunitException)
                {
                    thrown.Add($"{op.Name}({string.Join(", ", operands)}) {{{string.Join(", ", attrs.Select(kv => $"{kv.Key} = {kv.Value}"))}}}: {e.GetType().Name}: {e.Message}");
                }
            }
        }
        Assert.True(thrown.Count == 0, $"{thrown.Count} exception(s), e.g.\n{string.Join("\n", thrown.DistinctBy(t => t[..t.IndexOf('(')]).Take(10))}");
    }
}
