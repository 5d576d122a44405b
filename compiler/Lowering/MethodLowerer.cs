using DyCompile.IR;
using DyCompile.Runtime;
using Microsoft.CodeAnalysis;

namespace DyCompile.Compiler.Lowering;

/// <summary>Lowers one forward method to an IR program by partially evaluating Roslyn's control
/// flow graph of its body. Compile-time values (the model, submodules, weights, constants, the
/// position in a foreach over a module list) are tracked exactly and fold; run-time values
/// become IR values. Each Roslyn block is specialized by the compile-time part of its entry
/// state, so a foreach over a module list unrolls while a loop on run-time values stays one
/// loop: values cross IR blocks only as block parameters.
/// <para>One lowerer is one attempt. Its parts each lower one concept: control flow and loops
/// (<see cref="ControlFlowLowerer"/>), statements and expressions (<see cref="ExpressionLowerer"/>),
/// calls (<see cref="CallLowerer"/>), inlining (<see cref="InlineLowerer"/>), dispatch on a run-time
/// index (<see cref="DispatchLowerer"/>) and IR values (<see cref="ValueEmitter"/>); they share the
/// attempt's <see cref="LoweringState"/> and the <see cref="EmissionContext"/>.</para></summary>
internal sealed class MethodLowerer
{
    public MethodLowerer(Compilation compilation, LoweringOptions options, WeightNames weightNames, LoweringPlan plan, string programName)
    {
        State = new LoweringState(compilation, options, weightNames, plan, programName);
        Flow = new ControlFlowLowerer(this);
        Expressions = new ExpressionLowerer(this);
        Calls = new CallLowerer(this);
        Inliner = new InlineLowerer(this);
        Dispatcher = new DispatchLowerer(this);
        Values = new ValueEmitter(this);
    }

    internal LoweringState State { get; }
    internal EmissionContext Context { get; } = new();
    internal ControlFlowLowerer Flow { get; }
    internal ExpressionLowerer Expressions { get; }
    internal CallLowerer Calls { get; }
    internal InlineLowerer Inliner { get; }
    internal DispatchLowerer Dispatcher { get; }
    internal ValueEmitter Values { get; }

    public IReadOnlyDictionary<string, Tensor> Weights => State.WeightNames.Bound;

    public IReadOnlyList<Diagnostic> Warnings => State.Warnings;

    /// <summary>The eager regions and traps this lowering's program calls, numbered as its <c>host.call</c>s name them.</summary>
    public Runtime.Compiled.HostCallbacks Callbacks => State.Callbacks;

    /// <summary>Lowers <paramref name="method"/>: the program, or what this attempt learned that
    /// changes blocks it already emitted, for the next attempt to start from.</summary>
    public LoweringAttempt Lower(IMethodSymbol method, object model, IReadOnlyList<IRType> inputTypes)
    {
        try
        {
            return new LoweringAttempt.Lowered(LowerOnce(method, model, inputTypes));
        }
        catch (RestartException e)
        {
            return new LoweringAttempt.Restart(e.Diagnostic, e.Request);
        }
    }

    // Restarts are raised where they are found, deep in an expression or a call, as exceptions:
    // what the attempt emitted after that point is of no use. Lower hands them to the driver as data.
    private IRProgram LowerOnce(IMethodSymbol method, object model, IReadOnlyList<IRType> inputTypes)
    {
        var graph = State.GraphOf(method);
        var frame = new Frame(State.FrameCount++, method, graph, model, null);
        var slots = new Dictionary<object, AbstractValue>();
        for (var i = 0; i < method.Parameters.Length; i++)
        {
            var p = method.Parameters[i];
            var v = State.Program.Input(State.Unique(p.Name), inputTypes[i]);
            slots[p] = new DynamicValue(v);
            frame.SlotOrder[p] = frame.SlotOrder.Count;
        }
        State.InlineStack.Push(method);
        frame.Queue.Enqueue(new WorkItem(graph.Blocks[0], State.Program.Entry, slots, []));
        try
        {
            Flow.Drain(frame);
        }
        catch (RestartException e) when (State.PendingWidenings.Count > 0)
        {
            throw new RestartException(e.Diagnostic, e.Request with { Widen = [.. e.Request.Widen, .. State.PendingWidenings] });
        }
        catch (LoweringException e) when (State.PendingWidenings.Count > 0)
        {
            // The error may come from a loop head typed too narrowly: the widenings go first.
            throw Flow.WidenRestart(e.Diagnostic.Message);
        }
        if (State.PendingWidenings.Count > 0) throw Flow.WidenRestart(null);
        State.RejectStaleState();
        State.InlineStack.Pop();
        if (Flow.ResultTypes is { } resultTypes) State.Program.Returns([.. resultTypes]);
        return State.Program.Build();
    }

    internal static Diagnostic MakeDiagnostic(string id, DiagnosticSeverity severity, SyntaxNode at, string message) =>
        MakeDiagnostic(id, severity, at.GetLocation(), message);

    internal static Diagnostic MakeDiagnostic(string id, DiagnosticSeverity severity, Location at, string message)
    {
        var span = at.GetLineSpan();
        var file = string.IsNullOrEmpty(span.Path) ? "model.cs" : span.Path;
        return new Diagnostic(id, severity, file, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1, message);
    }
}
