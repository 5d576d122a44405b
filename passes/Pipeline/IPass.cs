namespace DyCompile.Passes.Pipeline;

/// <summary>One step of the pipeline (<see cref="PassPipeline"/>): a named transformation whose
/// result can be shown as text. <see cref="Name"/> names the pass in dumps and in
/// <c>CompileOptions.DumpDirectory</c> files.</summary>
public interface IPass<in TInput, TOutput>
{
    string Name { get; }

    TOutput Run(TInput input);

    /// <summary>What the pass produced, as text for a reader (IR text where the result is a program).</summary>
    string Dump(TOutput output);
}
