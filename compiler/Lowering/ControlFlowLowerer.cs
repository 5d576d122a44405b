using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using DyCompile.IR;
using DyCompile.Runtime;
using DyCompile.Runtime.Nn;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace DyCompile.Compiler.Lowering;

/// <summary>Control flow and loops: lowers Roslyn blocks into IR blocks, one frame's queue at a
/// time. A block reached with a new compile-time entry state gets an IR block of its own (a
/// foreach over a module list unrolls); at a join, compile-time scalars become block parameters
/// (a counted loop stays one loop); a loop-carried tensor whose sizes change is widened; returns
/// of the entry method give the program's results.</summary>
internal sealed class ControlFlowLowerer(MethodLowerer lowerer)
{
    private LoweringState State => lowerer.State;
    private EmissionContext Context => lowerer.Context;
    private ValueEmitter Values => lowerer.Values;
    private ExpressionLowerer Expressions => lowerer.Expressions;
    private DispatchLowerer Dispatcher => lowerer.Dispatcher;

    private SyntaxNode? _firstWideningAt;

    private readonly Dictionary<string, (BlockBuilder Block, ImmutableArray<Value> Params)> _blocks = [];

    private List<IRType>? _resultTypes;

    /// <summary>The program's result types, once a return of the entry method was lowered.</summary>
    internal IReadOnlyList<IRType>? ResultTypes => _resultTypes;

    private int _blockCount;

    internal void Drain(Frame frame)
    {
        // An error in one block waits until the frame's other queued blocks ran: a block reached
        // while a loop counter was still a run-time value (say, the code after a loop over
        // shape-changing blocks, reached with the stem's tensor) may fail only because a later block
        // has yet to ask for that counter to stay known, and that request must win so the next
        // attempt unrolls the loop and types each value by what actually reaches it. This holds in
        // an inlined method as much as in the entry method: a callee's loop exit is queued like the
        // entry method's, and failing there at once would hide the request of the callee's body.
        LoweringException? deferred = null;
        var depth = State.InlineStack.Count;
        while (frame.Queue.Count > 0)
        {
            var item = frame.Queue.Dequeue();
            Context.Block = item.Target;
            Context.Renames = [];
            Context.Frame = frame;
            Context.Slots = new Dictionary<object, AbstractValue>(item.Slots);
            Context.Carried = item.Carried;
            try
            {
                RunBlock(item.Block);
            }
            catch (LoweringException e) when (e is not RestartException)
            {
                deferred ??= e;
                while (State.InlineStack.Count > depth) State.InlineStack.Pop();
                Context.InFlight.Clear();
            }
        }
        if (deferred is not null) throw deferred;
    }

    /// <summary>Lowers <paramref name="first"/> and every block it falls into that has no other
    /// predecessor, into the current IR block. Such chains are as long as the method (a run of
    /// early returns, a run of statically decided branches), so they are followed in a loop.</summary>
    internal void RunBlock(BasicBlock first)
    {
        for (BasicBlock? block = first; block is not null;)
            block = RunOne(block);
    }

    /// <summary>Lowers one Roslyn block; returns the successor to continue with in the same IR
    /// block, or null when the block ended the IR block (a branch, a jump, a return).</summary>
    private BasicBlock? RunOne(BasicBlock block)
    {
        for (var i = 0; i < block.Operations.Length; i++)
        {
            Context.Frame.CurrentBlock = block;
            Context.Frame.CurrentIndex = i;
            State.LastStatement = block.Operations[i];
            Expressions.Execute(block.Operations[i]);
        }
        Context.Frame.CurrentBlock = block;
        Context.Frame.CurrentIndex = block.Operations.Length;
        if (block.Kind == BasicBlockKind.Exit)
        {
            Return(null, null);
            return null;
        }
        if (block.ConditionKind == ControlFlowConditionKind.None)
            return Follow(block.FallThroughSuccessor!, block.BranchValue);
        var condition = Expressions.Eval(block.BranchValue!);
        var jumpWhen = block.ConditionKind == ControlFlowConditionKind.WhenTrue;
        if (condition is StaticValue { Object: bool known })
            return Follow(known == jumpWhen ? block.ConditionalSuccessor! : block.FallThroughSuccessor!, null);
        var flag = Values.HostScalar(condition, ScalarKind.Bool, block.BranchValue!);
        var taken = EdgeTarget(block.ConditionalSuccessor!, block.BranchValue!);
        var other = EdgeTarget(block.FallThroughSuccessor!, block.BranchValue!);
        if (jumpWhen) Context.Block.Branch(Context.Use(flag), taken.Block, taken.Args, other.Block, other.Args);
        else Context.Block.Branch(Context.Use(flag), other.Block, other.Args, taken.Block, taken.Args);
        return null;
    }

    /// <summary>Takes <paramref name="branch"/>; returns its destination when that continues the
    /// current IR block (it has no other predecessor), else null.</summary>
    private BasicBlock? Follow(ControlFlowBranch branch, IOperation? value)
    {
        switch (branch.Semantics)
        {
            case ControlFlowBranchSemantics.Return:
                Return(value is null ? null : Expressions.Eval(value), value);
                return null;
            case ControlFlowBranchSemantics.Regular:
                if (branch.Destination is { Kind: BasicBlockKind.Exit })
                {
                    Return(null, value);
                    return null;
                }
                var dest = branch.Destination!;
                if (dest.Predecessors.Length <= 1)
                {
                    Context.Slots = InScope(dest, Context.Slots);
                    return dest;
                }
                var target = EdgeTarget(branch, value);
                Context.Block.Jump(target.Block, [.. target.Args]);
                return null;
            case ControlFlowBranchSemantics.StructuredExceptionHandling:
                // The end of a foreach's finally (the enumerator's Dispose): nothing to run.
                return null;
            default:
                throw State.Fail(DiagnosticIds.Exceptions, value ?? Context.Frame.Graph.OriginalOperation,
                    "throwing exceptions cannot compile; return a sentinel value or check the condition before the forward pass");
        }
    }

    private (BlockBuilder Block, IReadOnlyList<Value> Args) EdgeTarget(ControlFlowBranch branch, IOperation? at)
    {
        var dest = branch.Destination;
        if (branch.Semantics != ControlFlowBranchSemantics.Regular || dest is null)
            throw State.Fail(DiagnosticIds.UnsupportedStatement, at ?? Context.Frame.Graph.OriginalOperation, "this branch cannot compile; use if/else, loops and return");
        if (dest.Kind == BasicBlockKind.Exit)
        {
            // A conditional exit of a method without a result: a block of its own that returns.
            var exit = NewBlock($"{Context.Frame.Tag}exit");
            var carriedParams = Context.Carried.Select(c => Values.Param(exit, c, "c")).ToImmutableArray();
            var args = Context.Carried.Select(Context.Use).ToList();
            var originals = Context.Carried;
            RunDetached(exit, [], carriedParams, () => Return(null, at), originals);
            return (exit, args);
        }
        var inScope = InScope(dest, Context.Slots);
        foreach (var (slot, value) in inScope)
            if (value is DispatchValue d)
                throw State.Fail(DiagnosticIds.DynamicModuleIndex, State.AssignedAt.GetValueOrDefault(slot) ?? at ?? Context.Frame.Graph.OriginalOperation,
                    $"'{SlotName(slot)}' holds an element of '{d.Collection}' picked by a run-time index and is still used after a branch or loop; call the element where it is indexed ('{d.Collection}[i].Forward(x)')");
        var slots = Generalize(dest, inScope);
        var key = KeyOf(dest, slots);
        if (!_blocks.TryGetValue(key, out var known))
        {
            var block = NewBlock($"{Context.Frame.Tag}bb{dest.Ordinal}");
            var paramSlots = new Dictionary<object, AbstractValue>();
            var widened = WidenedTypes(key);
            if (widened.Count > 0)
                foreach (var value in slots.Values)
                    if (value is DynamicValue { Value.Type: var counterType } counter && counterType == IRType.Int)
                        State.WidenedLoopCounters.UnionWith(State.OriginsOf(counter.Value));
            var position = 0;
            IRType TypeOf(Value v) => widened.TryGetValue(position++, out var t) ? t : v.Type;
            var carried = Context.Carried.Select(c => Values.Param(block, Context.Use(c), "c", TypeOf(Context.Use(c)))).ToImmutableArray();
            foreach (var (slot, value) in Context.Ordered(slots))
                paramSlots[slot] = Parameterize(block, value, SlotName(slot), TypeOf);
            known = (block, [.. carried, .. ValueEmitter.Flatten(paramSlots.Values)]);
            _blocks[key] = known;
            Context.Frame.Queue.Enqueue(new WorkItem(dest, block, paramSlots, carried));
        }
        var arguments = Context.Carried.Select(Context.Use).Concat(ValueEmitter.Flatten(Context.Ordered(slots).Select(p => p.Value)).Select(Context.Use)).ToList();
        var argumentSlots = Context.Carried.Select(_ => (object?)null)
            .Concat(Context.Ordered(slots).SelectMany(p => ValueEmitter.Flatten([p.Value]).Select(_ => (object?)p.Key))).ToList();
        // An edge to a block at or before its source is a loop's back edge; any other meets an if/else.
        var backEdge = branch.Source.Ordinal >= dest.Ordinal;
        CheckArgs(key, known.Block, known.Params, arguments, argumentSlots, at, backEdge);
        return (known.Block, arguments);
    }

    /// <summary>Each argument must fit its parameter. A tensor that keeps its dtype and rank but
    /// changes sizes (a sequence growing by one token per iteration) widens the parameter: those
    /// dimensions become dynamic. Lowering goes on, collecting every such widening of the attempt,
    /// and restarts with all of them at its end, until the loop heads' types settle.</summary>
    private void CheckArgs(string key, BlockBuilder block, ImmutableArray<Value> parameters, List<Value> args, List<object?> slots, IOperation? at, bool backEdge)
    {
        for (var i = 0; i < parameters.Length; i++)
        {
            if (parameters[i].Type == args[i].Type || Admits(parameters[i].Type, args[i].Type)) continue;
            if (Widened(parameters[i].Type, args[i].Type) is { } wide)
            {
                _firstWideningAt ??= (at ?? State.LastStatement ?? Context.Frame.Graph.OriginalOperation).Syntax;
                State.PendingWidenings.Add(new Widening(key, i, wide, block.Name, slots[i] is { } wideSlot ? SlotName(wideSlot) : "a value"));
                continue;
            }
            var name = slots[i] is { } named ? SlotName(named) : "a value";
            throw State.Fail(DiagnosticIds.TooManySpecializations,
                (slots[i] is { } slot ? State.AssignedAt.GetValueOrDefault(slot) : null) ?? at ?? State.LastStatement ?? Context.Frame.Graph.OriginalOperation,
                backEdge
                    ? $"'{name}' carried into ^{block.Name} changes type ({args[i].Type} where {parameters[i].Type} was seen first); a loop-carried tensor may change its sizes but not its dtype or rank"
                    : $"'{name}' is {args[i].Type} on one path and {parameters[i].Type} on another where they meet (^{block.Name}, after an if/else, ?: or switch); "
                        + "a value may differ in sizes between the paths but not in dtype or rank: give it the same rank on every path (Reshape, Unsqueeze or Squeeze one of them), or use it only inside each branch");
        }
    }

    /// <summary>The restart that applies this attempt's widenings. Its diagnostic stands only if
    /// they were all asked for before (the lowering does not settle).</summary>
    internal RestartException WidenRestart(string? after)
    {
        var first = State.PendingWidenings[0];
        var message = $"'{first.Slot}' carried into ^{first.Block} keeps changing its sizes ({first.Type}); the lowering did not settle";
        return new RestartException(MethodLowerer.MakeDiagnostic(DiagnosticIds.TooManySpecializations, DiagnosticSeverity.Error, _firstWideningAt!,
            after is null ? message : $"{message}, then: {after}"), new RestartRequest([], [], [], [.. State.PendingWidenings]));
    }

    /// <summary>Whether a value of type <paramref name="argument"/> may be passed where
    /// <paramref name="parameter"/> is expected: the same type, or a tensor of the same dtype and
    /// rank whose sizes agree wherever the parameter's are known.</summary>
    internal static bool Admits(IRType parameter, IRType argument) => Verifier.Admits(parameter, argument);

    /// <summary>The narrowest tensor type that admits both, when they differ only in sizes; else null.</summary>
    internal static TensorType? Widened(IRType first, IRType second) => LoweringPlan.Join(first, second);

    /// <summary>The parameter types earlier attempts widened for the block specialized as <paramref name="key"/>.</summary>
    private Dictionary<int, IRType> WidenedTypes(string key) => State.Plan.WidenedTypes(key);

    /// <summary>Runs <paramref name="body"/> with <paramref name="block"/> as the current block.</summary>
    private void RunDetached(BlockBuilder block, Dictionary<object, AbstractValue> slots, ImmutableArray<Value> carriedParams, Action body, ImmutableArray<Value> carriedOriginals)
    {
        var saved = Context.Save();
        Context.Block = block;
        Context.Renames = [];
        for (var i = 0; i < carriedParams.Length; i++) Context.Renames[carriedOriginals[i]] = carriedParams[i];
        Context.Slots = slots;
        Context.Carried = carriedParams;
        body();
        Context.Restore(saved);
    }

    internal BlockBuilder NewBlock(string hint)
    {
        if (++_blockCount > State.Options.BlockLimit && Dispatcher.DispatchInstead(Context.Frame.Graph.OriginalOperation) is { } dispatch)
            throw dispatch;
        if (_blockCount > State.Options.BlockLimit)
            throw State.Fail(DiagnosticIds.TooManySpecializations, State.LastStatement ?? Context.Frame.Graph.OriginalOperation, BlockLimitMessage());
        return State.Program.Block(State.Unique(hint));
    }

    /// <summary>Why lowering ran past <see cref="LoweringOptions.BlockLimit"/>, and the fixes: a
    /// foreach over a long module list is unrolled on purpose (one copy per item), so the limit
    /// is the thing to raise; any other loop is unrolled because something keeps changing.</summary>
    private string BlockLimitMessage()
    {
        var limit = $"lowering needed more than {State.Options.BlockLimit} IR blocks (LoweringOptions.BlockLimit)";
        var unrolling = Context.Slots.Values.OfType<StaticValue>().Select(s => s.Object).OfType<StaticEnumerator>()
            .OrderByDescending(e => e.Items.Count).FirstOrDefault();
        if (State.ListsGrown && unrolling is null)
            return $"{limit}: a List<Tensor> grows in a loop that is unrolled without a compile-time bound; "
                + "bound the loop by a constant or a module list, or collect into one tensor with TensorOps.Concat([acc, step], dim)";
        return unrolling is not null
            ? $"{limit}: a foreach over a list of {unrolling.Items.Count} items unrolls one copy of its body per item; raise LoweringOptions.BlockLimit "
                + $"(new LoweringOptions {{ BlockLimit = {Math.Max(2 * State.Options.BlockLimit, 4 * unrolling.Items.Count)} }}); compile time grows with the number of copies"
            : $"{limit}: a loop is unrolled without a compile-time bound, or a loop-carried value keeps changing; bound the loop by a constant or a module list, "
                + "keep loop-carried tensors the same shape, or raise LoweringOptions.BlockLimit if the program really is this large";
    }

    private AbstractValue Parameterize(BlockBuilder block, AbstractValue value, string hint, Func<Value, IRType> typeOf) => value switch
    {
        DynamicValue d => new DynamicValue(Values.Param(block, Context.Use(d.Value), hint, typeOf(Context.Use(d.Value)))),
        TupleValue t => new TupleValue([.. t.Items.Select(i => Parameterize(block, i, hint, typeOf))]),
        _ => value,
    };

    private static string SlotName(object slot) => slot switch
    {
        ISymbol s => s.Name,
        _ => "t",
    };

    /// <summary>The slots live on entry to <paramref name="dest"/>.</summary>
    private Dictionary<object, AbstractValue> InScope(BasicBlock dest, Dictionary<object, AbstractValue> slots)
    {
        var liveness = Context.Frame.Liveness;
        return slots.Where(kv => liveness.IsLiveIn(dest, kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
    }

    /// <summary>At a join, compile-time scalars become run-time values (so a counted loop stays a
    /// loop) unless an earlier attempt found that one must stay known.</summary>
    private Dictionary<object, AbstractValue> Generalize(BasicBlock dest, Dictionary<object, AbstractValue> slots)
    {
        if (dest.Predecessors.Length <= 1) return slots;
        var result = new Dictionary<object, AbstractValue>();
        var carriesNull = slots.Values.Any(v => v is StaticValue { Object: null, NullField: null });
        foreach (var (slot, value) in slots)
        {
            if (value is StaticValue { Object: int counter } && State.Plan.IndexesModules(Context.Frame.Method, slot) && State.Plan.KeepsKnown(Context.Frame.Method, slot)
                && Math.Abs(counter) > 2 * State.LargestModuleList + 8 && Dispatcher.DispatchInstead(Context.Frame.Graph.OriginalOperation) is { } dispatch)
                throw dispatch;
            if (value is StaticValue { Object: int or float or double or bool } s && !State.Plan.KeepsKnown(Context.Frame.Method, slot))
            {
                var v = Values.MaterializeScalar(s.Object!, null);
                State.Origins[v] = [new LocalSlot(Context.Frame.Method, slot)];
                if (carriesNull && s.Object is int) State.CountersBesideNulls.Add(new LocalSlot(Context.Frame.Method, slot));
                result[slot] = new DynamicValue(v);
            }
            else if (value is StaticValue { Object: CompileTimeTensor constant })
                result[slot] = new DynamicValue(Values.ConstTensor(constant.Value));
            else result[slot] = value;
        }
        return result;
    }

    private string KeyOf(BasicBlock dest, Dictionary<object, AbstractValue> slots)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append(Context.Frame.Id).Append(':').Append(dest.Ordinal).Append('|');
        foreach (var c in Context.Carried) sb.Append(c.Type).Append(',');
        foreach (var (slot, value) in Context.Ordered(slots))
            sb.Append('|').Append(Context.OrderOf(slot)).Append('=').Append(KeyOf(value));
        return sb.ToString();
    }

    // Identity hash codes may collide; objects in keys get ids of their own.
    private readonly Dictionary<object, int> _objectIds = new(ReferenceEqualityComparer.Instance);

    private int ObjectId(object o)
    {
        if (!_objectIds.TryGetValue(o, out var id)) _objectIds[o] = id = _objectIds.Count;
        return id;
    }

    private string KeyOf(AbstractValue value) => value switch
    {
        // Not the type: a loop-carried value that changes shape is reported at the loop head.
        DynamicValue => "d",
        TupleValue t => "(" + string.Join(",", t.Items.Select(KeyOf)) + ")",
        StaticValue { Object: null } => "null",
        StaticValue { Object: StaticEnumerator e } => $"e{ObjectId(e.Items)}@{e.Index}",
        StaticValue { Object: int or float or double or bool or string } s => s.Object!.GetType().Name + ":" + System.Convert.ToString(s.Object, System.Globalization.CultureInfo.InvariantCulture),
        StaticValue s => "o" + ObjectId(s.Object!),
        _ => "?",
    };

    private void Return(AbstractValue? value, IOperation? at)
    {
        if (Context.Frame.Parent is not null)
        {
            Context.Frame.Returns.Add(new ReturnSite(Context.Block, Context.Renames, value ?? StaticValue.Null, Context.Carried));
            return;
        }
        var values = value is null ? [] : Values.MaterializeAll(value, at ?? Context.Frame.Graph.OriginalOperation);
        var types = values.Select(v => v.Type).ToList();
        if (_resultTypes is null) _resultTypes = types;
        else if (_resultTypes.Count == types.Count && _resultTypes.Zip(types).All(p => Admits(p.First, p.Second) || Widened(p.First, p.Second) is not null))
            // Results that differ only in sizes (a sequence returned after a different number of
            // steps) make the program's result type dynamic in those dimensions.
            _resultTypes = [.. _resultTypes.Zip(types, (a, b) => Admits(a, b) ? a : Widened(a, b)!)];
        else if (!_resultTypes.SequenceEqual(types))
            throw State.Fail(DiagnosticIds.InconsistentReturn, at ?? Context.Frame.Graph.OriginalOperation,
                $"this return gives ({string.Join(", ", types)}) where another gives ({string.Join(", ", _resultTypes)}); every return must produce the same types and shapes");
        Context.Block.Return([.. values.Select(Context.Use)]);
    }
}
