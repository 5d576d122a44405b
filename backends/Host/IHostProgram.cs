namespace DyCompile.Backends.Host;

/// <summary>What every generated host dispatcher implements, so a compiled program can be run
/// without reflection. Outputs are the dispatcher's own buffers: they stay valid until the next run.</summary>
public interface IHostProgram
{
    /// <summary>When set, each run appends the names of the host blocks it enters.</summary>
    List<string>? Path { get; set; }

    /// <summary>Runs the program: <paramref name="inputs"/> in program order (Tensors and boxed
    /// int, float, bool), results written to <paramref name="outputs"/>.</summary>
    void Run(object[] inputs, object[] outputs);
}
