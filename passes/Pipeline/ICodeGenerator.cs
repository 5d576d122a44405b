using DyCompile.IR;

namespace DyCompile.Passes.Pipeline;

/// <summary>What a backend gives the pipeline: the one question the passes ask it (which single
/// nodes it computes into a given tensor, so memory planning gives them a buffer) and the last
/// pass, which renders the planned program as <typeparamref name="TCode"/>.</summary>
public interface ICodeGenerator<TCode> : IPass<PlannedProgram, TCode>
{
    /// <summary>Whether the generated code can compute <paramref name="node"/> (one static tensor
    /// result) into a destination tensor it is given instead of allocating its result.</summary>
    bool WritesIntoDestination(Node node);

    /// <summary>The file extension of the generated code's dump (<c>cs</c> for C#).</summary>
    string DumpExtension { get; }
}
