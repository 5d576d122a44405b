using System.Text;
using DyCompile.IR;

namespace DyCompile.Passes.Partition;

/// <summary>A program split into static segments and a host program that calls them, computes
/// host scalars and makes the control-flow decisions.</summary>
public sealed class PartitionedProgram(IRProgram original, IRProgram simplified, IReadOnlyList<Segment> segments, IReadOnlyList<DistinctSegment> distinct, IReadOnlyList<HostBlock> host)
{
    public IRProgram Original { get; } = original;

    /// <summary>The program after chain merging and if-conversion; its blocks are the host blocks.</summary>
    public IRProgram Simplified { get; } = simplified;

    public IReadOnlyList<Segment> Segments { get; } = segments;

    /// <summary>The segments up to structural equality: what gets compiled.</summary>
    public IReadOnlyList<DistinctSegment> Distinct { get; } = distinct;

    public IReadOnlyList<HostBlock> Host { get; } = host;

    /// <summary>How many segments share a distinct segment because their functional hashes agree
    /// (confirmed), though their canonical text differs.</summary>
    public int FunctionallyShared { get; init; }

    public string Name => Original.Name;

    /// <summary>The text form: a summary line, one line per segment, the host program, and
    /// (with <paramref name="withBodies"/>) every distinct segment as a program.</summary>
    public string ToText(bool withBodies = false)
    {
        var sb = new StringBuilder();
        sb.Append($"partition @{Name}: {Segments.Count} segment(s), {Distinct.Count} distinct");
        if (FunctionallyShared > 0) sb.Append($" ({FunctionallyShared} shared by functional hash)");
        sb.Append('\n');
        foreach (var s in Segments)
        {
            var g = s.Graph;
            sb.Append($"segment {s.Name} = {s.Distinct.Name} in ^{s.Block} (")
              .AppendJoin(", ", g.Inputs.Concat(g.Weights).Select(v => v.Ref)).Append(") -> (")
              .AppendJoin(", ", g.Outputs.Select(v => v.Ref)).Append("): ")
              .AppendJoin(" ", g.Nodes.Select(n => n.Op)).Append('\n');
        }
        sb.Append("host {\n");
        foreach (var b in Host)
        {
            sb.Append(IRPrinter.BlockHeader(new Block(b.Name, b.Parameters, []))).Append('\n');
            foreach (var n in b.Before) sb.Append("  ").Append(IRPrinter.Print(n)).Append('\n');
            if (b.Call is { } call)
            {
                sb.Append("  ");
                if (call.Outputs.Count > 0) sb.AppendJoin(", ", call.Outputs.Select(v => v.Ref)).Append(" = ");
                sb.Append("call ").Append(call.Segment.Name).Append('(')
                  .AppendJoin(", ", call.Inputs.Concat(call.Weights).Select(v => v.Ref)).Append(")\n");
            }
            foreach (var n in b.After) sb.Append("  ").Append(IRPrinter.Print(n)).Append('\n');
            sb.Append("  ").Append(IRPrinter.Print(b.Terminator)).Append('\n');
        }
        sb.Append("}\n");
        if (withBodies)
            foreach (var d in Distinct)
                sb.Append($"distinct {d.Name} hash {d.Hash}\n").Append(IRPrinter.Print(d.Graph.ToProgram()));
        return sb.ToString();
    }

    public override string ToString() => ToText(withBodies: true);

    /// <summary>Graphviz DOT of the host control flow: one box per host block listing its segment
    /// call, edges labelled by branch outcome.</summary>
    public string ToDot()
    {
        static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"");
        var sb = new StringBuilder();
        sb.Append($"digraph \"{Escape(Name)}\" {{\n  node [shape=box, fontname=\"monospace\"];\n");
        foreach (var b in Host)
        {
            var label = new StringBuilder("^" + b.Name);
            if (b.Call is { } call)
                label.Append($"\\ncall {call.Segment.Name} = {call.Segment.Distinct.Name} [{call.Segment.Graph.Nodes.Length} ops, hash {call.Segment.Distinct.Hash[..8]}]");
            if (b.Terminator is Return) label.Append("\\nreturn");
            sb.Append($"  \"{Escape(b.Name)}\" [label=\"{Escape(label.ToString()).Replace("\\\\n", "\\n")}\"];\n");
            switch (b.Terminator)
            {
                case Jump j:
                    sb.Append($"  \"{Escape(b.Name)}\" -> \"{Escape(j.Target.Block)}\";\n");
                    break;
                case Branch br:
                    sb.Append($"  \"{Escape(b.Name)}\" -> \"{Escape(br.IfTrue.Block)}\" [label=\"{Escape(br.Condition.Ref)}\"];\n");
                    sb.Append($"  \"{Escape(b.Name)}\" -> \"{Escape(br.IfFalse.Block)}\" [label=\"!{Escape(br.Condition.Ref)}\", style=dashed];\n");
                    break;
            }
        }
        return sb.Append("}\n").ToString();
    }
}
