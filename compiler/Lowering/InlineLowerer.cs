using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using DyCompile.IR;
using DyCompile.Runtime;
using DyCompile.Runtime.Nn;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace DyCompile.Compiler.Lowering;

/// <summary>Inlining: a method with source called on a compile-time receiver runs in a frame of its
/// own, its blocks carrying the caller's live values; its returns meet in a continuation block.</summary>
internal sealed class InlineLowerer(MethodLowerer lowerer)
{
    private LoweringState State => lowerer.State;
    private EmissionContext Context => lowerer.Context;
    private ValueEmitter Values => lowerer.Values;
    private ControlFlowLowerer Flow => lowerer.Flow;

    internal AbstractValue Inline(IMethodSymbol method, AbstractValue? receiver, List<(IParameterSymbol Parameter, AbstractValue Value)> args, IOperation at)
    {
        // The body's operations refer to the method's definition: a generic helper called as
        // Id<Tensor> binds the parameters of Id<T>.
        method = method.OriginalDefinition;
        if (State.InlineStack.Contains(method, SymbolEqualityComparer.Default))
            throw State.Fail(DiagnosticIds.Recursion, at, $"'{method.Name}' calls itself (directly or through other methods); recursion cannot compile: write it as a loop");
        var self = receiver is StaticValue s ? s.Object : method.IsStatic ? null
            : throw State.Fail(DiagnosticIds.UnsupportedExpression, at, $"'{method.Name}' is called on a value not known at compile time; call it on the model or a submodule field");
        SubsetScanner.Check(method, State.Compilation);
        var graph = State.GraphOf(method);

        // What the callee's blocks must carry for the caller: its carried values, its locals
        // that are run-time values, and the operands already evaluated around this call.
        var carried = Context.LiveValues();
        var frame = new Frame(State.FrameCount++, method, graph, self, Context.Frame);
        var bound = new Dictionary<object, AbstractValue>();
        foreach (var p in method.Parameters) frame.SlotOrder[p] = frame.SlotOrder.Count;
        foreach (var (parameter, value) in args) bound[method.Parameters[parameter.Ordinal]] = value;

        var caller = Context.Save();
        var callerBlock = Context.Block;
        var callerInFlight = Context.InFlight.ToList();
        Context.InFlight.Clear();
        State.InlineStack.Push(method);
        Context.Frame = frame;
        Context.Slots = bound;
        Context.Carried = carried;
        Flow.RunBlock(graph.Blocks[0]);
        Flow.Drain(frame);
        State.InlineStack.Pop();
        Context.Restore(caller);
        Context.InFlight.Clear();
        Context.InFlight.AddRange(callerInFlight);

        if (frame.Returns.Count == 0)
            throw State.Fail(DiagnosticIds.InconsistentReturn, at, $"'{method.Name}' never returns");
        if (frame.Returns.Count == 1)
        {
            var site = frame.Returns[0];
            if (site.Block == callerBlock && ReferenceEquals(site.Renames, Context.Renames)) return site.Value;
            // The caller's own values are now named as in the return block.
            var renames = new Dictionary<Value, Value>(Context.Renames);
            foreach (var (from, to) in site.Renames) renames[from] = to;
            for (var i = 0; i < carried.Length; i++) renames[carried[i]] = EmissionContext.Resolve(site.Renames, site.Carried[i]);
            Context.Block = site.Block;
            Context.Renames = renames;
            return site.Value;
        }

        // Several returns meet in a continuation block.
        var first = frame.Returns[0].Value;
        if (frame.Returns.All(r => r.Value.Equals(first)) && first is StaticValue)
        {
            var join = Flow.NewBlock($"{frame.Tag}join");
            var joinCarried = carried.Select(c => Values.Param(join, Context.Use(c), "c")).ToImmutableArray();
            foreach (var site in frame.Returns)
            {
                var args2 = site.Carried.Select(c => EmissionContext.Resolve(site.Renames, c)).ToArray();
                site.Block.Jump(join, args2);
            }
            Context.EnterJoin(join, carried, joinCarried);
            return first;
        }
        var cont = Flow.NewBlock($"{frame.Tag}join");
        var contCarried = carried.Select(c => Values.Param(cont, Context.Use(c), "c")).ToImmutableArray();
        // Returns that differ only in sizes (a sequence returned after different numbers of steps)
        // meet in a parameter with those dimensions dynamic.
        var returned = new List<List<Value>>();
        foreach (var site in frame.Returns)
        {
            var saved = Context.Save();
            Context.Block = site.Block;
            Context.Renames = site.Renames;
            returned.Add(Values.MaterializeAll(site.Value, at));
            Context.Restore(saved);
        }
        var resultTypes = returned[0].Select(v => v.Type).ToList();
        foreach (var values in returned.Skip(1))
        {
            if (values.Count != resultTypes.Count)
                throw State.Fail(DiagnosticIds.InconsistentReturn, at, $"the returns of '{method.Name}' give different types; every return must produce the same types and shapes");
            for (var i = 0; i < resultTypes.Count; i++)
            {
                if (ControlFlowLowerer.Admits(resultTypes[i], values[i].Type)) continue;
                resultTypes[i] = ControlFlowLowerer.Widened(resultTypes[i], values[i].Type)
                    ?? throw State.Fail(DiagnosticIds.InconsistentReturn, at, $"the returns of '{method.Name}' give different types ({resultTypes[i]} and {values[i].Type}); every return must produce the same dtypes and ranks");
            }
        }
        var resultParams = resultTypes.Select(t => cont.Parameter(State.Unique("r"), t)).ToList();
        var shape = frame.Returns[0].Value;
        for (var r = 0; r < frame.Returns.Count; r++)
        {
            var site = frame.Returns[r];
            site.Block.Jump(cont, [.. site.Carried.Select(c => EmissionContext.Resolve(site.Renames, c)), .. returned[r]]);
        }
        Context.EnterJoin(cont, carried, contCarried);
        var queue = new Queue<Value>(resultParams);
        return ValueEmitter.Rebuild(shape, queue);
    }
}
