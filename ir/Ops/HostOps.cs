using DyCompile.Runtime;

namespace DyCompile.IR;

/// <summary>Host-scalar ops for control flow (evaluated by the IR itself; <c>host.dim</c> reads a
/// tensor's size into a host int), the literal op
/// <c>const</c>, and the two bridges between host scalars and tensors: <c>item</c> (a
/// kernel: reads one element back) and <c>tensor.from_scalar</c>.</summary>
internal static class HostOps
{
    public static IEnumerable<OpDef> Define()
    {
        foreach (var name in new[] { "add", "sub", "mul", "div", "min", "max" })
            yield return Host(name, ["a", "b"], Arithmetic);
        yield return Host("neg", ["x"], call => call.One(Numeric(call, 0)));
        yield return Host("abs", ["x"], call => call.One(Numeric(call, 0)));
        // The float functions of System.MathF on host floats (what Math.Sqrt & co. compute on a float).
        foreach (var name in new[] { "sqrt", "exp", "log", "round", "floor", "ceil" })
            yield return Host(name, ["x"], call => call.One(Real(call, 0)));
        yield return Host("pow", ["a", "b"], call => { Real(call, 0); Real(call, 1); return call.One(IRType.Float); });
        foreach (var name in new[] { "isnan", "isinf" })
            yield return Host(name, ["x"], call => { Real(call, 0); return call.One(IRType.Bool); });
        foreach (var name in new[] { "lt", "le", "gt", "ge" })
            yield return Host(name, ["a", "b"], call => { Arithmetic(call); return call.One(IRType.Bool); });
        foreach (var name in new[] { "eq", "ne" })
            yield return Host(name, ["a", "b"], call => { Same(call, 0, 1); return call.One(IRType.Bool); });
        foreach (var name in new[] { "and", "or" })
            yield return Host(name, ["a", "b"], call => { Boolean(call, 0); Boolean(call, 1); return call.One(IRType.Bool); });
        yield return Host("not", ["x"], call => { Boolean(call, 0); return call.One(IRType.Bool); });
        yield return Host("select", ["condition", "a", "b"], call =>
        {
            Boolean(call, 0);
            return call.One(Same(call, 1, 2));
        });
        yield return Host("to_float", ["x"], call => { call.Scalar(0); return call.One(IRType.Float); });
        yield return Host("to_int", ["x"], call => { call.Scalar(0); return call.One(IRType.Int); });
        // The size of dimension 'dim' of a tensor, read when the program runs: what x.Dim(d) gives
        // for a dimension whose size is known only then (a '?' of its type).
        yield return Host("dim", ["x", "dim"], call =>
        {
            call.Tensor(0);
            if (call.Scalar(1) != IRType.Int) throw call.Fail($"operand 'dim' must be int, got {call.Operands[1]}");
            return call.One(IRType.Int);
        });

        yield return new OpDef
        {
            // An eager C# region the compiler could not lower (non-strict mode): operand 0 is the
            // callback's id in HostCallbacks, the rest are the values the region reads. It has a
            // side effect; its int result (the id, once the region ran) marks that it happened.
            Name = "host.call",
            Kind = OpKind.Host,
            Operands = ["callee"],
            Variadic = true,
            Rule = call =>
            {
                if (call.Scalar(0) != IRType.Int) throw call.Fail($"operand 'callee' must be int, got {call.Operands[0]}");
                return call.One(IRType.Int);
            },
            Cost = CostRules.Host,
        };
        yield return new OpDef
        {
            Name = "tensor.from_scalar",
            Kind = OpKind.Host,
            Operands = ["x"],
            Rule = call =>
            {
                if (call.Scalar(0) != IRType.Float) throw call.Fail($"operand 'x' must be float, got {call.Operands[0]}");
                return call.One(IRType.F32());
            },
            Cost = (call, results) => new(0, 4),
        };
        yield return new OpDef
        {
            Name = "item",
            Operands = ["x"],
            Rule = call =>
            {
                var x = call.Tensor(0);
                if (x.Shape.Any(d => d != 1 && d != TensorType.Dynamic))
                    throw call.Fail($"needs a tensor with one element, got {x}");
                return call.One(IRType.Float);
            },
            Cost = (call, results) => new(0, call.Tensor(0).DType.ElementSize()),
        };
        yield return new OpDef
        {
            Name = "const",
            Kind = OpKind.Const,
            Rule = call => throw call.Fail("a constant declares its type; it is not inferred"),
            Cost = (call, results) => new(0, 0),
        };
    }

    private static OpDef Host(string name, string[] operands, ShapeRule rule) => new()
    {
        Name = "host." + name,
        Kind = OpKind.Host,
        Operands = [.. operands],
        Rule = rule,
        Cost = CostRules.Host,
    };

    private static ScalarType Numeric(OpCall call, int i)
    {
        var t = call.Scalar(i);
        if (t == IRType.Bool) throw call.Fail($"operand '{call.OperandName(i)}' must be int or float, got bool");
        return t;
    }

    private static ScalarType Real(OpCall call, int i)
    {
        var t = call.Scalar(i);
        if (t != IRType.Float) throw call.Fail($"operand '{call.OperandName(i)}' must be float, got {t}");
        return t;
    }

    private static void Boolean(OpCall call, int i)
    {
        if (call.Scalar(i) != IRType.Bool) throw call.Fail($"operand '{call.OperandName(i)}' must be bool, got {call.Operands[i]}");
    }

    private static ScalarType Same(OpCall call, int i, int j)
    {
        ScalarType a = call.Scalar(i), b = call.Scalar(j);
        if (a != b) throw call.Fail($"operands '{call.OperandName(i)}' and '{call.OperandName(j)}' differ: {a} and {b}");
        return a;
    }

    private static IReadOnlyList<IRType> Arithmetic(OpCall call)
    {
        Numeric(call, 0);
        Numeric(call, 1);
        return call.One(Same(call, 0, 1));
    }

    /// <summary>Dtype of a tensor that holds the value of a host scalar (used by const payloads).</summary>
    public static DType DTypeOf(ScalarType t) => t.Kind switch
    {
        ScalarKind.Int => DType.Int32,
        ScalarKind.Float => DType.Float32,
        _ => DType.Bool,
    };
}
