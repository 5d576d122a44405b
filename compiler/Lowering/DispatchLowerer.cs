using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using DyCompile.IR;
using DyCompile.Runtime;
using DyCompile.Runtime.Nn;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace DyCompile.Compiler.Lowering;

/// <summary>A module list (or module array) indexed by a run-time int: <c>experts[i].Forward(x)</c>
/// lowers to a chain of tests <c>i == 0</c>, <c>i == 1</c>, …, each arm the inlined call of that
/// element, all arms joining in one block whose parameters carry the results. An index outside
/// the list reaches a trap arm that throws through <c>host.call</c> what the eager indexer throws
/// (<see cref="ArgumentOutOfRangeException"/> for a module list, <see cref="IndexOutOfRangeException"/>
/// for an array).</summary>
internal sealed class DispatchLowerer(MethodLowerer lowerer)
{
    private LoweringState State => lowerer.State;
    private EmissionContext Context => lowerer.Context;
    private ValueEmitter Values => lowerer.Values;
    private CallLowerer Calls => lowerer.Calls;
    private ControlFlowLowerer Flow => lowerer.Flow;

    // One trap callback per call site and list size in the program's callback table.
    private readonly Dictionary<(string Symbol, int Count, bool IsArray), int> _traps = [];

    /// <summary>The modules of a compile-time collection a run-time index may pick from, or null.</summary>
    internal IReadOnlyList<object?>? ModuleItems(object? collection)
    {
        IReadOnlyList<object?>? items = collection switch
        {
            Module[] array => array,
            Module and System.Collections.IEnumerable list => [.. list.Cast<object?>()],
            _ => null,
        };
        if (items is not null) State.LargestModuleList = Math.Max(State.LargestModuleList, items.Count);
        return items;
    }

    /// <summary><paramref name="collection"/>[<paramref name="index"/>] with a run-time index. A counter
    /// that was a compile-time value before a loop head made it run-time is first asked to stay
    /// known (the loop then unrolls, one element per iteration, when its bound is known at compile
    /// time); a counter whose unrolling has no compile-time bound, or any other run-time int, dispatches.</summary>
    internal AbstractValue IndexModules(IReadOnlyList<object?> items, DynamicValue index, IOperation collection, IOperation at)
    {
        var value = Context.Use(index.Value);
        if (value.Type != IRType.Int)
            throw State.Fail(DiagnosticIds.DynamicModuleIndex, at, $"'{at.Syntax}' needs an int index, got {value.Type}");
        var origins = State.OriginsOf(value);
        if (origins.Count > 0 && !origins.Any(o => State.Plan.Dispatches(o.Method, o.Slot)))
            throw new RestartException(MethodLowerer.MakeDiagnostic(DiagnosticIds.DynamicModuleIndex, DiagnosticSeverity.Error, at.Syntax,
                $"indexing '{collection.Syntax}' by '{at.Syntax}' could not be lowered: its counter neither unrolls with a compile-time bound nor dispatches"),
                new RestartRequest([.. origins], [.. origins], [], []));
        return new DispatchValue(value, items, collection.Syntax.ToString(), items is Array);
    }

    /// <summary>When unrolling a counter kept known for a module index fails (the loop has no
    /// compile-time bound: the counter runs past the list, or the blocks run out), the restart
    /// that keeps the counter a run-time value and dispatches instead; null when no such counter.</summary>
    internal RestartException? DispatchInstead(IOperation at)
    {
        var requests = State.Plan.KnownModuleIndexes;
        if (requests.Count == 0) return null;
        return new RestartException(MethodLowerer.MakeDiagnostic(DiagnosticIds.DynamicModuleIndex, DiagnosticSeverity.Error, at.Syntax,
            "a loop counter indexing a module list has no compile-time bound"), new RestartRequest([], [], requests, []));
    }

    internal AbstractValue Dispatch(IMethodSymbol method, DispatchValue target, List<(IParameterSymbol Parameter, AbstractValue Value)> args, IOperation at)
    {
        if (target.Items.Count == 0)
            throw State.Fail(DiagnosticIds.DynamicModuleIndex, at, $"'{target.Collection}' is empty, so '{at.Syntax}' has no element to call");

        // Every value the caller still needs, and the call's operands, travel through the arms.
        var carried = Context.LiveValues();
        var index = Context.Use(target.Index);
        var operands = ValueEmitter.Flatten(args.Select(a => a.Value)).Select(Context.Use).ToList();
        var env = carried.Concat(operands).Append(index).Distinct().ToImmutableArray();

        var saved = Context.Save();
        var savedInFlight = Context.InFlight.ToList();
        var join = Flow.NewBlock($"{Context.Frame.Tag}dispatch.join");
        var joinCarried = carried.Select(c => Values.Param(join, c, "c")).ToImmutableArray();
        // The arms' jumps to the join wait until every arm ran: results that differ only in sizes
        // meet in a parameter with those dimensions dynamic.
        var armEnds = new List<(BlockBuilder Block, Value[] Args)>();
        List<IRType>? resultTypes = null;
        AbstractValue? shape = null;
        var test = Context.Block;
        var testRenames = Context.Renames;
        BlockBuilder? lastArm = null;
        for (var k = 0; k < target.Items.Count; k++)
        {
            var arm = Flow.NewBlock($"{Context.Frame.Tag}dispatch.{k}");
            var armParams = env.Select(v => Values.Param(arm, v, "d")).ToImmutableArray();
            var next = Flow.NewBlock(k == target.Items.Count - 1 ? $"{Context.Frame.Tag}dispatch.out_of_range" : $"{Context.Frame.Tag}dispatch.test");
            var nextParams = env.Select(v => Values.Param(next, v, "d")).ToImmutableArray();

            // The test: branch on index == k, every needed value passed on.
            Context.Block = test;
            Context.Renames = testRenames;
            var here = env.Select(Context.Use).ToArray();
            var isK = Context.Block.Host("eq", Context.Use(index), Context.Block.Const(k));
            Context.Block.Branch(isK, arm, here, next, here);

            // The arm: the element's call, inlined; its results and the carried values go to the join.
            Context.Restore(saved);
            Context.EnterJoin(arm, env, armParams);
            lastArm = arm;
            Context.InFlight.Clear();
            Context.InFlight.AddRange(savedInFlight);
            var result = Calls.CallMethod(method, new StaticValue(target.Items[k]), args, at);
            var values = Values.MaterializeAll(result, at);
            if (resultTypes is null)
            {
                resultTypes = [.. values.Select(v => v.Type)];
                shape = result;
            }
            else if (values.Count == resultTypes.Count && values.Zip(resultTypes).All(p => ControlFlowLowerer.Admits(p.Second, p.First.Type) || ControlFlowLowerer.Widened(p.Second, p.First.Type) is not null))
                resultTypes = [.. resultTypes.Zip(values, (t, v) => ControlFlowLowerer.Admits(t, v.Type) ? t : ControlFlowLowerer.Widened(t, v.Type)!)];
            else
                throw State.Fail(DiagnosticIds.DispatchTypes, at,
                    $"'{at.Syntax}' dispatches on a run-time index, but element {k} of '{target.Collection}' gives ({string.Join(", ", values.Select(v => v.Type))}) where element 0 gives ({string.Join(", ", resultTypes)}); every element must return the same dtypes and ranks");
            armEnds.Add((Context.Block, [.. carried.Select(Context.Use), .. values]));

            test = next;
            testRenames = new Dictionary<Value, Value>(saved.Renames);
            for (var i = 0; i < env.Length; i++) testRenames[env[i]] = nextParams[i];
        }

        // Out of range: the trap throws as the eager indexer would; the jump after it is never taken.
        Context.Restore(saved);
        Context.Block = test;
        Context.Renames = testRenames;
        var count = target.Items.Count;
        var collection = target.Collection;
        var symbol = $"{Context.Frame.Method.ContainingType.Name}.{Context.Frame.Method.Name}:{collection}[index]";
        var isArray = target.IsArray;
        if (!_traps.TryGetValue((symbol, count, isArray), out var trap))
            _traps[(symbol, count, isArray)] = trap = State.Callbacks.AddTrap(symbol, values =>
                throw (isArray
                    ? new IndexOutOfRangeException($"index {values[0]} is outside '{collection}' ({count} elements)")
                    : new ArgumentOutOfRangeException("index", values[0], $"index {values[0]} is outside '{collection}' ({count} elements)")));
        var trapId = Context.Block.Const(trap, State.Unique("trap"));
        Context.Block.Ops("host.call", [trapId, Context.Use(index)]);
        Context.Block.Jump(lastArm!, [.. env.Select(Context.Use)]);

        var results = resultTypes!.Select(t => join.Parameter(State.Unique("r"), t)).ToList();
        foreach (var (end, args2) in armEnds) end.Jump(join, args2);

        Context.Restore(saved);
        Context.InFlight.Clear();
        Context.InFlight.AddRange(savedInFlight);
        Context.EnterJoin(join, carried, joinCarried);
        return ValueEmitter.Rebuild(shape!, new Queue<Value>(results));
    }
}
