namespace DyCompile.Runtime.Compiled;

/// <summary>What every generated host dispatcher implements, so a compiled program can be run
/// without reflection. An instance is one execution state: its segment scratch buffers and the
/// output buffers of its call sites serve one call at a time, and outputs stay valid until its
/// next run. Weights are bound from outside (<see cref="Bind"/>), so instances of one program
/// share the weights and the work prepared from them.</summary>
public interface IHostProgram
{
    /// <summary>When set, each run appends the names of the host blocks it enters.</summary>
    List<string>? Path { get; set; }

    /// <summary>The stop conditions checked at every loop head; must be set before a run.</summary>
    ExecutionControl Control { get; set; }

    /// <summary>The eager regions the program's <c>host.call</c>s name by number; <see cref="HostCallbacks.None"/>
    /// for a program that calls none.</summary>
    HostCallbacks Callbacks { get; set; }

    /// <summary>Host block names of the loop heads, in the numbering <see cref="ExecutionControl.Tick"/> uses.</summary>
    IReadOnlyList<string> LoopHeads { get; }

    /// <summary>Runs the weight-only work of every call site (folded batch-norm, weight
    /// transposes) on <paramref name="weights"/> (in program order). Reads no state of this
    /// instance: the result serves every instance bound to those weights.</summary>
    Tensor[][] Prepare(Tensor[] weights);

    /// <summary>Makes the next runs read <paramref name="weights"/> (in program order) and the
    /// results of <see cref="Prepare"/> on them.</summary>
    void Bind(Tensor[] weights, Tensor[][] prepared);

    /// <summary>Runs the program: <paramref name="inputs"/> in program order (Tensors and boxed
    /// int, float, bool), results written to <paramref name="outputs"/>.</summary>
    void Run(object[] inputs, object[] outputs);
}
