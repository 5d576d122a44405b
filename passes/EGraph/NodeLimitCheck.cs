namespace DyCompile.Passes.EGraph;

/// <summary>When the runner compares the e-graph's size with <see cref="Runner{TData}.NodeLimit"/>.</summary>
public enum NodeLimitCheck
{
    /// <summary>
    /// After every single application, against <see cref="EGraph{TData}.NodeCount"/>: a run
    /// stops within one application's worth of nodes of the limit.
    /// </summary>
    AfterEachApplication,

    /// <summary>
    /// As egg 0.9.5 does: after each rule's whole batch of applications (and the time limit with
    /// it), against <see cref="EGraph{TData}.TotalSize"/> (egg's <c>total_size</c>). A run stopped
    /// by the limit then does the same work as egg's, and the overshoot is up to one rule's batch.
    /// </summary>
    AfterEachRule,
}
