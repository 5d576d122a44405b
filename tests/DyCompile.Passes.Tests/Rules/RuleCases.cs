using DyCompile.IR;
using static DyCompile.Passes.Tests.Rules.Shapes;

namespace DyCompile.Passes.Tests.Rules;

/// <summary>The left-side generator of every registered tensor rule, by rule name.</summary>
internal static class RuleCases
{
    public static readonly IReadOnlyDictionary<string, RuleCase> All = new Dictionary<string, RuleCase>
    {
        ["add-comm"] = Binary("add"),
        ["mul-comm"] = Binary("mul"),
        ["add-zero"] = WithConstant("add", () => 0.0),
        ["sub-zero"] = WithConstant("sub", () => -0.0),
        ["mul-one"] = WithConstant("mul", () => 1.0),
        ["div-one"] = WithConstant("div", () => 1.0),
        ["neg-neg"] = Unary("neg", "neg"),
        ["sub-self"] = new(r => Graph(r, (g, x) => g.Sub(x, x))),
        ["mul-zero"] = WithConstant("mul", () => 0.0),
        ["add-assoc"] = Ternary("add"),
        ["mul-assoc"] = Ternary("mul"),

        ["relu-relu"] = Unary("relu", "relu"),
        ["abs-abs"] = Unary("abs", "abs"),
        ["relu-abs"] = Unary("abs", "relu"),
        ["abs-relu"] = Unary("relu", "abs"),
        ["abs-neg"] = Unary("neg", "abs"),
        ["log-softmax"] = new(r => Graph(r, (g, x) => g.Op("log", g.Softmax(x, Axis(r, x.Rank()))), minRank: 1), UnderflowRefined: true),
        ["exp-log-softmax"] = new(r => Graph(r, (g, x) => g.Exp(Op(g, "log_softmax", new Attrs { { "dim", Axis(r, x.Rank()) } }, x)), minRank: 1)),
        ["exp-log"] = new(r => Graph(r, (g, x) => g.Exp(g.Op("log", g.Op(new[] { "abs", "relu", "sigmoid", "exp" }[r.Next(4)], x))))),
        ["log-exp"] = new(r => Graph(r, (g, x) =>
        {
            var bound = (float)(r.NextDouble() * 80);
            var bounded = r.Next(2) == 0 ? g.Tanh(x) : Op(g, "clamp", new Attrs { { "min", -bound }, { "max", bound } }, x);
            return g.Op("log", g.Exp(bounded));
        })),

        ["transpose-transpose"] = new(r => Graph(r, (g, x) =>
        {
            int rank = x.Rank(), a = r.Next(rank), b = r.Next(rank);
            var inner = Op(g, "transpose", Transpose(a, b), x);
            return r.Next(2) == 0 ? Op(g, "transpose", Transpose(b - rank, a), inner) : Op(g, "transpose", Transpose(a, b - rank), inner);
        }, minRank: 1)),
        ["transpose-to-permute"] = new(r => Graph(r, (g, x) => Op(g, "transpose", Transpose(Axis(r, x.Rank()), Axis(r, x.Rank())), x), minRank: 1)),
        ["permute-to-transpose"] = new(r => Graph(r, (g, x) =>
        {
            var perm = Enumerable.Range(0, x.Rank()).ToArray();
            int a = r.Next(perm.Length), b = (a + 1 + r.Next(perm.Length - 1)) % perm.Length;
            (perm[a], perm[b]) = (perm[b], perm[a]);
            return Op(g, "permute", new Attrs { { "dims", perm } }, x);
        }, minRank: 2)),
        ["permute-compose"] = new(r => Graph(r, (g, x) =>
            Op(g, "permute", new Attrs { { "dims", Permutation(r, x.Rank()) } }, Op(g, "permute", new Attrs { { "dims", Permutation(r, x.Rank()) } }, x)), minRank: 1)),
        ["permute-identity"] = new(r => Graph(r, (g, x) =>
            Op(g, "permute", new Attrs { { "dims", Enumerable.Range(0, x.Rank()).Select(d => r.Next(2) == 0 ? d : d - x.Rank()).ToArray() } }, x), minRank: 1)),
        ["reshape-compose"] = new(r => Graph(r, (g, x) =>
        {
            var count = x.Shape().Aggregate(1, (n, d) => n * d);
            return g.Reshape(g.Reshape(x, Factor(r, count)), Factor(r, count));
        })),
        ["reshape-identity"] = new(r => Graph(r, (g, x) =>
        {
            var shape = x.Shape();
            if (shape.Length > 0 && r.Next(2) == 0) shape[r.Next(shape.Length)] = -1;
            return g.Reshape(x, shape);
        })),
        ["squeeze-unsqueeze"] = new(r => Graph(r, (g, x) =>
        {
            var d = Axis(r, x.Rank() + 1);
            return Op(g, "squeeze", new Attrs { { "dims", new[] { r.Next(2) == 0 ? d : d < 0 ? d + x.Rank() + 1 : d - x.Rank() - 1 } } }, Op(g, "unsqueeze", new Attrs { { "dim", d } }, x));
        })),

        ["matmul-assoc-right"] = Chain((g, a, b, c) => g.MatMul(g.MatMul(a, b), c)),
        ["matmul-assoc-left"] = Chain((g, a, b, c) => g.MatMul(a, g.MatMul(b, c))),
        ["matmul-distribute-right"] = new(r => Matrices(r, (g, m, k, n, batch) => g.MatMul(In(g, "a", batch, m, k), g.Add(In(g, "b", batch, k, n), In(g, "c", batch, k, n))))),
        ["matmul-distribute-left"] = new(r => Matrices(r, (g, m, k, n, batch) => g.MatMul(g.Add(In(g, "a", batch, m, k), In(g, "b", batch, m, k)), In(g, "c", batch, k, n)))),
        ["matmul-factor-right"] = new(r => Matrices(r, (g, m, k, n, batch) =>
        {
            var a = In(g, "a", batch, m, k);
            return g.Add(g.MatMul(a, In(g, "b", batch, k, n)), g.MatMul(a, In(g, "c", batch, k, n)));
        })),
        ["matmul-factor-left"] = new(r => Matrices(r, (g, m, k, n, batch) =>
        {
            var c = In(g, "c", batch, k, n);
            return g.Add(g.MatMul(In(g, "a", batch, m, k), c), g.MatMul(In(g, "b", batch, m, k), c));
        })),
        ["transpose-matmul"] = new(r => Matrices(r, (g, m, k, n, batch) =>
        {
            var p = g.MatMul(In(g, "a", batch, m, k), In(g, "b", batch, k, n));
            var rank = batch.Length + 2;
            return Op(g, "transpose", r.Next(2) == 0 ? Transpose(-1, -2) : Transpose(rank - 2, rank - 1), p);
        })),
        ["matmul-transposes"] = new(r => Matrices(r, (g, m, k, n, batch) =>
            g.MatMul(Op(g, "transpose", Transpose(-2, -1), In(g, "b", batch, k, n)), Op(g, "transpose", Transpose(batch.Length + 1, batch.Length), In(g, "a", batch, m, k))))),
        ["scalar-out-of-matmul-left"] = new(r => Matrices(r, (g, m, k, n, batch) => g.MatMul(g.Mul(In(g, "a", batch, m, k), In(g, "s")), In(g, "b", batch, k, n)))),
        ["scalar-out-of-matmul-right"] = new(r => Matrices(r, (g, m, k, n, batch) => g.MatMul(In(g, "a", batch, m, k), g.Mul(In(g, "b", batch, k, n), In(g, "s"))))),
        ["scalar-into-matmul-left"] = new(r => Matrices(r, (g, m, k, n, batch) => g.Mul(g.MatMul(In(g, "a", batch, m, k), In(g, "b", batch, k, n)), In(g, "s")))),
        ["scalar-into-matmul-right"] = new(r => Matrices(r, (g, m, k, n, batch) => g.Mul(g.MatMul(In(g, "a", batch, m, k), In(g, "b", batch, k, n)), In(g, "s")))),
        ["matmul-add-to-linear"] = new(r => Matrices(r, (g, m, k, n, batch) =>
            g.Add(g.MatMul(In(g, "x", [.. batch, .. r.Next(2) == 0 ? new[] { m } : []], k), In(g, "w", k, n)), In(g, "b", n)))),
        ["linear-add-bias"] = new(r => Matrices(r, (g, m, k, n, batch) =>
            g.Add(g.Linear(In(g, "x", batch, m, k), In(g, "w", n, k), In(g, "b", n)), In(g, "c", n)))),
        ["matmul-merge"] = new(r =>
        {
            var g = new GraphBuilder("lhs");
            int m = r.Next(1, 5), k = r.Next(1, 5);
            var a = In(g, "a", Dims(r, r.Next(0, 2)), m, k);
            return g.Build(g.MatMul(a, g.Weight("b", IRType.F32(k, r.Next(1, 5)))), g.MatMul(a, g.Weight("c", IRType.F32(k, r.Next(1, 5)))));
        }),

        ["batchnorm-into-conv"] = new(r => Conv(r, (g, conv, channels) => BatchNorm(r, g, conv, channels))),
        ["batchnorm-into-linear"] = new(r =>
        {
            var g = new GraphBuilder("lhs");
            int n = r.Next(1, 5), k = r.Next(1, 5), o = r.Next(1, 5);
            return g.Build(BatchNorm(r, g, g.Linear(In(g, "x", n, k), In(g, "w", o, k), In(g, "b", o)), o));
        }),
        ["scalar-into-conv"] = new(r => Conv(r, (g, conv, _) => conv, scaleInput: true)),
        ["scalar-after-conv"] = new(r => Conv(r, (g, conv, _) => g.Mul(conv, In(g, "s")))),
        ["conv-add-bias"] = new(r => Conv(r, (g, conv, channels) => g.Add(conv, In(g, "c", r.Next(2) == 0 ? [channels, 1, 1] : [1, channels, 1, 1])))),

        ["sum-of-expand"] = Expand("sum"),
        ["mean-of-expand"] = Expand("mean"),
        ["max-of-expand"] = Expand("max"),
        ["min-of-expand"] = Expand("min"),
    };

    private static Attrs Transpose(int a, int b) => new() { { "dim0", a }, { "dim1", b } };

    private static int Rank(this Value v) => ((TensorType)v.Type).Rank;

    private static int[] Shape(this Value v) => [.. ((TensorType)v.Type).Shape];

    private static Value In(GraphBuilder g, string name, params int[] shape) => g.Input(name, IRType.F32(shape));

    private static Value In(GraphBuilder g, string name, int[] batch, params int[] shape) => g.Input(name, IRType.F32([.. batch, .. shape]));

    /// <summary>One input x of a random shape and the left side built on it.</summary>
    private static Graph Graph(Random r, Func<GraphBuilder, Value, Value> body, int minRank = 0)
    {
        var g = new GraphBuilder("lhs");
        var x = In(g, "x", RandomShape(r, minRank, Math.Max(minRank, 3)));
        return g.Build(body(g, x));
    }

    private static RuleCase Unary(string inner, string outer) => new(r => Graph(r, (g, x) => g.Op(outer, g.Op(inner, x))));

    private static RuleCase Binary(string op) => new(r =>
    {
        var g = new GraphBuilder("lhs");
        var shape = RandomShape(r);
        Value a = In(g, "a", shape), b = In(g, "b", Broadcastable(r, shape));
        return g.Build(r.Next(2) == 0 ? g.Op(op, a, b) : g.Op(op, b, a));
    });

    private static RuleCase Ternary(string op) => new(r =>
    {
        var g = new GraphBuilder("lhs");
        var shape = RandomShape(r);
        return g.Build(g.Op(op, g.Op(op, In(g, "a", shape), In(g, "b", Broadcastable(r, shape))), In(g, "c", Broadcastable(r, shape))));
    });

    /// <summary>x op c (or c op x for commutative ops) with a constant c of a broadcastable shape.</summary>
    private static RuleCase WithConstant(string op, Func<double> value) => new(r =>
    {
        var g = new GraphBuilder("lhs");
        var shape = RandomShape(r);
        Value x = In(g, "x", shape), c = Constant(g, Broadcastable(r, shape), value());
        return g.Build(g.Op(op, x, c));
    });

    /// <summary>Three matrices (optionally batched) chaining as A[m,k]·B[k,n]·C[n,p].</summary>
    private static RuleCase Chain(Func<GraphBuilder, Value, Value, Value, Value> body) => new(r =>
    {
        var g = new GraphBuilder("lhs");
        var d = Dims(r, 4, 1, 5);
        var batch = Dims(r, r.Next(0, 2));
        return g.Build(body(g, In(g, "a", batch, d[0], d[1]), In(g, "b", batch, d[1], d[2]), In(g, "c", batch, d[2], d[3])));
    });

    private static Graph Matrices(Random r, Func<GraphBuilder, int, int, int, int[], Value> body)
    {
        var g = new GraphBuilder("lhs");
        var d = Dims(r, 3, 1, 5);
        return g.Build(body(g, d[0], d[1], d[2], Dims(r, r.Next(0, 2))));
    }

    private static int[] Factor(Random r, int count)
    {
        var dims = new List<int>();
        var left = count;
        while (left > 1 && dims.Count < 3)
        {
            var divisors = Enumerable.Range(2, left - 1).Where(d => left % d == 0).ToArray();
            var d = divisors[r.Next(divisors.Length)];
            dims.Add(d);
            left /= d;
        }
        if (left > 1 || dims.Count == 0 || r.Next(3) == 0) dims.Add(left);
        var shape = dims.OrderBy(_ => r.Next()).ToArray();
        if (r.Next(2) == 0) shape[r.Next(shape.Length)] = -1;
        return shape;
    }

    /// <summary>A random conv2d (stride, padding, dilation, groups) and the left side built on it.</summary>
    private static Graph Conv(Random r, Func<GraphBuilder, Value, int, Value> body, bool scaleInput = false)
    {
        var g = new GraphBuilder("lhs");
        int groups = r.Next(1, 3), cin = groups * r.Next(1, 3), cout = groups * r.Next(1, 3);
        int kh = r.Next(1, 4), kw = r.Next(1, 4), stride = r.Next(1, 3), padding = r.Next(0, 2), dilation = r.Next(1, 3);
        int h = dilation * (kh - 1) + 1 + r.Next(0, 4), w = dilation * (kw - 1) + 1 + r.Next(0, 4);
        Value x = In(g, "x", r.Next(1, 3), cin, h, w);
        if (scaleInput) x = g.Mul(x, In(g, "s"));
        var attrs = new Attrs { { "stride", new[] { stride } }, { "padding", new[] { padding } }, { "dilation", new[] { dilation } }, { "groups", groups } };
        var conv = Op(g, "conv2d", attrs, x, In(g, "w", cout, cin / groups, kh, kw), In(g, "b", cout));
        return g.Build(body(g, conv, cout));
    }

    /// <summary>batch_norm with a non-negative running variance (|v|), as every trained network has.</summary>
    private static Value BatchNorm(Random r, GraphBuilder g, Value x, int channels) =>
        Op(g, "batch_norm", new Attrs { { "eps", (float)Math.Pow(10, -r.Next(1, 6)) } },
            x, In(g, "mean", channels), g.Op("abs", In(g, "var", channels)), In(g, "gamma", channels), In(g, "beta", channels));

    /// <summary>reduce(expand(x)) where x has size-1 dims that the expand grows and the reduction covers.</summary>
    private static RuleCase Expand(string op) => new(r =>
    {
        var g = new GraphBuilder("lhs");
        var rank = r.Next(1, 4);
        var shape = Dims(r, rank);
        var target = shape.ToArray();
        var grown = r.Next(rank);
        shape[grown] = 1;
        target[grown] = r.Next(2, 5);
        for (var i = 0; i < rank; i++)
            if (i != grown && r.Next(3) == 0) { shape[i] = 1; target[i] = r.Next(1, 4); }
        var dims = Enumerable.Range(0, rank).Where(i => shape[i] != target[i] || r.Next(3) == 0).Select(i => r.Next(2) == 0 ? i : i - rank).ToArray();
        if (r.Next(4) == 0) dims = [];
        var expanded = Op(g, "expand", new Attrs { { "shape", target.Select((d, i) => d == shape[i] && r.Next(2) == 0 ? -1 : d).ToArray() } }, In(g, "x", shape));
        return g.Build(Op(g, op, new Attrs { { "dims", dims }, { "keepdim", r.Next(2) == 0 } }, expanded));
    });
}
