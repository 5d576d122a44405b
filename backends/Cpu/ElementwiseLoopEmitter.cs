using DyCompile.IR;
using DyCompile.Passes.Fusion;

namespace DyCompile.Backends.Cpu;

/// <summary>Writes an <see cref="ElementwiseLoop"/> as one C# loop rendered from the catalog
/// formulas of its ops (<see cref="FormulaRenderer"/>): a Vector512 body where the hardware has it
/// (<c>VectorWidth.Use512</c>), else a Vector256 body, then a scalar tail that also runs the whole
/// loop on machines with neither.</summary>
public static class ElementwiseLoopEmitter
{
    private static readonly (string Type, int Width)[] VectorPaths = [("Vector512", 16), ("Vector256", 8)];

    /// <param name="tensorOf">The C# expression of a tensor value (inputs and outputs of the loop).</param>
    public static void Emit(CodeWriter w, ElementwiseLoop loop, Func<Value, string> tensorOf)
    {
        var count = checked((int)loop.Shape.ElementCount);
        var names = new Dictionary<Value, string>();
        var full = new List<(Value Value, string Span)>();
        var rows = new List<(Value Value, string Span, int Period)>();
        var scalars = new List<(Value Value, string Name)>();
        var outputs = new List<(Value Value, string Span)>();
        var what = string.Join(" ", loop.Nodes.Select(n => n.Op));
        w.Line(loop.EpilogueOf is { } p ? $"// fused epilogue of {p.Op}: {what}" : $"// fused elementwise loop: {what}");
        using (w.Block(""))
        {
            foreach (var input in loop.Inputs)
            {
                var t = (TensorType)input.Type;
                if (t.Shape.SequenceEqual(loop.Shape.Shape))
                {
                    var span = "in" + full.Count;
                    full.Add((input, span));
                    w.Line($"ReadOnlySpan<float> {span} = {tensorOf(input)}.Floats;");
                }
                else if (t.ElementCount > 1)
                {
                    var span = "row" + rows.Count;
                    rows.Add((input, span, (int)t.ElementCount));
                    w.Line($"ReadOnlySpan<float> {span} = {tensorOf(input)}.Floats;");
                }
                else
                {
                    var name = "k" + scalars.Count;
                    scalars.Add((input, name));
                    w.Line($"float {name} = {tensorOf(input)}.Floats[0];");
                }
            }
            foreach (var output in loop.Outputs)
            {
                var span = "out" + outputs.Count;
                outputs.Add((output, span));
                w.Line($"Span<float> {span} = {tensorOf(output)}.Floats;");
            }
            w.Line("int i = 0;");
            // A broadcast row can be loaded as a vector when a vector never straddles its end.
            // Shapes are static, so a path whose vector is longer than the loop is not emitted.
            var paths = VectorPaths.Where(p => count >= p.Width && rows.All(r => r.Period % p.Width == 0)).ToList();
            for (var k = 0; k < paths.Count; k++)
            {
                var (vector, _) = paths[k];
                var condition = vector == "Vector512" ? "DyCompile.Runtime.Compiled.VectorWidth.Use512" : "Vector256.IsHardwareAccelerated";
                using (w.Block($"{(k == 0 ? "" : "else ")}if ({condition})"))
                {
                    foreach (var span in full.Select(f => f.Span).Concat(rows.Select(r => r.Span)))
                        w.Line($"ref float r_{span} = ref MemoryMarshal.GetReference({span});");
                    foreach (var (_, span) in outputs)
                        w.Line($"ref float r_{span} = ref MemoryMarshal.GetReference({span});");
                    foreach (var (_, name) in scalars)
                        w.Line($"var v_{name} = {vector}.Create({name});");
                    using (w.Block($"for (; i <= {count} - {vector}<float>.Count; i += {vector}<float>.Count)"))
                    {
                        names.Clear();
                        foreach (var (v, span) in full)
                        {
                            names[v] = "l_" + span;
                            w.Line($"var l_{span} = {vector}.LoadUnsafe(ref r_{span}, (nuint)i);");
                        }
                        foreach (var (v, span, period) in rows)
                        {
                            names[v] = "l_" + span;
                            w.Line($"var l_{span} = {vector}.LoadUnsafe(ref r_{span}, (nuint)(i % {period}));");
                        }
                        foreach (var (v, name) in scalars) names[v] = "v_" + name;
                        Body(w, loop, names, (formula, x, attrs) => FormulaRenderer.Vector(formula, vector, x, attrs));
                        foreach (var (v, span) in outputs)
                            w.Line($"{names[v]}.StoreUnsafe(ref r_{span}, (nuint)i);");
                    }
                }
            }
            using (w.Block($"for (; i < {count}; i++)"))
            {
                names.Clear();
                foreach (var (v, span) in full)
                {
                    names[v] = "l_" + span;
                    w.Line($"float l_{span} = {span}[i];");
                }
                foreach (var (v, span, period) in rows)
                {
                    names[v] = "l_" + span;
                    w.Line($"float l_{span} = {span}[i % {period}];");
                }
                foreach (var (v, name) in scalars) names[v] = name;
                Body(w, loop, names, FormulaRenderer.Scalar);
                foreach (var (v, span) in outputs)
                    w.Line($"{span}[i] = {names[v]};");
            }
        }
    }

    private static void Body(CodeWriter w, ElementwiseLoop loop, Dictionary<Value, string> names, Func<ScalarFormula, string[], Attrs, string> render)
    {
        var index = 0;
        foreach (var node in loop.Nodes)
        {
            var name = "t" + index++;
            var formula = node.Def?.Formula ?? throw new NotSupportedException($"'{node.Op}' has no formula to fuse");
            w.Line($"var {name} = {render(formula, [.. node.Operands.Select(v => names[v])], node.Attrs)};");
            names[node.Result] = name;
        }
    }
}
