using System.Globalization;
using System.Text;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Testing;

/// <summary>
/// Where a rule's two sides disagree: the (shrunk) left side as IR text, the graph of both sides,
/// the values of its inputs and weights, what each side computed, and the first difference.
/// </summary>
public sealed record Counterexample(
    string Rule,
    Graph LeftSide,
    Graph BothSides,
    IReadOnlyDictionary<string, Tensor> Values,
    IReadOnlyList<Tensor> LeftResults,
    IReadOnlyList<Tensor> RightResults,
    string Difference,
    int Seed,
    int Size)
{
    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"rule {Rule} is unsound: {Difference}");
        text.AppendLine("left side:");
        text.AppendLine(LeftSide.ToString());
        text.AppendLine("left side and right side (outputs in pairs: left, right):");
        text.AppendLine(BothSides.ToString());
        text.AppendLine("values:");
        foreach (var (name, value) in Values) text.AppendLine(CultureInfo.InvariantCulture, $"  %{name} = {Format(value)}");
        for (var i = 0; i < LeftResults.Count && i < RightResults.Count; i++)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"left  {i} = {Format(LeftResults[i])}");
            text.AppendLine(CultureInfo.InvariantCulture, $"right {i} = {Format(RightResults[i])}");
        }
        text.Append(CultureInfo.InvariantCulture, $"(instance seed {Seed}, size {Size})");
        return text.ToString();
    }

    private static string Format(Tensor t) =>
        $"[{string.Join(", ", t.ToFloatArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}] shape [{string.Join(", ", t.ShapeArray())}]";
}
