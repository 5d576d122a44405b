using DyCompile.Backends.Host;
using DyCompile.IR;
using DyCompile.Passes.Partition;
using DyCompile.Runtime;

namespace DyCompile.Compiler.Jit;

/// <summary>A program compiled to a loaded host dispatcher plus segment classes. <see cref="Run"/>
/// has the interpreter's calling convention (inputs in program order: Tensors and int, float,
/// bool host scalars); the result tensors belong to the compiled program and are overwritten by
/// the next run (clone them to keep them).</summary>
public sealed class CompiledProgram
{
    internal CompiledProgram(Program program, PartitionedProgram partition, GeneratedProgram generated, string source, IReadOnlyList<PassDump> dumps, IHostProgram host, bool recordPath)
    {
        Program = program;
        Partition = partition;
        Generated = generated;
        Source = source;
        PassDumps = dumps;
        Host = host;
        _recordPath = recordPath;
    }

    private readonly bool _recordPath;

    public Program Program { get; }

    public PartitionedProgram Partition { get; }

    /// <summary>This program's generated C# (its namespace only).</summary>
    public GeneratedProgram Generated { get; }

    /// <summary>The whole compilation unit it was built in (may hold other programs too).</summary>
    public string Source { get; }

    /// <summary>The program after each pass, in order.</summary>
    public IReadOnlyList<PassDump> PassDumps { get; }

    /// <summary>The loaded dispatcher; call it directly (with <see cref="IHostProgram.Path"/> null) for the allocation-free path.</summary>
    public IHostProgram Host { get; }

    public RunResult Run(IReadOnlyList<object> inputs)
    {
        CheckInputs(inputs);
        var path = _recordPath ? new List<string>() : null;
        Host.Path = path;
        var outputs = new object[Program.ResultTypes.Length];
        try
        {
            Host.Run([.. inputs], outputs);
        }
        finally
        {
            Host.Path = null;
        }
        return new RunResult(outputs, (IReadOnlyList<string>?)path ?? [], 0);
    }

    /// <summary>The allocation-free call: checks the inputs, runs with no path recording and
    /// writes the results to <paramref name="outputs"/> (one slot per program result). A
    /// steady-state call of a static-shaped program allocates nothing: tensors land in the
    /// program's buffers and a host scalar result reuses the boxed value already in its slot when
    /// it is unchanged.</summary>
    public void RunInto(object[] inputs, object[] outputs)
    {
        CheckInputs(inputs);
        if (outputs.Length != Program.ResultTypes.Length)
            throw new ArgumentException($"program @{Program.Name} has {Program.ResultTypes.Length} result(s), {outputs.Length} output slot(s) given");
        Host.Run(inputs, outputs);
    }

    private void CheckInputs(IReadOnlyList<object> inputs)
    {
        var declared = Program.Inputs;
        if (inputs.Count != declared.Length)
            throw new ArgumentException($"program @{Program.Name} takes {declared.Length} input(s), {inputs.Count} given");
        for (var i = 0; i < declared.Length; i++)
            if (!Accepts(declared[i].Type, inputs[i]))
                throw new ArgumentException($"program @{Program.Name}: input %{declared[i].Name} must be {declared[i].Type}, got {Describe(inputs[i])}");
    }

    internal static bool Accepts(IRType type, object value) => (type, value) switch
    {
        (TensorType t, Tensor v) => t.Accepts(v.DType, v.Shape),
        (ScalarType { Kind: ScalarKind.Int }, int) => true,
        (ScalarType { Kind: ScalarKind.Float }, float) => true,
        (ScalarType { Kind: ScalarKind.Bool }, bool) => true,
        _ => false,
    };

    internal static string Describe(object value) => value switch
    {
        Tensor t => $"tensor<{t.DType.ShortName()}, {Shapes.Format(t.Shape)}>",
        _ => $"{value.GetType().Name} {value}",
    };
}

/// <summary>The text of the program after one pass.</summary>
public sealed record PassDump(string Pass, string Text);
