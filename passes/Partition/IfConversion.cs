using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Passes.Partition;

/// <summary>Turns a cheap branch into straight-line code. A branch <c>branch %c, ^t(..), ^f(..)</c>
/// converts when each side either goes straight to a join block or runs a side block that only
/// the branch enters and that jumps to the join; both sides must reach the same join, and each side
/// block must be cheap (estimated flops within <see cref="PartitionOptions.IfConversionFlopBudget"/>)
/// and free of effects and failures (elementwise tensor ops, constants, host ops other than
/// integer division). Both sides then run, and each join argument becomes a <c>select</c>: a
/// <c>host.select</c> for scalars, a <c>where</c> on a 0-d predicate tensor for tensors. The
/// predicate is rebuilt on tensors where it is a comparison of read-back scalars, so it never
/// has to visit the host.</summary>
internal sealed class IfConversion(PartitionOptions options, NameAllocator names)
{
    private sealed record Side(List<Node> Nodes, string Join, IReadOnlyList<Value> Arguments);

    public bool TryConvert(MutableBlock block, Branch branch, IReadOnlyDictionary<string, MutableBlock> blocks, IReadOnlyDictionary<string, int> predecessors, string entry)
    {
        var t = SideOf(block, branch.IfTrue, blocks, predecessors, entry);
        var f = SideOf(block, branch.IfFalse, blocks, predecessors, entry);
        if (t is null || f is null || t.Join != f.Join || t.Join == block.Name) return false;
        if (branch.IfTrue.Block == branch.IfFalse.Block && t.Nodes.Count + f.Nodes.Count > 0) return false;
        var join = blocks[t.Join];

        var nodes = new List<Node>(block.Nodes);
        nodes.AddRange(t.Nodes);
        nodes.AddRange(f.Nodes);
        Value? predicate = null;
        var arguments = new List<Value>();
        for (var i = 0; i < join.Parameters.Count; i++)
        {
            Value a = t.Arguments[i], b = f.Arguments[i];
            if (a == b)
            {
                arguments.Add(a);
                continue;
            }
            var type = join.Parameters[i].Type;
            Value selected;
            if (type is TensorType)
            {
                predicate ??= TensorPredicate(branch.Condition, nodes);
                var inferred = OpCatalog.Infer("where", [predicate.Type, a.Type, b.Type], new Attrs());
                if (!inferred.Succeeded) return false;
                selected = Emit(nodes, "where", [predicate, a, b], new Attrs(), inferred.Types![0], "sel");
            }
            else
            {
                selected = Emit(nodes, "host.select", [branch.Condition, a, b], new Attrs(), type, "sel");
            }
            arguments.Add(selected);
        }
        block.Nodes = nodes;
        block.Terminator = new Jump(new BlockTarget(join.Name, [.. arguments]));
        return true;
    }

    private Side? SideOf(MutableBlock from, BlockTarget target, IReadOnlyDictionary<string, MutableBlock> blocks, IReadOnlyDictionary<string, int> predecessors, string entry)
    {
        if (!blocks.TryGetValue(target.Block, out var side)) return null;
        var isSideBlock = side.Name != entry && side.Name != from.Name && predecessors[side.Name] == 1
            && side.Terminator is Jump jump && jump.Target.Block != side.Name && IsCheap(side);
        if (!isSideBlock) return new Side([], target.Block, target.Arguments);
        var s = Substitution.Bind(side.Parameters, target.Arguments);
        var exit = (Jump)side.Terminator;
        return new Side([.. side.Nodes.Select(s.Apply)], exit.Target.Block, s.Apply(exit.Target).Arguments);
    }

    private bool IsCheap(MutableBlock side)
    {
        long flops = 0;
        foreach (var node in side.Nodes)
        {
            if (!IsPure(node)) return false;
            flops += OpCatalog.Cost(node.Op, [.. node.Operands.Select(v => v.Type)], node.Attrs, [.. node.Results.Select(v => v.Type)]).Flops;
        }
        return flops <= options.IfConversionFlopBudget;
    }

    /// <summary>Runs unconditionally without changing what the program does: no effects, no failure.</summary>
    public static bool IsPure(Node node) => node.Def switch
    {
        null => false,
        { Kind: OpKind.Const } => true,
        { Kind: OpKind.Host } => node.Op != "host.call" && !(node.Op == "host.div" && node.Operands[0].Type == IRType.Int),
        { Elementwise: true } => true,
        _ => false,
    };

    /// <summary>A 0-d bool tensor equal to the host bool <paramref name="condition"/>.</summary>
    private Value TensorPredicate(Value condition, List<Node> nodes)
    {
        var def = nodes.FirstOrDefault(n => n.Results.Contains(condition));
        if (def is { Op: "host.gt" or "host.ge" or "host.lt" or "host.le" } && def.Operands[0].Type == IRType.Float)
        {
            var a = TensorScalar(def.Operands[0], nodes);
            var b = TensorScalar(def.Operands[1], nodes);
            return Emit(nodes, def.Op["host.".Length..], [a, b], new Attrs(), IRType.Tensor(DType.Bool), "pred");
        }
        var asFloat = Emit(nodes, "host.to_float", [condition], new Attrs(), IRType.Float, "pred");
        var tensor = Emit(nodes, "tensor.from_scalar", [asFloat], new Attrs(), IRType.F32(), "pred");
        var half = EmitConst(nodes, IRType.F32(), 0.5, "half");
        return Emit(nodes, "gt", [tensor, half], new Attrs(), IRType.Tensor(DType.Bool), "pred");
    }

    /// <summary>A 0-d f32 tensor holding the host float <paramref name="x"/>: the one-element
    /// tensor it was read from, the constant it is, or (otherwise) <c>tensor.from_scalar</c>.</summary>
    private Value TensorScalar(Value x, List<Node> nodes)
    {
        var def = nodes.FirstOrDefault(n => n.Results.Contains(x));
        if (def is { Op: "item" } && def.Operands[0].Type is TensorType { DType: DType.Float32, IsStatic: true } t && t.ElementCount == 1)
            return t.Rank == 0 ? def.Operands[0] : Emit(nodes, "reshape", [def.Operands[0]], new Attrs { { "shape", Array.Empty<int>() } }, IRType.F32(), "pred");
        if (def is { Op: "const", Payload: { } payload })
            return EmitConst(nodes, IRType.F32(), payload.Values[0], "pred");
        return Emit(nodes, "tensor.from_scalar", [x], new Attrs(), IRType.F32(), "pred");
    }

    private Value Emit(List<Node> nodes, string op, Value[] operands, Attrs attrs, IRType type, string hint)
    {
        var result = new Value(names.Fresh(hint), type, ValueKind.Result);
        nodes.Add(new Node(op, operands, attrs, [result]));
        return result;
    }

    private Value EmitConst(List<Node> nodes, IRType type, double value, string hint)
    {
        var result = new Value(names.Fresh(hint), type, ValueKind.Result);
        nodes.Add(new Node("const", [], null, [result], ConstPayload.Of(value)));
        return result;
    }
}
