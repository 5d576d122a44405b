using System.Collections.Immutable;
using DyCompile.IR;
using DyCompile.Runtime.Nn;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace DyCompile.Compiler.Lowering;

/// <summary>A module list (or module array) indexed by a run-time int: <c>experts[i].Forward(x)</c>
/// lowers to a chain of tests <c>i == 0</c>, <c>i == 1</c>, …, each arm the inlined call of that
/// element, all arms joining in one block whose parameters carry the results. An index outside
/// the list reaches a trap arm that throws through <c>host.call</c> what the eager indexer throws
/// (<see cref="ArgumentOutOfRangeException"/> for a module list, <see cref="IndexOutOfRangeException"/>
/// for an array).</summary>
internal sealed partial class MethodLowerer
{
    // One trap callback per call site and list size in the program's callback table.
    private readonly Dictionary<(string Symbol, int Count, bool IsArray), int> _traps = [];

    // The longest module list indexed so far: a counter kept known for a module index that runs
    // far past it is taken as a loop without a compile-time bound.
    private int _largestModuleList;

    /// <summary>The modules of a compile-time collection a run-time index may pick from, or null.</summary>
    private IReadOnlyList<object?>? ModuleItems(object? collection)
    {
        IReadOnlyList<object?>? items = collection switch
        {
            Module[] array => array,
            Module and System.Collections.IEnumerable list => [.. list.Cast<object?>()],
            _ => null,
        };
        if (items is not null) _largestModuleList = Math.Max(_largestModuleList, items.Count);
        return items;
    }

    /// <summary>The run-time values a caller's live values hold, including the index of an element
    /// picked at run time (<c>var e = list[i]; var y = Helper(x); e.Forward(y)</c>), so they stay
    /// named across the blocks of an inlined call.</summary>
    private static IEnumerable<Value> CarriedThroughCall(IEnumerable<AbstractValue> values)
    {
        foreach (var v in values)
        {
            if (v is DispatchValue d) yield return d.Index;
            else if (v is TupleValue t)
                foreach (var inner in CarriedThroughCall(t.Items)) yield return inner;
            else
                foreach (var inner in Flatten([v])) yield return inner;
        }
    }

    /// <summary><paramref name="collection"/>[<paramref name="index"/>] with a run-time index. A counter
    /// that was a compile-time value before a loop head made it run-time is first asked to stay
    /// known (the loop then unrolls, one element per iteration, when its bound is known at compile
    /// time); a counter whose unrolling has no compile-time bound, or any other run-time int, dispatches.</summary>
    private AbstractValue IndexModules(IReadOnlyList<object?> items, DynamicValue index, IOperation collection, IOperation at)
    {
        var value = Use(index.Value);
        if (value.Type != IRType.Int)
            throw Fail(DiagnosticIds.DynamicModuleIndex, at, $"'{at.Syntax}' needs an int index, got {value.Type}");
        var origins = OriginsOf(value);
        if (origins.Count > 0 && !origins.Any(o => _plan.Dispatches(o.Item1, o.Item2)))
            throw new RestartException(MakeDiagnostic(DiagnosticIds.DynamicModuleIndex, DiagnosticSeverity.Error, at.Syntax,
                $"indexing '{collection.Syntax}' by '{at.Syntax}' could not be lowered: its counter neither unrolls with a compile-time bound nor dispatches"),
                new RestartRequest([.. origins], [.. origins], [], []));
        return new DispatchValue(value, items, collection.Syntax.ToString(), items is Array);
    }

    /// <summary>When unrolling a counter kept known for a module index fails (the loop has no
    /// compile-time bound: the counter runs past the list, or the blocks run out), the restart
    /// that keeps the counter a run-time value and dispatches instead; null when no such counter.</summary>
    private RestartException? DispatchInstead(IOperation at)
    {
        var requests = _plan.KnownModuleIndexes;
        if (requests.Count == 0) return null;
        return new RestartException(MakeDiagnostic(DiagnosticIds.DynamicModuleIndex, DiagnosticSeverity.Error, at.Syntax,
            "a loop counter indexing a module list has no compile-time bound"), new RestartRequest([], [], requests, []));
    }

    private AbstractValue Dispatch(IMethodSymbol method, DispatchValue target, List<(IParameterSymbol Parameter, AbstractValue Value)> args, IOperation at)
    {
        if (target.Items.Count == 0)
            throw Fail(DiagnosticIds.DynamicModuleIndex, at, $"'{target.Collection}' is empty, so '{at.Syntax}' has no element to call");

        // Every value the caller still needs, and the call's operands, travel through the arms.
        var live = _frame.CurrentBlock is { } current ? _frame.Liveness.LiveFrom(current, _frame.CurrentIndex) : null;
        var carried = _carried.Select(Use)
            .Concat(CarriedThroughCall(Ordered(_slots).Where(kv => live?.Contains(kv.Key) ?? true).Select(kv => kv.Value)).Select(Use))
            .Concat(CarriedThroughCall(_inFlight).Select(Use))
            .Distinct().ToImmutableArray();
        var index = Use(target.Index);
        var operands = Flatten(args.Select(a => a.Value)).Select(Use).ToList();
        var env = carried.Concat(operands).Append(index).Distinct().ToImmutableArray();

        var saved = Save();
        var savedInFlight = _inFlight.ToList();
        var join = NewBlock($"{_frame.Tag}dispatch.join");
        var joinCarried = carried.Select(c => Param(join, c, "c")).ToImmutableArray();
        // The arms' jumps to the join wait until every arm ran: results that differ only in sizes
        // meet in a parameter with those dimensions dynamic.
        var armEnds = new List<(BlockBuilder Block, Value[] Args)>();
        List<IRType>? resultTypes = null;
        AbstractValue? shape = null;
        var test = _block;
        var testRenames = _renames;
        BlockBuilder? lastArm = null;
        for (var k = 0; k < target.Items.Count; k++)
        {
            var arm = NewBlock($"{_frame.Tag}dispatch.{k}");
            var armParams = env.Select(v => Param(arm, v, "d")).ToImmutableArray();
            var next = NewBlock(k == target.Items.Count - 1 ? $"{_frame.Tag}dispatch.out_of_range" : $"{_frame.Tag}dispatch.test");
            var nextParams = env.Select(v => Param(next, v, "d")).ToImmutableArray();

            // The test: branch on index == k, every needed value passed on.
            _block = test;
            _renames = testRenames;
            var here = env.Select(Use).ToArray();
            var isK = _block.Host("eq", Use(index), _block.Const(k));
            _block.Branch(isK, arm, here, next, here);

            // The arm: the element's call, inlined; its results and the carried values go to the join.
            Restore(saved);
            EnterJoin(arm, env, armParams);
            lastArm = arm;
            _inFlight.Clear();
            _inFlight.AddRange(savedInFlight);
            var result = CallMethod(method, new StaticValue(target.Items[k]), args, at);
            var values = MaterializeAll(result, at);
            if (resultTypes is null)
            {
                resultTypes = [.. values.Select(v => v.Type)];
                shape = result;
            }
            else if (values.Count == resultTypes.Count && values.Zip(resultTypes).All(p => Admits(p.Second, p.First.Type) || Widened(p.Second, p.First.Type) is not null))
                resultTypes = [.. resultTypes.Zip(values, (t, v) => Admits(t, v.Type) ? t : Widened(t, v.Type)!)];
            else
                throw Fail(DiagnosticIds.DispatchTypes, at,
                    $"'{at.Syntax}' dispatches on a run-time index, but element {k} of '{target.Collection}' gives ({string.Join(", ", values.Select(v => v.Type))}) where element 0 gives ({string.Join(", ", resultTypes)}); every element must return the same dtypes and ranks");
            armEnds.Add((_block, [.. carried.Select(Use), .. values]));

            test = next;
            testRenames = new Dictionary<Value, Value>(saved.Item2);
            for (var i = 0; i < env.Length; i++) testRenames[env[i]] = nextParams[i];
        }

        // Out of range: the trap throws as the eager indexer would; the jump after it is never taken.
        Restore(saved);
        _block = test;
        _renames = testRenames;
        var count = target.Items.Count;
        var collection = target.Collection;
        var symbol = $"{_frame.Method.ContainingType.Name}.{_frame.Method.Name}:{collection}[index]";
        var isArray = target.IsArray;
        if (!_traps.TryGetValue((symbol, count, isArray), out var trap))
            _traps[(symbol, count, isArray)] = trap = Callbacks.AddTrap(symbol, values =>
                throw (isArray
                    ? new IndexOutOfRangeException($"index {values[0]} is outside '{collection}' ({count} elements)")
                    : new ArgumentOutOfRangeException("index", values[0], $"index {values[0]} is outside '{collection}' ({count} elements)")));
        var trapId = _block.Const(trap, Unique("trap"));
        _block.Ops("host.call", [trapId, Use(index)]);
        _block.Jump(lastArm!, [.. env.Select(Use)]);

        var results = resultTypes!.Select(t => join.Parameter(Unique("r"), t)).ToList();
        foreach (var (end, args2) in armEnds) end.Jump(join, args2);

        Restore(saved);
        _inFlight.Clear();
        _inFlight.AddRange(savedInFlight);
        EnterJoin(join, carried, joinCarried);
        return Rebuild(shape!, new Queue<Value>(results));
    }
}
