using System.Globalization;
using FsCheck;
using FsCheck.Fluent;

namespace DyCompile.Compiler.Tests;

/// <summary>An FsCheck generator of random dynamic model sources: nested if / while / do / for
/// with break, continue and early return on tensor-derived conditions (<c>h.Sum().Item() > t</c>),
/// two tensor inputs, host scalars and bounded loops. Every block extends a trace
/// (<c>trace = (trace * 31 + k) % 1000003</c>) the model returns, so equal traces mean the same
/// path and the same loop-trip counts.</summary>
public static class DynamicModelGenerator
{
    public const string Signature = "public (Tensor, int) Forward(Tensor x, Tensor y, float t, int n)";

    private sealed record Context(int Depth, int LoopDepth);

    private static string F(double v) => v.ToString("0.0##", CultureInfo.InvariantCulture) + "f";

    private static Gen<string> Constant => Gen.Choose(-9, 9).Select(i => F(i / 4.0));

    private static Gen<string> Positive => Gen.Choose(1, 9).Select(i => F(i / 10.0));

    private static Gen<string> ScalarProbe => Gen.Elements(
        "h.Sum().Item()", "h.Mean().Item()", "h.Max().Item()", "h.Min().Item()",
        "x.Mean().Item()", "y.Max().Item()", "(h * x).Sum().Item()");

    private static Gen<string> Comparison(Context c) => Gen.OneOf(
        from probe in ScalarProbe
        from op in Gen.Elements(">", "<", ">=", "<=")
        from rhs in Gen.OneOf(Gen.Constant("t"), Constant, Gen.Constant("t * 0.5f"))
        select $"{probe} {op} {rhs}",
        from k in Gen.Choose(0, 3) select $"n > {k}",
        c.LoopDepth > 0
            ? from m in Gen.Choose(2, 3) select $"i{c.LoopDepth} % {m} == 0"
            : Gen.Constant("t > 0f"));

    private static Gen<string> Condition(Context c) => Gen.Frequency(
        (4, Comparison(c)),
        (1, from a in Comparison(c) from b in Comparison(c) select $"({a} && {b})"),
        (1, from a in Comparison(c) from b in Comparison(c) select $"({a} || !({b}))"),
        (1, from a in Comparison(c) from b in Comparison(c) from d in Comparison(c) select $"({a} ? {b} : {d})"));

    private static Gen<string> TensorUpdate => Gen.OneOf(
        from a in Positive select $"h = (h * {a} + x).Tanh();",
        from a in Constant select $"h = (h + y * {a}).Sigmoid();",
        from a in Positive select $"h = h.Relu() - x * {a};",
        from a in Positive select $"h = TensorOps.Maximum(h, y) * {a};",
        Gen.Constant("h = _fc.Forward(h).Tanh();"),
        Gen.Constant("h = (h - h.Mean()).Tanh() + y * 0.5f;"),
        Gen.Constant("h = Step(h, t);"),
        from a in Positive select $"h = h * {a} + Step(x, {a}) * 0.5f;",
        from a in Positive select $"t = t + h.Mean().Item() * {a};");

    private static Gen<string> Trace => Gen.Choose(1, 997).Select(k => $"trace = (trace * 31 + {k}) % 1000003;");

    private static Gen<string> Statement(Context c)
    {
        var simple = Gen.Frequency((3, TensorUpdate), (1, Trace));
        if (c.Depth >= 3) return simple;
        var inner = c with { Depth = c.Depth + 1 };
        var loop = inner with { LoopDepth = c.LoopDepth + 1 };
        var i = $"i{loop.LoopDepth}";
        var options = new List<(int, Gen<string>)>
        {
            (5, simple),
            (2, from cond in Condition(c) from a in Block(inner) from b in Block(inner)
                select $"if ({cond})\n{{\n{a}}}\nelse\n{{\n{b}}}\n"),
            (1, from cond in Condition(c) from a in Block(inner) select $"if ({cond})\n{{\n{a}}}\n"),
            (1, from cond in Condition(c) select $"if ({cond}) return (h, trace);\n"),
            (2, from bound in Gen.OneOf(Gen.Constant("n"), Gen.Choose(1, 3).Select(b => b.ToString(CultureInfo.InvariantCulture)))
                from body in Block(loop)
                select $"{{\nvar {i} = 0;\nwhile ({i} < {bound})\n{{\n{i}++;\n{body}}}\n}}\n"),
            (1, from bound in Gen.Choose(1, 3) from cond in Condition(loop) from body in Block(loop)
                select $"{{\nvar {i} = 0;\ndo\n{{\n{i}++;\n{body}}} while ({i} < {bound} && {cond});\n}}\n"),
            (2, from bound in Gen.OneOf(Gen.Constant("n"), Gen.Choose(1, 3).Select(b => b.ToString(CultureInfo.InvariantCulture)))
                from body in Block(loop)
                select $"for (var {i} = 0; {i} < {bound}; {i}++)\n{{\n{body}}}\n"),
        };
        if (c.LoopDepth > 0)
        {
            options.Add((2, from cond in Condition(c) from kind in Gen.Elements("break", "continue") select $"if ({cond}) {kind};\n"));
        }
        return Gen.Frequency([.. options]);
    }

    private static Gen<string> Block(Context c) =>
        from trace in Trace
        from count in Gen.Choose(1, 3)
        from statements in Gen.ListOf(Statement(c), count)
        select trace + "\n" + string.Concat(statements.Select(s => s.EndsWith('\n') ? s : s + "\n"));

    /// <summary>The body of one generated forward method.</summary>
    public static Gen<string> Body => Block(new Context(0, 0)).Select(b => "var h = x;\nvar trace = 1;\n" + b + "return (h + x, trace);\n");

    /// <summary>A model class named <paramref name="name"/> with the given forward body.</summary>
    public static string ModelSource(string name, string body) => $$"""
        [DyCompile]
        public sealed class {{name}} : Module
        {
            private readonly Linear _fc;
            public {{name}}(Random g) { _fc = RegisterModule("fc", new Linear(4, 4, generator: g)); }
            private Tensor Step(Tensor h, float s)
            {
                if (h.Mean().Item() > s) return (h * 0.5f).Tanh();
                var k = 0;
                while (k < 2 && h.Sum().Item() < s)
                {
                    h = _fc.Forward(h) + 0.25f;
                    k++;
                }
                return h;
            }
            {{Signature}}
            {
        {{body}}
            }
        }

        """;

    /// <summary><paramref name="count"/> model bodies from a fixed seed.</summary>
    public static string[] Sample(int count, ulong seed) => Gen.Sample(Gen.ArrayOf(Body, count), 10, new Rnd(Mix(seed)), 1)[0];

    // SplitMix64's finalizer: consecutive seeds give unrelated generator states.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
