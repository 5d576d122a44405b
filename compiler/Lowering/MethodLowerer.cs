using System.Collections.Immutable;
using DyCompile.IR;
using DyCompile.Runtime;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace DyCompile.Compiler.Lowering;

/// <summary>Lowers one forward method to an IR program by partially evaluating Roslyn's control
/// flow graph of its body. Compile-time values (the model, submodules, weights, constants, the
/// position in a foreach over a module list) are tracked exactly and fold; run-time values
/// become IR values. Each Roslyn block is specialized by the compile-time part of its entry
/// state, so a foreach over a module list unrolls while a loop on run-time values stays one
/// loop: values cross IR blocks only as block parameters.</summary>
internal sealed partial class MethodLowerer
{
    private readonly Compilation _compilation;
    private readonly LoweringOptions _options;
    private readonly WeightNames _weightNames;
    private readonly LoweringPlan _plan;
    private readonly List<Widening> _pendingWidenings = [];

    // The run-time int counters of loops whose heads earlier attempts widened: a size made dynamic
    // there that the program reads at compile time asks for the loop to unroll instead.
    private readonly HashSet<(IMethodSymbol, object)> _widenedLoopCounters = [];
    private SyntaxNode? _firstWideningAt;
    private readonly Dictionary<Value, HashSet<(IMethodSymbol, object)>> _origins = [];
    private readonly ProgramBuilder _program;
    private readonly HashSet<string> _names = [];
    private readonly Dictionary<string, Value> _weights = [];
    private readonly Dictionary<string, (BlockBuilder Block, ImmutableArray<Value> Params)> _blocks = [];
    private readonly List<Diagnostic> _warnings = [];
    private readonly Stack<IMethodSymbol> _inlineStack = new();
    private List<IRType>? _resultTypes;
    private int _frameCount;
    private int _blockCount;

    // The emission context: the IR block being filled, how values of earlier blocks are named
    // in it, the frame (method activation) and its slots (locals, parameters, flow captures).
    private BlockBuilder _block = null!;
    private Dictionary<Value, Value> _renames = [];
    private Frame _frame = null!;
    private Dictionary<object, AbstractValue> _slots = [];
    private readonly List<AbstractValue> _inFlight = [];

    public MethodLowerer(Compilation compilation, LoweringOptions options, WeightNames weightNames, LoweringPlan plan, string programName)
    {
        _compilation = compilation;
        _options = options;
        _weightNames = weightNames;
        _plan = plan;
        _program = new ProgramBuilder(programName);
    }

    public IReadOnlyDictionary<string, Tensor> Weights => _weightNames.Bound;

    public IReadOnlyList<Diagnostic> Warnings => _warnings;

    /// <summary>The eager regions and traps this lowering's program calls, numbered as its <c>host.call</c>s name them.</summary>
    public Runtime.Compiled.HostCallbacks Callbacks { get; } = new();

    /// <summary>The locals a run-time value was computed from, where they were compile-time
    /// scalars turned into run-time values at a join.</summary>
    public HashSet<(IMethodSymbol, object)> OriginsOf(Value value) => _origins.TryGetValue(value, out var o) ? o : [];

    /// <summary>One activation of a method being lowered (the entry method or an inlined callee).</summary>
    private sealed class Frame(int id, IMethodSymbol method, ControlFlowGraph graph, object? self, Frame? parent)
    {
        public int Id { get; } = id;
        public IMethodSymbol Method { get; } = method;
        public ControlFlowGraph Graph { get; } = graph;
        public object? Self { get; } = self;
        public Frame? Parent { get; } = parent;

        public Queue<WorkItem> Queue { get; } = new();
        public Liveness Liveness { get; } = new(graph);

        /// <summary>Where lowering is in this frame: the Roslyn block and operation.</summary>
        public BasicBlock? CurrentBlock { get; set; }
        public int CurrentIndex { get; set; }
        public Dictionary<object, int> SlotOrder { get; } = new();

        /// <summary>Flow captures of a local or parameter reference. Roslyn spills an assignment's
        /// target into one when the assigned value branches (<c>x = x.Softmax(c ? -1 : 1)</c>), so
        /// assigning the capture assigns the local.</summary>
        public Dictionary<CaptureId, IOperation> CapturedTargets { get; } = graph.Blocks
            .SelectMany(b => b.Operations)
            .OfType<IFlowCaptureOperation>()
            .Where(c => c.Value is ILocalReferenceOperation or IParameterReferenceOperation)
            .GroupBy(c => c.Id)
            .Where(g => g.Count() == 1)
            .ToDictionary(g => g.Key, g => g.Single().Value);
        public List<ReturnSite> Returns { get; } = [];

        public string Tag => Parent is null ? "" : $"{Method.Name.ToLowerInvariant()}{Id}.";
    }

    private sealed record WorkItem(BasicBlock Block, BlockBuilder Target, Dictionary<object, AbstractValue> Slots, ImmutableArray<Value> Carried);

    private sealed record ReturnSite(BlockBuilder Block, Dictionary<Value, Value> Renames, AbstractValue Value, ImmutableArray<Value> Carried);

    // ---------------------------------------------------------------- entry

    public IRProgram Lower(IMethodSymbol method, object model, IReadOnlyList<IRType> inputTypes)
    {
        var graph = GraphOf(method);
        var frame = new Frame(_frameCount++, method, graph, model, null);
        var slots = new Dictionary<object, AbstractValue>();
        for (var i = 0; i < method.Parameters.Length; i++)
        {
            var p = method.Parameters[i];
            var v = _program.Input(Unique(p.Name), inputTypes[i]);
            slots[p] = new DynamicValue(v);
            frame.SlotOrder[p] = frame.SlotOrder.Count;
        }
        _inlineStack.Push(method);
        frame.Queue.Enqueue(new WorkItem(graph.Blocks[0], _program.Entry, slots, []));
        try
        {
            Drain(frame);
        }
        catch (RestartException e) when (_pendingWidenings.Count > 0)
        {
            throw new RestartException(e.Diagnostic, e.Request with { Widen = [.. e.Request.Widen, .. _pendingWidenings] });
        }
        catch (LoweringException e) when (_pendingWidenings.Count > 0)
        {
            // The error may come from a loop head typed too narrowly: the widenings go first.
            throw WidenRestart(e.Diagnostic.Message);
        }
        if (_pendingWidenings.Count > 0) throw WidenRestart(null);
        RejectStaleState();
        _inlineStack.Pop();
        if (_resultTypes is not null) _program.Returns([.. _resultTypes]);
        return _program.Build();
    }

    // Fields and properties that may change after construction: those the program reads (their
    // value at compile time folds into it) and those a statement run eagerly assigns.
    private readonly List<StateAccess> _stateReads = [];
    private readonly List<StateAccess> _stateWrites = [];

    private sealed record StateAccess(ISymbol Member, IOperation At);

    private static ISymbol? MemberOf(IOperation reference) => reference switch
    {
        IFieldReferenceOperation f => f.Field.OriginalDefinition,
        IPropertyReferenceOperation p => p.Property.OriginalDefinition,
        _ => null,
    };

    /// <summary>A member the program reads at compile time and the forward method assigns would be
    /// stale from the second call on: the program keeps the value it had when it was lowered.</summary>
    private void RejectStaleState()
    {
        foreach (var write in _stateWrites)
        {
            var read = _stateReads.Find(r => SymbolEqualityComparer.Default.Equals(r.Member, write.Member));
            if (read is null) continue;
            var line = read.At.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
            throw Fail(DiagnosticIds.FieldMutation, write.At,
                $"'{write.Member.Name}' is assigned here and read by the compiled program (line {line}), which would keep the value it had when the model was compiled; "
                + $"a forward method must be a function of its inputs: pass the state in as a parameter and return the new value, e.g. (Tensor Output, Tensor State) Forward(Tensor x, Tensor state)");
        }
    }

    private void Drain(Frame frame)
    {
        // An error in one block waits until the frame's other queued blocks ran: a block reached
        // while a loop counter was still a run-time value (say, the code after a loop over
        // shape-changing blocks, reached with the stem's tensor) may fail only because a later block
        // has yet to ask for that counter to stay known, and that request must win so the next
        // attempt unrolls the loop and types each value by what actually reaches it. This holds in
        // an inlined method as much as in the entry method: a callee's loop exit is queued like the
        // entry method's, and failing there at once would hide the request of the callee's body.
        LoweringException? deferred = null;
        var depth = _inlineStack.Count;
        while (frame.Queue.Count > 0)
        {
            var item = frame.Queue.Dequeue();
            _block = item.Target;
            _renames = [];
            _frame = frame;
            _slots = new Dictionary<object, AbstractValue>(item.Slots);
            _carried = item.Carried;
            try
            {
                RunBlock(item.Block);
            }
            catch (LoweringException e) when (e is not RestartException)
            {
                deferred ??= e;
                while (_inlineStack.Count > depth) _inlineStack.Pop();
                _inFlight.Clear();
            }
        }
        if (deferred is not null) throw deferred;
    }

    private ImmutableArray<Value> _carried = [];

    // ---------------------------------------------------------------- blocks and edges

    private IOperation? _lastStatement;
    private readonly Dictionary<object, IOperation> _assignedAt = [];

    /// <summary>Lowers <paramref name="first"/> and every block it falls into that has no other
    /// predecessor, into the current IR block. Such chains are as long as the method (a run of
    /// early returns, a run of statically decided branches), so they are followed in a loop.</summary>
    private void RunBlock(BasicBlock first)
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
            _frame.CurrentBlock = block;
            _frame.CurrentIndex = i;
            _lastStatement = block.Operations[i];
            Execute(block.Operations[i]);
        }
        _frame.CurrentBlock = block;
        _frame.CurrentIndex = block.Operations.Length;
        if (block.Kind == BasicBlockKind.Exit)
        {
            Return(null, null);
            return null;
        }
        if (block.ConditionKind == ControlFlowConditionKind.None)
            return Follow(block.FallThroughSuccessor!, block.BranchValue);
        var condition = Eval(block.BranchValue!);
        var jumpWhen = block.ConditionKind == ControlFlowConditionKind.WhenTrue;
        if (condition is StaticValue { Object: bool known })
            return Follow(known == jumpWhen ? block.ConditionalSuccessor! : block.FallThroughSuccessor!, null);
        var flag = HostScalar(condition, ScalarKind.Bool, block.BranchValue!);
        var taken = EdgeTarget(block.ConditionalSuccessor!, block.BranchValue!);
        var other = EdgeTarget(block.FallThroughSuccessor!, block.BranchValue!);
        if (jumpWhen) _block.Branch(Use(flag), taken.Block, taken.Args, other.Block, other.Args);
        else _block.Branch(Use(flag), other.Block, other.Args, taken.Block, taken.Args);
        return null;
    }

    /// <summary>Takes <paramref name="branch"/>; returns its destination when that continues the
    /// current IR block (it has no other predecessor), else null.</summary>
    private BasicBlock? Follow(ControlFlowBranch branch, IOperation? value)
    {
        switch (branch.Semantics)
        {
            case ControlFlowBranchSemantics.Return:
                Return(value is null ? null : Eval(value), value);
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
                    _slots = InScope(dest, _slots);
                    return dest;
                }
                var target = EdgeTarget(branch, value);
                _block.Jump(target.Block, [.. target.Args]);
                return null;
            case ControlFlowBranchSemantics.StructuredExceptionHandling:
                // The end of a foreach's finally (the enumerator's Dispose): nothing to run.
                return null;
            default:
                throw Fail(DiagnosticIds.Exceptions, value ?? _frame.Graph.OriginalOperation,
                    "throwing exceptions cannot compile; return a sentinel value or check the condition before the forward pass");
        }
    }

    private (BlockBuilder Block, IReadOnlyList<Value> Args) EdgeTarget(ControlFlowBranch branch, IOperation? at)
    {
        var dest = branch.Destination;
        if (branch.Semantics != ControlFlowBranchSemantics.Regular || dest is null)
            throw Fail(DiagnosticIds.UnsupportedStatement, at ?? _frame.Graph.OriginalOperation, "this branch cannot compile; use if/else, loops and return");
        if (dest.Kind == BasicBlockKind.Exit)
        {
            // A conditional exit of a method without a result: a block of its own that returns.
            var exit = NewBlock($"{_frame.Tag}exit");
            var carriedParams = _carried.Select(c => Param(exit, c, "c")).ToImmutableArray();
            var args = _carried.Select(Use).ToList();
            var originals = _carried;
            RunDetached(exit, [], carriedParams, () => Return(null, at), originals);
            return (exit, args);
        }
        var inScope = InScope(dest, _slots);
        foreach (var (slot, value) in inScope)
            if (value is DispatchValue d)
                throw Fail(DiagnosticIds.DynamicModuleIndex, _assignedAt.GetValueOrDefault(slot) ?? at ?? _frame.Graph.OriginalOperation,
                    $"'{SlotName(slot)}' holds an element of '{d.Collection}' picked by a run-time index and is still used after a branch or loop; call the element where it is indexed ('{d.Collection}[i].Forward(x)')");
        var slots = Generalize(dest, inScope);
        var key = KeyOf(dest, slots);
        if (!_blocks.TryGetValue(key, out var known))
        {
            var block = NewBlock($"{_frame.Tag}bb{dest.Ordinal}");
            var paramSlots = new Dictionary<object, AbstractValue>();
            var widened = WidenedTypes(key);
            if (widened.Count > 0)
                foreach (var value in slots.Values)
                    if (value is DynamicValue { Value.Type: var counterType } counter && counterType == IRType.Int)
                        _widenedLoopCounters.UnionWith(OriginsOf(counter.Value));
            var position = 0;
            IRType TypeOf(Value v) => widened.TryGetValue(position++, out var t) ? t : v.Type;
            var carried = _carried.Select(c => Param(block, Use(c), "c", TypeOf(Use(c)))).ToImmutableArray();
            foreach (var (slot, value) in Ordered(slots))
                paramSlots[slot] = Parameterize(block, value, SlotName(slot), TypeOf);
            known = (block, [.. carried, .. Flatten(paramSlots.Values)]);
            _blocks[key] = known;
            _frame.Queue.Enqueue(new WorkItem(dest, block, paramSlots, carried));
        }
        var arguments = _carried.Select(Use).Concat(Flatten(Ordered(slots).Select(p => p.Value)).Select(Use)).ToList();
        var argumentSlots = _carried.Select(_ => (object?)null)
            .Concat(Ordered(slots).SelectMany(p => Flatten([p.Value]).Select(_ => (object?)p.Key))).ToList();
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
                _firstWideningAt ??= (at ?? _lastStatement ?? _frame.Graph.OriginalOperation).Syntax;
                _pendingWidenings.Add(new Widening(key, i, wide, block.Name, slots[i] is { } wideSlot ? SlotName(wideSlot) : "a value"));
                continue;
            }
            var name = slots[i] is { } named ? SlotName(named) : "a value";
            throw Fail(DiagnosticIds.TooManySpecializations,
                (slots[i] is { } slot ? _assignedAt.GetValueOrDefault(slot) : null) ?? at ?? _lastStatement ?? _frame.Graph.OriginalOperation,
                backEdge
                    ? $"'{name}' carried into ^{block.Name} changes type ({args[i].Type} where {parameters[i].Type} was seen first); a loop-carried tensor may change its sizes but not its dtype or rank"
                    : $"'{name}' is {args[i].Type} on one path and {parameters[i].Type} on another where they meet (^{block.Name}, after an if/else, ?: or switch); "
                        + "a value may differ in sizes between the paths but not in dtype or rank: give it the same rank on every path (Reshape, Unsqueeze or Squeeze one of them), or use it only inside each branch");
        }
    }

    /// <summary>The restart that applies this attempt's widenings. Its diagnostic stands only if
    /// they were all asked for before (the lowering does not settle).</summary>
    private RestartException WidenRestart(string? after)
    {
        var first = _pendingWidenings[0];
        var message = $"'{first.Slot}' carried into ^{first.Block} keeps changing its sizes ({first.Type}); the lowering did not settle";
        return new RestartException(MakeDiagnostic(DiagnosticIds.TooManySpecializations, DiagnosticSeverity.Error, _firstWideningAt!,
            after is null ? message : $"{message}, then: {after}"), new RestartRequest([], [], [], [.. _pendingWidenings]));
    }

    /// <summary>Whether a value of type <paramref name="argument"/> may be passed where
    /// <paramref name="parameter"/> is expected: the same type, or a tensor of the same dtype and
    /// rank whose sizes agree wherever the parameter's are known.</summary>
    private static bool Admits(IRType parameter, IRType argument) => Verifier.Admits(parameter, argument);

    /// <summary>The narrowest tensor type that admits both, when they differ only in sizes; else null.</summary>
    private static TensorType? Widened(IRType first, IRType second) => LoweringPlan.Join(first, second);

    /// <summary>The parameter types earlier attempts widened for the block specialized as <paramref name="key"/>.</summary>
    private Dictionary<int, IRType> WidenedTypes(string key) => _plan.WidenedTypes(key);

    /// <summary>Runs <paramref name="body"/> with <paramref name="block"/> as the current block.</summary>
    private void RunDetached(BlockBuilder block, Dictionary<object, AbstractValue> slots, ImmutableArray<Value> carriedParams, Action body, ImmutableArray<Value> carriedOriginals)
    {
        var saved = Save();
        _block = block;
        _renames = [];
        for (var i = 0; i < carriedParams.Length; i++) _renames[carriedOriginals[i]] = carriedParams[i];
        _slots = slots;
        _carried = carriedParams;
        body();
        Restore(saved);
    }

    private (BlockBuilder, Dictionary<Value, Value>, Frame, Dictionary<object, AbstractValue>, ImmutableArray<Value>) Save() =>
        (_block, _renames, _frame, _slots, _carried);

    private void Restore((BlockBuilder, Dictionary<Value, Value>, Frame, Dictionary<object, AbstractValue>, ImmutableArray<Value>) s) =>
        (_block, _renames, _frame, _slots, _carried) = s;

    private BlockBuilder NewBlock(string hint)
    {
        if (++_blockCount > _options.BlockLimit && DispatchInstead(_frame.Graph.OriginalOperation) is { } dispatch)
            throw dispatch;
        if (_blockCount > _options.BlockLimit)
            throw Fail(DiagnosticIds.TooManySpecializations, _lastStatement ?? _frame.Graph.OriginalOperation, BlockLimitMessage());
        return _program.Block(Unique(hint));
    }

    /// <summary>Why lowering ran past <see cref="LoweringOptions.BlockLimit"/>, and the fixes: a
    /// foreach over a long module list is unrolled on purpose (one copy per item), so the limit
    /// is the thing to raise; any other loop is unrolled because something keeps changing.</summary>
    private string BlockLimitMessage()
    {
        var limit = $"lowering needed more than {_options.BlockLimit} IR blocks (LoweringOptions.BlockLimit)";
        var unrolling = _slots.Values.OfType<StaticValue>().Select(s => s.Object).OfType<StaticEnumerator>()
            .OrderByDescending(e => e.Items.Count).FirstOrDefault();
        if (_listsGrown && unrolling is null)
            return $"{limit}: a List<Tensor> grows in a loop that is unrolled without a compile-time bound; "
                + "bound the loop by a constant or a module list, or collect into one tensor with TensorOps.Concat([acc, step], dim)";
        return unrolling is not null
            ? $"{limit}: a foreach over a list of {unrolling.Items.Count} items unrolls one copy of its body per item; raise LoweringOptions.BlockLimit "
                + $"(new LoweringOptions {{ BlockLimit = {Math.Max(2 * _options.BlockLimit, 4 * unrolling.Items.Count)} }}); compile time grows with the number of copies"
            : $"{limit}: a loop is unrolled without a compile-time bound, or a loop-carried value keeps changing; bound the loop by a constant or a module list, "
                + "keep loop-carried tensors the same shape, or raise LoweringOptions.BlockLimit if the program really is this large";
    }

    private Value Param(BlockBuilder block, Value from, string hint, IRType? type = null)
    {
        var p = block.Parameter(Unique(hint), type ?? from.Type);
        if (_origins.TryGetValue(from, out var o)) _origins[p] = [.. o];
        return p;
    }

    private AbstractValue Parameterize(BlockBuilder block, AbstractValue value, string hint, Func<Value, IRType> typeOf) => value switch
    {
        DynamicValue d => new DynamicValue(Param(block, Use(d.Value), hint, typeOf(Use(d.Value)))),
        TupleValue t => new TupleValue([.. t.Items.Select(i => Parameterize(block, i, hint, typeOf))]),
        _ => value,
    };

    private static IEnumerable<Value> Flatten(IEnumerable<AbstractValue> values)
    {
        foreach (var v in values)
        {
            if (v is DynamicValue d) yield return d.Value;
            else if (v is TupleValue t)
                foreach (var inner in Flatten(t.Items)) yield return inner;
        }
    }

    private IEnumerable<KeyValuePair<object, AbstractValue>> Ordered(Dictionary<object, AbstractValue> slots) =>
        slots.OrderBy(kv => OrderOf(kv.Key));

    private int OrderOf(object slot)
    {
        if (!_frame.SlotOrder.TryGetValue(slot, out var i)) _frame.SlotOrder[slot] = i = _frame.SlotOrder.Count;
        return i;
    }

    private static string SlotName(object slot) => slot switch
    {
        ISymbol s => s.Name,
        _ => "t",
    };

    /// <summary>The slots live on entry to <paramref name="dest"/>.</summary>
    private Dictionary<object, AbstractValue> InScope(BasicBlock dest, Dictionary<object, AbstractValue> slots)
    {
        var liveness = _frame.Liveness;
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
            if (value is StaticValue { Object: int counter } && _plan.IndexesModules(_frame.Method, slot) && _plan.KeepsKnown(_frame.Method, slot)
                && Math.Abs(counter) > 2 * _largestModuleList + 8 && DispatchInstead(_frame.Graph.OriginalOperation) is { } dispatch)
                throw dispatch;
            if (value is StaticValue { Object: int or float or double or bool } s && !_plan.KeepsKnown(_frame.Method, slot))
            {
                var v = MaterializeScalar(s.Object!, null);
                _origins[v] = [(_frame.Method, slot)];
                if (carriesNull && s.Object is int) _countersBesideNulls.Add((_frame.Method, slot));
                result[slot] = new DynamicValue(v);
            }
            else if (value is StaticValue { Object: CompileTimeTensor constant })
                result[slot] = new DynamicValue(ConstTensor(constant.Value));
            else result[slot] = value;
        }
        return result;
    }

    // Int counters made run-time values at a join that a local still null crossed: unrolling their
    // loop tells each step whether the local was assigned yet.
    private readonly HashSet<(IMethodSymbol, object)> _countersBesideNulls = [];

    private string KeyOf(BasicBlock dest, Dictionary<object, AbstractValue> slots)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append(_frame.Id).Append(':').Append(dest.Ordinal).Append('|');
        foreach (var c in _carried) sb.Append(c.Type).Append(',');
        foreach (var (slot, value) in Ordered(slots))
            sb.Append('|').Append(OrderOf(slot)).Append('=').Append(KeyOf(value));
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

    // ---------------------------------------------------------------- returns

    private void Return(AbstractValue? value, IOperation? at)
    {
        if (_frame.Parent is not null)
        {
            _frame.Returns.Add(new ReturnSite(_block, _renames, value ?? StaticValue.Null, _carried));
            return;
        }
        var values = value is null ? [] : MaterializeAll(value, at ?? _frame.Graph.OriginalOperation);
        var types = values.Select(v => v.Type).ToList();
        if (_resultTypes is null) _resultTypes = types;
        else if (_resultTypes.Count == types.Count && _resultTypes.Zip(types).All(p => Admits(p.First, p.Second) || Widened(p.First, p.Second) is not null))
            // Results that differ only in sizes (a sequence returned after a different number of
            // steps) make the program's result type dynamic in those dimensions.
            _resultTypes = [.. _resultTypes.Zip(types, (a, b) => Admits(a, b) ? a : Widened(a, b)!)];
        else if (!_resultTypes.SequenceEqual(types))
            throw Fail(DiagnosticIds.InconsistentReturn, at ?? _frame.Graph.OriginalOperation,
                $"this return gives ({string.Join(", ", types)}) where another gives ({string.Join(", ", _resultTypes)}); every return must produce the same types and shapes");
        _block.Return([.. values.Select(Use)]);
    }

    private List<Value> MaterializeAll(AbstractValue value, IOperation at) => value switch
    {
        TupleValue t => t.Items.SelectMany(i => MaterializeAll(i, at)).ToList(),
        _ => [Materialize(value, at)],
    };

    // ---------------------------------------------------------------- names, values, errors

    private string Unique(string hint)
    {
        hint = new string(hint.Where(c => char.IsLetterOrDigit(c) || c is '_' or '.').ToArray());
        if (hint.Length == 0 || char.IsDigit(hint[0])) hint = "v" + hint;
        var name = hint;
        for (var i = 1; !_names.Add(name); i++) name = $"{hint}.{i}";
        return name;
    }

    /// <summary>The value as named in the current block.</summary>
    private Value Use(Value v)
    {
        while (_renames.TryGetValue(v, out var renamed) && renamed != v) v = renamed;
        return v;
    }

    private LoweringException Fail(string id, IOperation at, string message) => new(MakeDiagnostic(id, DiagnosticSeverity.Error, at.Syntax, message));

    internal static Diagnostic MakeDiagnostic(string id, DiagnosticSeverity severity, SyntaxNode at, string message) =>
        MakeDiagnostic(id, severity, at.GetLocation(), message);

    internal static Diagnostic MakeDiagnostic(string id, DiagnosticSeverity severity, Location at, string message)
    {
        var span = at.GetLineSpan();
        var file = string.IsNullOrEmpty(span.Path) ? "model.cs" : span.Path;
        return new Diagnostic(id, severity, file, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1, message);
    }

    private readonly Dictionary<IMethodSymbol, ControlFlowGraph> _graphs = new(SymbolEqualityComparer.Default);

    private ControlFlowGraph GraphOf(IMethodSymbol method)
    {
        if (_graphs.TryGetValue(method, out var known)) return known;
        var syntax = method.DeclaringSyntaxReferences.Select(r => r.GetSyntax()).FirstOrDefault()
            ?? throw new InvalidOperationException($"{method.Name} has no source");
        var model = _compilation.GetSemanticModel(syntax.SyntaxTree);
        var body = model.GetOperation(syntax) as IMethodBodyOperation
            ?? throw new LoweringException(MakeDiagnostic(DiagnosticIds.UnsupportedStatement, DiagnosticSeverity.Error, syntax, $"'{method.Name}' has no body to compile; give it a block or expression body"));
        var graph = ControlFlowGraph.Create(body);
        _graphs[method] = graph;
        return graph;
    }
}
