namespace DyCompile.Passes.EGraph;

/// <summary>Why a <see cref="Runner{TData}"/> stopped.</summary>
public enum StopReason
{
    /// <summary>An iteration changed nothing and the scheduler had no banned rules left.</summary>
    Saturated,

    /// <summary>The iteration limit was reached.</summary>
    IterationLimit,

    /// <summary>The e-graph grew past the node limit (see <see cref="Runner{TData}.NodeLimit"/> for the overshoot).</summary>
    NodeLimit,

    /// <summary>The time limit passed.</summary>
    TimeLimit,

    /// <summary>A hook asked to stop (e.g. a goal was proved); its message is <see cref="Runner{TData}.StopMessage"/>.</summary>
    Hook,
}
