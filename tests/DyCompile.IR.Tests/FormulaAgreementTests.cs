using DyCompile.Runtime;

namespace DyCompile.IR.Tests;

/// <summary>An elementwise op's catalog formula and its eager kernel compute the same function:
/// every backend renders the formula, so a formula that drifts from the kernel would make every
/// backend disagree with eager code.</summary>
public class FormulaAgreementTests
{
    private const int Count = 4096;

    public static TheoryData<string> OpsWithFormulas() => [.. OpCatalog.All.Where(op => op.Formula is not null).Select(op => op.Name)];

    [Fact]
    public void EveryElementwiseOpButCastHasAFormula()
    {
        var without = OpCatalog.All.Where(op => op.Elementwise && op.Formula is null).Select(op => op.Name).ToList();
        Assert.Equal(["cast"], without);
    }

    [Theory]
    [MemberData(nameof(OpsWithFormulas))]
    public void FormulaIsWellFormed(string name)
    {
        var op = OpCatalog.Get(name);
        Assert.Empty(op.Formula!.Check(op));
        Assert.True(op.Formula.OperandsRead().Order().SequenceEqual(Enumerable.Range(0, op.Operands.Length)),
            $"{name}: the formula must read every operand");
    }

    [Theory]
    [MemberData(nameof(OpsWithFormulas))]
    public void FormulaAgreesWithTheEagerKernel(string name)
    {
        var op = OpCatalog.Get(name);
        var random = new Random(name.GetHashCode(StringComparison.Ordinal) & 0x7fffffff);
        var isWhere = name == "where";
        var values = Enumerable.Range(0, op.Operands.Length).Select(_ => Sample(random)).ToArray();
        if (isWhere) values[0] = [.. values[0].Select(v => v > 0f ? 1f : 0f)];
        var operands = values.Select((v, i) => isWhere && i == 0
            ? Tensor.FromArray(v.Select(f => f != 0f).ToArray(), Count)
            : Tensor.FromArray(v, Count)).ToList<object>();
        var attrs = new Attrs();
        foreach (var attr in op.Attributes)
            attrs.Add(attr.Name, (float)Math.Round(random.NextDouble() * 4 - 2, 2));
        if (name == "clamp" && random.Next(2) == 0) attrs = new Attrs { { "min", -1f }, { "max", 1.5f } };

        var result = (Tensor)KernelRegistry.All[name].Invoke(operands, attrs)[0];
        var actual = new float[Count];
        for (var i = 0; i < Count; i++) actual[i] = result.DType == DType.Bool ? (result.Bools[i] ? 1f : 0f) : result.Floats[i];

        Span<float> element = stackalloc float[op.Operands.Length];
        for (var i = 0; i < Count; i++)
        {
            for (var k = 0; k < element.Length; k++) element[k] = values[k][i];
            var expected = ScalarFormulaEvaluator.Evaluate(op.Formula!, element, attrs);
            Assert.True(Close(expected, actual[i]),
                $"{name}({string.Join(", ", element.ToArray())}): formula {expected}, kernel {actual[i]}");
        }
    }

    /// <summary>Ordinary magnitudes plus the values elementwise code gets wrong: ±0, ±∞, NaN,
    /// tiny and huge numbers, integers (where pow and floor have edges).</summary>
    private static float[] Sample(Random random)
    {
        float[] special = [0f, -0f, 1f, -1f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e-30f, -1e-30f, 1e30f, -1e30f, 88.5f, -104f, 2f, 3f];
        return [.. Enumerable.Range(0, Count).Select(i => i < special.Length * 8 && i % 8 == 0
            ? special[i / 8]
            : random.Next(4) switch
            {
                0 => (float)(random.NextDouble() * 20 - 10),
                1 => (float)(random.NextDouble() * 2 - 1),
                2 => MathF.Round((float)(random.NextDouble() * 10 - 5)),
                _ => (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-8, 9))),
            })];
    }

    // A formula evaluated in float rounds its intermediate arguments; in a steep tail (erfc near
    // 4) that is a few 1e-6 relative, so agreement is judged at 1e-5.
    private static bool Close(float expected, float actual)
    {
        if (float.IsNaN(expected) || float.IsNaN(actual)) return float.IsNaN(expected) && float.IsNaN(actual);
        if (expected == actual) return true;
        var scale = Math.Max(Math.Abs(expected), Math.Abs(actual));
        return Math.Abs(expected - actual) <= 1e-5f * scale || Math.Abs(expected - actual) <= 1e-37f;
    }
}
