using DyCompile.IR;
using DyCompile.Passes.Fusion;

namespace DyCompile.Backends.Cpu;

/// <summary>Writes an <see cref="ElementwiseLoop"/> as one C# loop: a Vector256 body when every op
/// has a vector form, then a scalar tail (the whole loop when some op has no vector form). Scalar
/// formulas follow the runtime kernels' semantics (NaN propagation of max/min/relu included).</summary>
public static class ElementwiseLoopEmitter
{
    private const int VectorWidth = 8;

    private static readonly HashSet<string> Vectorizable = ["add", "sub", "mul", "div", "neg", "abs", "relu", "sqrt", "exp", "sigmoid", "silu", "tanh", "gelu"];

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
            // Shapes are static, so a loop shorter than one vector gets no vector body and the scalar
            // loop stays for the tail and for machines without Vector256.
            var vector = count >= VectorWidth && loop.Nodes.All(n => Vectorizable.Contains(n.Op)) && rows.All(r => r.Period % VectorWidth == 0);
            if (vector)
            {
                using (w.Block("if (Vector256.IsHardwareAccelerated)"))
                {
                    foreach (var span in full.Select(f => f.Span).Concat(rows.Select(r => r.Span)))
                        w.Line($"ref float r_{span} = ref MemoryMarshal.GetReference({span});");
                    foreach (var (_, span) in outputs)
                        w.Line($"ref float r_{span} = ref MemoryMarshal.GetReference({span});");
                    foreach (var (_, name) in scalars)
                        w.Line($"var v_{name} = Vector256.Create({name});");
                    using (w.Block($"for (; i <= {count} - Vector256<float>.Count; i += Vector256<float>.Count)"))
                    {
                        names.Clear();
                        foreach (var (v, span) in full)
                        {
                            names[v] = "l_" + span;
                            w.Line($"var l_{span} = Vector256.LoadUnsafe(ref r_{span}, (nuint)i);");
                        }
                        foreach (var (v, span, period) in rows)
                        {
                            names[v] = "l_" + span;
                            w.Line($"var l_{span} = Vector256.LoadUnsafe(ref r_{span}, (nuint)(i % {period}));");
                        }
                        foreach (var (v, name) in scalars) names[v] = "v_" + name;
                        Body(w, loop, names, VectorFormula);
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
                Body(w, loop, names, ScalarFormula);
                foreach (var (v, span) in outputs)
                    w.Line($"{span}[i] = {names[v]};");
            }
        }
    }

    private static void Body(CodeWriter w, ElementwiseLoop loop, Dictionary<Value, string> names, Func<Node, string[], string> formula)
    {
        var index = 0;
        foreach (var node in loop.Nodes)
        {
            var name = "t" + index++;
            w.Line($"var {name} = {formula(node, [.. node.Operands.Select(v => names[v])])};");
            names[node.Result] = name;
        }
    }

    private static string ScalarFormula(Node node, string[] x) => node.Op switch
    {
        "add" => $"{x[0]} + {x[1]}",
        "sub" => $"{x[0]} - {x[1]}",
        "mul" => $"{x[0]} * {x[1]}",
        "div" => $"{x[0]} / {x[1]}",
        "neg" => $"-{x[0]}",
        "abs" => $"MathF.Abs({x[0]})",
        "relu" => $"MathF.Max({x[0]}, 0f)",
        "maximum" => $"MathF.Max({x[0]}, {x[1]})",
        "minimum" => $"MathF.Min({x[0]}, {x[1]})",
        "clamp" => $"MathF.Min(MathF.Max({x[0]}, {CSharpSyntax.Float(node.Attrs.GetFloat("min"))}), {CSharpSyntax.Float(node.Attrs.GetFloat("max"))})",
        "exp" => $"MathF.Exp({x[0]})",
        "log" => $"MathF.Log({x[0]})",
        "sqrt" => $"MathF.Sqrt({x[0]})",
        "tanh" => $"MathF.Tanh({x[0]})",
        "sigmoid" => $"1f / (1f + MathF.Exp(-{x[0]}))",
        "silu" => $"{x[0]} / (1f + MathF.Exp(-{x[0]}))",
        "gelu" => $"GeluMath.Gelu({x[0]})",
        _ => throw new NotSupportedException($"no scalar formula for '{node.Op}'"),
    };

    private static string VectorFormula(Node node, string[] x) => node.Op switch
    {
        "add" => $"{x[0]} + {x[1]}",
        "sub" => $"{x[0]} - {x[1]}",
        "mul" => $"{x[0]} * {x[1]}",
        "div" => $"{x[0]} / {x[1]}",
        "neg" => $"-{x[0]}",
        "abs" => $"Vector256.Abs({x[0]})",
        "sqrt" => $"Vector256.Sqrt({x[0]})",
        // max(x, 0) that keeps NaN and turns -0 into +0, as the scalar MathF.Max does.
        "relu" => $"Vector256.ConditionalSelect(Vector256.GreaterThan({x[0]}, Vector256<float>.Zero) | ~Vector256.Equals({x[0]}, {x[0]}), {x[0]}, Vector256<float>.Zero)",
        "exp" => $"Vector256.Exp({x[0]})",
        "sigmoid" => $"Vector256<float>.One / (Vector256<float>.One + Vector256.Exp(-{x[0]}))",
        "silu" => $"{x[0]} / (Vector256<float>.One + Vector256.Exp(-{x[0]}))",
        // tanh |x| = 1 - 2 / (exp(2|x|) + 1), sign restored: exp overflowing to infinity gives exactly 1.
        "tanh" => $"Vector256.CopySign(Vector256<float>.One - Vector256.Create(2f) / (Vector256.Exp(Vector256.Abs({x[0]}) * 2f) + Vector256<float>.One), {x[0]})",
        "gelu" => $"GeluMath.Gelu({x[0]})",
        _ => throw new NotSupportedException($"no vector formula for '{node.Op}'"),
    };
}
