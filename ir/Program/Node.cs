using System.Collections.Immutable;

namespace DyCompile.IR;

/// <summary>An application of a catalog op: <c>%r = op(%a, %b) {attr = v} : type</c>.
/// Nodes of the op <c>const</c> carry a <see cref="ConstPayload"/> instead of operands.</summary>
public sealed class Node : Instruction
{
    public Node(string op, IEnumerable<Value> operands, Attrs? attrs, IEnumerable<Value> results, ConstPayload? payload = null)
    {
        Op = op;
        Operands = [.. operands];
        Attrs = (attrs?.Clone() ?? new Attrs()).Freeze();
        Results = [.. results];
        Payload = payload;
    }

    public string Op { get; }

    public ImmutableArray<Value> Operands { get; }

    public Attrs Attrs { get; }

    public ImmutableArray<Value> Results { get; }

    public ConstPayload? Payload { get; }

    public Value Result => Results.Length == 1 ? Results[0] : throw new InvalidOperationException($"{Op} has {Results.Length} results");

    public override IReadOnlyList<Value> Uses => Operands;

    public OpDef? Def => OpCatalog.TryGet(Op, out var def) ? def : null;

    public override string ToString() => IRPrinter.Print(this);
}
