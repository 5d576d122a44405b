namespace DyCompile.IR;

/// <summary>Ops that only move data: reshape, transpose, permute, concat, split, slice, narrow,
/// squeeze, unsqueeze, expand.</summary>
internal static class ShapeOps
{
    private const int Dyn = TensorType.Dynamic;

    public static IEnumerable<OpDef> Define()
    {
        yield return new OpDef { Name = "reshape", IsView = true, Operands = ["x"], Attributes = [AttrDef.Ints("shape")], Rule = Reshape };
        yield return new OpDef { Name = "transpose", Operands = ["x"], Attributes = [AttrDef.Int("dim0"), AttrDef.Int("dim1")], Rule = Transpose };
        yield return new OpDef { Name = "permute", Operands = ["x"], Attributes = [AttrDef.Ints("dims")], Rule = Permute };
        yield return new OpDef { Name = "concat", Operands = ["tensors"], Variadic = true, Attributes = [AttrDef.Int("dim")], Rule = Concat };
        yield return new OpDef
        {
            Name = "split",
            Operands = ["x"],
            Attributes = [AttrDef.Ints("sizes"), AttrDef.Int("dim")],
            ResultCount = OpDef.VariableResults,
            Rule = Split,
        };
        yield return new OpDef
        {
            Name = "slice",
            Operands = ["x"],
            Attributes = [AttrDef.Int("dim"), AttrDef.Int("start"), AttrDef.Int("end"), AttrDef.Int("step")],
            Rule = Slice,
        };
        yield return new OpDef
        {
            // A slice whose start is a host int known only at run time; its length is an
            // attribute, so the result's shape stays static.
            Name = "narrow",
            Operands = ["x", "start"],
            Attributes = [AttrDef.Int("dim"), AttrDef.Int("length")],
            Rule = Narrow,
        };
        yield return new OpDef { Name = "squeeze", IsView = true, Operands = ["x"], Attributes = [AttrDef.Ints("dims")], Rule = Squeeze };
        yield return new OpDef { Name = "unsqueeze", IsView = true, Operands = ["x"], Attributes = [AttrDef.Int("dim")], Rule = Unsqueeze };
        yield return new OpDef { Name = "expand", Operands = ["x"], Attributes = [AttrDef.Ints("shape")], Rule = Expand };
    }

    private static IReadOnlyList<IRType> Reshape(OpCall call)
    {
        var x = call.Tensor(0);
        var shape = call.Ints("shape");
        if (shape.Count(d => d == -1) > 1 || shape.Any(d => d < -1))
            throw call.Fail($"shape [{string.Join(", ", shape)}] may hold one -1 and otherwise sizes >= 0");
        var known = shape.Where(d => d != -1).Aggregate(1L, (n, d) => n * d);
        if (!x.IsStatic)
            return call.One(x.WithShape(shape.Select(d => d == -1 ? Dyn : d)));
        long count;
        try
        {
            count = x.Shape.Aggregate(1L, (n, d) => checked(n * d));
        }
        catch (OverflowException)
        {
            throw call.Fail($"cannot reshape {x}: it has more elements than a tensor can hold");
        }
        if (shape.Contains(-1))
        {
            if (known == 0 || count % known != 0)
                throw call.Fail($"cannot reshape {x} to [{string.Join(", ", shape)}]");
            if (count / known > int.MaxValue)
                throw call.Fail($"cannot reshape {x} to [{string.Join(", ", shape)}]: the -1 dimension would be {count / known}, beyond {int.MaxValue}");
            return call.One(x.WithShape(shape.Select(d => d == -1 ? (int)(count / known) : d)));
        }
        if (known != count) throw call.Fail($"cannot reshape {x} ({count} elements) to [{string.Join(", ", shape)}]");
        return call.One(x.WithShape(shape));
    }

    private static IReadOnlyList<IRType> Transpose(OpCall call)
    {
        var x = call.Tensor(0);
        if (x.Rank == 0)
        {
            call.Axis(call.Int("dim0"), 1, "dim0");
            call.Axis(call.Int("dim1"), 1, "dim1");
            return call.One(x);
        }
        var shape = x.Shape.ToArray();
        int a = call.Axis(call.Int("dim0"), x.Rank, "dim0"), b = call.Axis(call.Int("dim1"), x.Rank, "dim1");
        (shape[a], shape[b]) = (shape[b], shape[a]);
        return call.One(x.WithShape(shape));
    }

    private static IReadOnlyList<IRType> Permute(OpCall call)
    {
        var x = call.Tensor(0);
        var dims = call.Ints("dims").Select(d => call.Axis(d, x.Rank)).ToArray();
        if (dims.Length != x.Rank || dims.Distinct().Count() != x.Rank)
            throw call.Fail($"dims [{string.Join(", ", call.Ints("dims"))}] are not a permutation of the dims of {x}");
        return call.One(x.WithShape(dims.Select(d => x.Shape[d])));
    }

    private static IReadOnlyList<IRType> Concat(OpCall call)
    {
        if (call.Operands.Count == 0) throw call.Fail("needs at least one tensor");
        var first = call.Tensor(0);
        var dim = call.Axis(call.Int("dim"), first.Rank);
        var shape = first.Shape.ToArray();
        for (var i = 1; i < call.Operands.Count; i++)
        {
            var t = call.Tensor(i);
            call.RequireSameDType(first, t);
            if (t.Rank != first.Rank || Enumerable.Range(0, t.Rank).Any(d => d != dim && !OpCall.DimsAgree(t.Shape[d], first.Shape[d])))
                throw call.Fail($"shapes {TensorType.FormatShape(first.Shape)} and {TensorType.FormatShape(t.Shape)} differ outside dim {dim}");
            if (shape[dim] == Dyn || t.Shape[dim] == Dyn)
            {
                shape[dim] = Dyn;
                continue;
            }
            var joined = (long)shape[dim] + t.Shape[dim];
            if (joined > int.MaxValue) throw call.Fail($"dim {dim} of the result would be {joined}, beyond {int.MaxValue}");
            shape[dim] = (int)joined;
        }
        return call.One(first.WithShape(shape));
    }

    private static IReadOnlyList<IRType> Split(OpCall call)
    {
        var x = call.Tensor(0);
        var dim = call.Axis(call.Int("dim"), x.Rank);
        var sizes = call.Ints("sizes");
        if (sizes.Length == 0 || sizes.Any(s => s < 0))
            throw call.Fail($"sizes [{string.Join(", ", sizes)}] must be a non-empty list of sizes >= 0");
        if (x.Shape[dim] != Dyn && sizes.Sum(s => (long)s) != x.Shape[dim]) // in 64 bits: huge sizes must not wrap into a match
            throw call.Fail($"sizes [{string.Join(", ", sizes)}] do not add up to dim {dim} of {x}");
        return sizes.Select(s =>
        {
            var shape = x.Shape.ToArray();
            shape[dim] = s;
            return (IRType)x.WithShape(shape);
        }).ToArray();
    }

    private static IReadOnlyList<IRType> Slice(OpCall call)
    {
        var x = call.Tensor(0);
        var dim = call.Axis(call.Int("dim"), x.Rank);
        var step = call.Int("step");
        if (step < 1) throw call.Fail($"step must be >= 1, got {step}");
        var shape = x.Shape.ToArray();
        var n = shape[dim];
        if (n != Dyn)
        {
            // Python slice clamping: negative bounds count from the end, then clamp to [0, n].
            long Clamp(long i) => Math.Clamp(i < 0 ? i + n : i, 0, n);
            long start = Clamp(call.Int("start")), end = Clamp(call.Int("end"));
            shape[dim] = end > start ? (int)((end - start + step - 1) / step) : 0;
        }
        return call.One(x.WithShape(shape));
    }

    private static IReadOnlyList<IRType> Narrow(OpCall call)
    {
        var x = call.Tensor(0);
        if (call.Scalar(1) != IRType.Int) throw call.Fail($"operand 'start' must be int, got {call.Operands[1]}");
        var dim = call.Axis(call.Int("dim"), x.Rank);
        var length = call.Int("length");
        var shape = x.Shape.ToArray();
        // No start fits a length outside [0, size]; any other length fits some start, checked at run time.
        if (length < 0 || (shape[dim] != Dyn && length > shape[dim]))
            throw call.Fail($"length {length} does not fit dimension {call.Int("dim")} of {x}");
        shape[dim] = length;
        return call.One(x.WithShape(shape));
    }

    private static IReadOnlyList<IRType> Squeeze(OpCall call)
    {
        var x = call.Tensor(0);
        var named = call.Ints("dims").Select(d => call.Axis(d, Math.Max(x.Rank, 1))).ToList();
        var dims = named.ToHashSet();
        if (dims.Count != named.Count) throw call.Fail($"dims [{string.Join(", ", call.Ints("dims"))}] name a dimension twice");
        if (x.Rank == 0) return call.One(x);
        var removed = dims.Count == 0
            ? Enumerable.Range(0, x.Rank).Where(i => x.Shape[i] == 1).ToHashSet()
            : dims.Where(i => x.Shape[i] == 1).ToHashSet(); // like PyTorch, a named dim that is not 1 stays
        return call.One(x.WithShape(x.Shape.Where((_, i) => !removed.Contains(i))));
    }

    private static IReadOnlyList<IRType> Unsqueeze(OpCall call)
    {
        var x = call.Tensor(0);
        var dim = call.Axis(call.Int("dim"), x.Rank + 1);
        var shape = x.Shape.ToList();
        shape.Insert(dim, 1);
        return call.One(x.WithShape(shape));
    }

    private static IReadOnlyList<IRType> Expand(OpCall call)
    {
        var x = call.Tensor(0);
        var shape = call.Ints("shape");
        var lead = shape.Length - x.Rank;
        if (lead < 0) throw call.Fail($"shape [{string.Join(", ", shape)}] has fewer dims than {x}");
        var result = new int[shape.Length];
        for (var i = 0; i < shape.Length; i++)
        {
            var own = i < lead ? (int?)null : x.Shape[i - lead];
            result[i] = shape[i] == -1 && own is { } keep ? keep
                : shape[i] >= 0 && (own is null || own == 1 || own == Dyn || own == shape[i]) ? shape[i]
                : throw call.Fail($"cannot expand {x} to [{string.Join(", ", shape)}]");
        }
        return call.One(x.WithShape(result));
    }
}
