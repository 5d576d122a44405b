using DyCompile.IR;

namespace DyCompile.Compiler.Lowering;

// What one lowering attempt asks of the next. Lowering restarts from scratch when it learns
// something that changes earlier blocks (a counter must stay known, a loop head must take a
// dynamic dimension); the requests ride in the set of slots kept known, which survives the
// restarts, as (method, request) entries next to the (method, slot) entries.

/// <summary>A counter was kept known because it indexes a module list; if unrolling it has no
/// compile-time bound, the list is dispatched on instead.</summary>
internal sealed record ModuleIndexRequest(object Slot);

/// <summary>The counter stays a run-time value and a module list indexed by it dispatches.</summary>
internal sealed record DispatchRequest(object Slot);

/// <summary>Parameter <paramref name="Index"/> of the block specialized as <paramref name="Key"/>
/// takes <paramref name="Type"/>: a loop-carried tensor whose sizes change across iterations
/// gets those dimensions dynamic (<c>?</c>).</summary>
internal sealed record WidenRequest(string Key, int Index, IRType Type);
