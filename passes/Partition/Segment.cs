using DyCompile.IR;
using DyCompile.Passes.Optimization;

namespace DyCompile.Passes.Partition;

/// <summary>A static region of a program, as a dataflow graph that runs with no host decision.
/// <see cref="Graph"/> keeps the program's value names; <see cref="Distinct"/> is the shared,
/// name-normalized form that is compiled once for every segment that computes the same thing.</summary>
public sealed class Segment(int index, string block, Graph graph, DistinctSegment distinct)
{
    /// <summary>Position in <see cref="PartitionedProgram.Segments"/>; printed as <c>s{index}</c>.</summary>
    public int Index { get; } = index;

    /// <summary>The host block that calls this segment.</summary>
    public string Block { get; } = block;

    public Graph Graph { get; } = graph;

    public DistinctSegment Distinct { get; } = distinct;

    public string Name => "s" + Index;

    /// <summary>What the e-graph optimizer did to this segment (null when it did not run on it).</summary>
    public OptimizationReport? Optimization { get; init; }
}

/// <summary>One class of structurally equal segments: value names normalized by position, so
/// equal graphs have equal <see cref="Key"/> text. Inputs, weights and outputs of
/// <see cref="Graph"/> line up positionally with those of every member segment.</summary>
public sealed class DistinctSegment(int index, Graph graph, string key)
{
    public int Index { get; } = index;

    public Graph Graph { get; } = graph;

    /// <summary>The canonical text the structural hash is taken of (exact, so no false sharing).</summary>
    public string Key { get; } = key;

    /// <summary>64-bit FNV-1a of <see cref="Key"/>, as 16 hex digits.</summary>
    public string Hash { get; } = StructuralHash.Hex(key);

    public string Name => "d" + Index;
}
