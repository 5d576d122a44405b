using DyCompile.IR;
using DyCompile.Runtime.Compiled;
using static DyCompile.Backends.Onnx.OnnxGraphBuilder;

namespace DyCompile.Backends.Onnx;

/// <summary>Turns a structured CFG into nested ONNX <c>If</c> and <c>Loop</c> nodes.
/// <para>A <em>region</em> is emitted from a block until control reaches one of its <em>stops</em>:
/// the blocks (or the program's return, <see cref="ControlFlowAnalysis.Exit"/>) where the enclosing
/// construct takes over. A region's outcome says which stop it reached — a constant, or an int64
/// selector computed at run time — and the arguments it carries to each.</para>
/// <para>A branch whose sides meet again at a block inside the region (its nearest post-dominator
/// there) is an if/else diamond: an <c>If</c> whose outputs are the join block's arguments, after which emission
/// goes on at the join. A branch whose sides only meet at a stop (an early return, a <c>break</c>)
/// becomes an <c>If</c> that outputs the selector and the arguments of every stop either side
/// reaches; a side fills the stops it does not reach with zeros (never read).</para>
/// <para>A natural loop becomes a <c>Loop</c> whose carried values are the header's parameters, the
/// arguments of each exit, and the selector; one iteration is the region from the header with
/// stops [header, exits…], and the loop goes on while the selector picks the header. After it,
/// control continues at the exit the selector names.</para></summary>
internal sealed class StructuredEmitter
{
    private const string Exit = ControlFlowAnalysis.Exit;

    private readonly IRProgram _program;
    private readonly ControlFlowAnalysis _cfg;
    private readonly OnnxNames _names;
    private readonly IReadOnlyDictionary<string, string> _weights;
    private readonly HostCallbacks _callbacks;

    /// <summary>Blocks on the current chain of regions being emitted: meeting one again means a
    /// cycle that is not a natural loop.</summary>
    private readonly HashSet<string> _active = new(StringComparer.Ordinal);

    public StructuredEmitter(IRProgram program, OnnxNames names, IReadOnlyDictionary<string, string> weights, HostCallbacks callbacks)
    {
        _callbacks = callbacks;
        _program = program;
        _cfg = new ControlFlowAnalysis(program);
        _names = names;
        _weights = weights;
    }

    /// <summary>Emits the whole program into <paramref name="g"/>; returns the returned values' names.</summary>
    public IReadOnlyList<string> EmitProgram(OnnxGraphBuilder g, IReadOnlyList<string> inputs)
    {
        var outcome = EmitRegion(g, _program.Entry.Name, inputs, [Exit], allowed: null, startsLoopBody: false);
        return outcome.Slots[0];
    }

    /// <summary>Where a region left for: stop <see cref="Fixed"/> when known statically, else the stop
    /// numbered by the int64 tensor <see cref="Selector"/>; <see cref="Slots"/> holds, per stop
    /// reached, the ONNX names of the arguments carried there.</summary>
    private sealed class Outcome
    {
        public int? Fixed { get; init; }

        public string? Selector { get; init; }

        public Dictionary<int, IReadOnlyList<string>> Slots { get; } = [];

        public static Outcome To(int stop, IReadOnlyList<string> arguments)
        {
            var o = new Outcome { Fixed = stop };
            o.Slots[stop] = arguments;
            return o;
        }

        public string SelectorIn(OnnxGraphBuilder g) => Selector ?? g.Int64Scalar(Fixed!.Value, "selector");
    }

    private IReadOnlyList<IRType> ParameterTypes(string stop) =>
        stop == Exit ? _program.ResultTypes : _program.FindBlock(stop)!.Parameters.Select(p => p.Type).ToList();

    private static OnnxExportException Unstructured(string block, string why) =>
        new($"control flow is not structured at ^{block}: {why}");

    private Outcome EmitRegion(OnnxGraphBuilder g, string start, IReadOnlyList<string> arguments, IReadOnlyList<string> stops, HashSet<string>? allowed, bool startsLoopBody)
    {
        var entered = new List<string>();
        try
        {
            return EmitBlocks(g, start, arguments, stops, allowed, startsLoopBody, entered);
        }
        finally
        {
            foreach (var b in entered) _active.Remove(b);
        }
    }

    private Outcome EmitBlocks(OnnxGraphBuilder g, string start, IReadOnlyList<string> arguments, IReadOnlyList<string> stops, HashSet<string>? allowed, bool startsLoopBody, List<string> entered)
    {
        var blockName = start;
        var args = arguments;
        var loopBody = startsLoopBody;
        while (true)
        {
            // A loop body starts at its header, which the enclosing region has entered already.
            if (!(loopBody && blockName == start))
            {
                if (!_active.Add(blockName))
                    throw Unstructured(blockName, "control comes back to it without it being a loop header that dominates its back edges (an irreducible loop)");
                entered.Add(blockName);
            }
            if (!loopBody && _cfg.Loops.TryGetValue(blockName, out var loop))
            {
                var (next, nextArgs, done) = EmitLoopAndContinue(g, loop, args, stops, allowed);
                if (done is not null) return done;
                (blockName, args) = (next!, nextArgs!);
                continue;
            }
            loopBody = false;

            var block = _program.FindBlock(blockName)!;
            var env = new Dictionary<Value, string>();
            for (var i = 0; i < block.Parameters.Length; i++) env[block.Parameters[i]] = args[i];
            string? trap = null;
            foreach (var node in block.Nodes)
            {
                var inputs = node.Operands.Select(v => Name(block, env, v)).ToList();
                if (IsTrap(block, node))
                {
                    trap = EmitTrap(g, node, inputs);
                    env[node.Result] = inputs[0];
                    continue;
                }
                var results = OpLowering.Lower(g, node, inputs);
                for (var i = 0; i < node.Results.Length; i++) env[node.Results[i]] = results[i];
            }
            if (trap is not null) TieToTrap(g, block, env, trap);

            switch (block.Terminator)
            {
                case Return ret:
                {
                    var stop = IndexOf(stops, Exit) ?? throw Unstructured(blockName, $"it returns inside a region that must reach {DescribeStops(stops)}");
                    return Outcome.To(stop, ret.Values.Select(v => Name(block, env, v)).ToList());
                }
                case Jump jump:
                {
                    var target = jump.Target;
                    var targetArgs = target.Arguments.Select(v => Name(block, env, v)).ToList();
                    if (IndexOf(stops, target.Block) is { } stop) return Outcome.To(stop, targetArgs);
                    if (allowed is not null && !allowed.Contains(target.Block))
                        throw Unstructured(blockName, $"it jumps to ^{target.Block}, which is neither in the enclosing loop nor where the region ends ({DescribeStops(stops)})");
                    (blockName, args) = (target.Block, targetArgs);
                    continue;
                }
                case Branch branch:
                {
                    var condition = Name(block, env, branch.Condition);
                    bool Leaves(string b) => IndexOf(stops, b) is not null || (allowed is not null && !allowed.Contains(b));
                    var join = _cfg.RegionPostDominator(blockName, Leaves)
                        ?? throw Unstructured(blockName, "a path from it never reaches a return or the end of its region");
                    var thenArgs = branch.IfTrue.Arguments.Select(v => Name(block, env, v)).ToList();
                    var elseArgs = branch.IfFalse.Arguments.Select(v => Name(block, env, v)).ToList();
                    var diamond = join != Exit;
                    if (!diamond && _cfg.PartialJoin(blockName, branch.IfTrue.Block, branch.IfFalse.Block, Leaves) is { } meet)
                        return EmitPartialJoin(g, condition, blockName, meet,
                            sub => EmitEdge(sub, blockName, branch.IfTrue.Block, thenArgs, [meet, .. stops], allowed),
                            sub => EmitEdge(sub, blockName, branch.IfFalse.Block, elseArgs, [meet, .. stops], allowed),
                            stops, allowed);
                    var sideStops = diamond ? [join] : stops;
                    var outcome = EmitChoice(g, condition, blockName,
                        sub => EmitEdge(sub, blockName, branch.IfTrue.Block, thenArgs, sideStops, allowed),
                        sub => EmitEdge(sub, blockName, branch.IfFalse.Block, elseArgs, sideStops, allowed),
                        sideStops);
                    if (!diamond) return outcome;
                    (blockName, args) = (join, outcome.Slots[0]);
                    continue;
                }
                default:
                    throw Unstructured(blockName, "it has no terminator");
            }
        }
    }

    /// <summary>A <c>host.call</c> of a trap (<see cref="HostCallbacks.IsTrap"/>): the callee is a
    /// constant of the same block.</summary>
    private bool IsTrap(Block block, Node node) =>
        node.Op == "host.call"
        && block.Nodes.FirstOrDefault(n => n.Op == "const" && n.Results.Contains(node.Operands[0])) is { Payload.Values: [var id] }
        && _callbacks.IsTrap((int)id);

    /// <summary>ONNX cannot throw, so a trap becomes a run-time failure of ONNX Runtime: a Gather from
    /// an empty tensor at the trap's first argument (the offending index) is out of bounds whatever
    /// the index. The index is a run-time value, so the Gather cannot be folded away at load time.</summary>
    private static string EmitTrap(OnnxGraphBuilder g, Node node, IReadOnlyList<string> inputs)
    {
        var empty = g.Literal(IRType.F32(0), [], "trap_empty");
        var index = inputs.Count > 1 ? inputs[1] : inputs[0];
        var asInt64 = g.One("Cast", [index], "trap_index", OnnxGraphBuilder.Int("to", (long)OnnxTypes.ElementType(Runtime.DType.Int64)));
        return g.One("Gather", [empty, asInt64], "trap", OnnxGraphBuilder.Int("axis", 0));
    }

    /// <summary>Makes a value leaving the trap's block depend on the failing Gather (its result, cast
    /// and added, is never computed on a valid path), so ONNX Runtime cannot prune it as unused.</summary>
    private void TieToTrap(OnnxGraphBuilder g, Block block, Dictionary<Value, string> env, string trap)
    {
        var leaving = block.Terminator!.Uses.FirstOrDefault(v => !v.IsWeight && v.Type is TensorType { DType: not Runtime.DType.Bool } or ScalarType { Kind: ScalarKind.Int or ScalarKind.Float })
            ?? throw new OnnxExportException($"the trap in ^{block.Name} has no numeric value leaving its block to carry the failure");
        var name = Name(block, env, leaving);
        env[leaving] = g.One("Add", [name, g.One("CastLike", [trap, name], "trap_cast")], "trapped");
    }

    /// <summary>The region entered by an edge: the outcome is immediate when the edge goes to a stop.</summary>
    private Outcome EmitEdge(OnnxGraphBuilder g, string from, string target, IReadOnlyList<string> args, IReadOnlyList<string> stops, HashSet<string>? allowed)
    {
        if (IndexOf(stops, target) is { } stop) return Outcome.To(stop, args);
        if (allowed is not null && !allowed.Contains(target))
            throw Unstructured(from, $"it branches to ^{target}, which is neither in the enclosing loop nor where the region ends ({DescribeStops(stops)})");
        return EmitRegion(g, target, args, stops, allowed, startsLoopBody: false);
    }

    /// <summary>An <c>If</c> on <paramref name="condition"/> whose branches are two regions with the
    /// same stops; its outputs are the selector (when more than one stop is reached) and the
    /// arguments of each stop reached.</summary>
    private Outcome EmitChoice(OnnxGraphBuilder g, string condition, string at, Func<OnnxGraphBuilder, Outcome> thenSide, Func<OnnxGraphBuilder, Outcome> elseSide, IReadOnlyList<string> stops)
    {
        var thenGraph = new OnnxGraphBuilder(_names, $"then_{at}");
        var elseGraph = new OnnxGraphBuilder(_names, $"else_{at}");
        var thenOutcome = thenSide(thenGraph);
        var elseOutcome = elseSide(elseGraph);
        var reached = thenOutcome.Slots.Keys.Union(elseOutcome.Slots.Keys).Order().ToList();
        var needsSelector = reached.Count > 1;

        void Materialize(OnnxGraphBuilder sub, Outcome o)
        {
            if (needsSelector)
            {
                var selector = sub.One("Identity", [o.SelectorIn(sub)], "selector");
                sub.Output(selector, IRType.Tensor(Runtime.DType.Int64), withShape: false);
            }
            foreach (var stop in reached)
            {
                var types = ParameterTypes(stops[stop]);
                for (var i = 0; i < types.Count; i++)
                {
                    var value = o.Slots.TryGetValue(stop, out var slots)
                        ? sub.One("Identity", [slots[i]], "carry")
                        : sub.Zeros(types[i], "unused");
                    sub.Output(value, types[i], withShape: false);
                }
            }
        }
        Materialize(thenGraph, thenOutcome);
        Materialize(elseGraph, elseOutcome);

        var count = (needsSelector ? 1 : 0) + reached.Sum(s => ParameterTypes(stops[s]).Count);
        var outputs = g.Node("If", [condition], count, $"if_{at}", Subgraph("then_branch", thenGraph.Graph), Subgraph("else_branch", elseGraph.Graph));
        var result = needsSelector ? new Outcome { Selector = outputs[0] } : new Outcome { Fixed = reached[0] };
        var next = needsSelector ? 1 : 0;
        foreach (var stop in reached)
        {
            var n = ParameterTypes(stops[stop]).Count;
            result.Slots[stop] = outputs.Skip(next).Take(n).ToList();
            next += n;
        }
        return result;
    }

    /// <summary>A branch whose sides meet at <paramref name="meet"/> only on some paths (others
    /// leave for a stop first, e.g. an early return): the sides run until they reach the meeting
    /// block or a stop, and the rest of the region from the meeting block is emitted once, in an
    /// <c>If</c> taken when the sides got there; otherwise the stop they reached passes through.
    /// Emitting the sides up to the region's own stops instead would copy everything after the
    /// meeting block into both sides, doubling the model at every such branch of an unrolled loop.</summary>
    private Outcome EmitPartialJoin(OnnxGraphBuilder g, string condition, string at, string meet, Func<OnnxGraphBuilder, Outcome> thenSide, Func<OnnxGraphBuilder, Outcome> elseSide, IReadOnlyList<string> stops, HashSet<string>? allowed)
    {
        List<string> sideStops = [meet, .. stops];
        var sides = EmitChoice(g, condition, at, thenSide, elseSide, sideStops);
        var met = sides.Slots.TryGetValue(0, out var meetArgs) ? meetArgs : null;
        var elsewhere = sides.Slots.Keys.Where(k => k > 0).ToList();
        if (met is null || elsewhere.Count == 0)
        {
            if (met is not null) return EmitRegion(g, meet, met, stops, allowed, startsLoopBody: false);
            return Shifted(sides, g);
        }
        var metThere = g.One("Equal", [sides.Selector!, g.Int64Scalar(0, "meet_index")], $"met_{meet}");
        return EmitChoice(g, metThere, $"{at}_{meet}",
            sub => EmitRegion(sub, meet, met, stops, allowed, startsLoopBody: false),
            sub => Shifted(sides, sub),
            stops);

        // The outcome in the region's own stops: stop k + 1 of the sides is stop k of the region.
        static Outcome Shifted(Outcome sides, OnnxGraphBuilder sub)
        {
            var reached = sides.Slots.Keys.Where(k => k > 0).ToList();
            var shifted = reached.Count == 1
                ? new Outcome { Fixed = reached[0] - 1 }
                : new Outcome { Selector = sub.One("Sub", [sides.SelectorIn(sub), sub.Int64Scalar(1, "one")], "selector") };
            foreach (var k in reached) shifted.Slots[k - 1] = sides.Slots[k];
            return shifted;
        }
    }

    /// <summary>Emits <paramref name="loop"/> entered with <paramref name="args"/>, then either
    /// continues at its one exit (returned as the next block) or, when the exit is a stop or the loop
    /// has several exits, finishes the region (returned as an outcome).</summary>
    private (string? Next, IReadOnlyList<string>? Args, Outcome? Done) EmitLoopAndContinue(OnnxGraphBuilder g, NaturalLoop loop, IReadOnlyList<string> args, IReadOnlyList<string> stops, HashSet<string>? allowed)
    {
        var header = loop.Header;
        if (loop.Exits.Count == 0) throw Unstructured(header, "the loop it heads never exits");
        List<string> loopStops = [header, .. loop.Exits];
        var body = new OnnxGraphBuilder(_names, $"loop_{header}");
        // ONNX Runtime needs the shapes of the body inputs; loop-carried values keep their IR types.
        body.Input(_names.Fresh("iteration"), IRType.Tensor(Runtime.DType.Int64), withShape: true);
        body.Input(_names.Fresh("condition"), IRType.Bool, withShape: true);

        // Carried values: the header's parameters, each exit's arguments, the selector.
        var carriedIn = new List<List<string>>();
        foreach (var stop in loopStops)
        {
            var names = new List<string>();
            foreach (var type in ParameterTypes(stop))
            {
                var name = _names.Fresh($"{(stop == Exit ? "return" : stop)}_in");
                body.Input(name, type, withShape: true);
                names.Add(name);
            }
            carriedIn.Add(names);
        }
        var selectorIn = _names.Fresh("selector_in");
        body.Input(selectorIn, IRType.Tensor(Runtime.DType.Int64), withShape: true);

        var outcome = EmitRegion(body, header, carriedIn[0], loopStops, loop.Body, startsLoopBody: true);
        var selector = outcome.SelectorIn(body);
        var again = body.One("Equal", [selector, body.Int64Scalar(0, "header_index")], "again");
        body.Output(again, IRType.Bool, withShape: false);
        for (var s = 0; s < loopStops.Count; s++)
        {
            var types = ParameterTypes(loopStops[s]);
            for (var i = 0; i < types.Count; i++)
            {
                var source = outcome.Slots.TryGetValue(s, out var slots) ? slots[i] : carriedIn[s][i];
                body.Output(body.One("Identity", [source], "carry"), types[i], withShape: false);
            }
        }
        body.Output(body.One("Identity", [selector], "selector_out"), IRType.Tensor(Runtime.DType.Int64), withShape: false);

        var initial = new List<string> { "", g.Literal(IRType.Bool, [1], "true") };
        initial.AddRange(args);
        for (var s = 1; s < loopStops.Count; s++)
        {
            var types = ParameterTypes(loopStops[s]);
            for (var i = 0; i < types.Count; i++)
                initial.Add(g.Zeros(types[i], "unset"));
        }
        initial.Add(g.Int64Scalar(0, "selector_init"));
        var carriedCount = loopStops.Sum(s => ParameterTypes(s).Count) + 1;
        var outputs = g.Node("Loop", initial, carriedCount, $"loop_{header}", Subgraph("body", body.Graph));

        var after = new Outcome { Selector = outputs[^1] };
        var next = 0;
        for (var s = 0; s < loopStops.Count; s++)
        {
            var n = ParameterTypes(loopStops[s]).Count;
            if (s > 0) after.Slots[s] = outputs.Skip(next).Take(n).ToList();
            next += n;
        }

        if (loop.Exits.Count == 1)
        {
            var exit = loop.Exits[0];
            if (IndexOf(stops, exit) is { } stop) return (null, null, Outcome.To(stop, after.Slots[1]));
            if (exit == Exit) throw Unstructured(header, $"the loop returns inside a region that must reach {DescribeStops(stops)}");
            if (allowed is not null && !allowed.Contains(exit))
                throw Unstructured(header, $"the loop exits to ^{exit}, outside the enclosing loop");
            return (exit, after.Slots[1], null);
        }
        return (null, null, Dispatch(g, after, loopStops, 1, stops, allowed, header));
    }

    /// <summary>Continues at loop exit number <paramref name="first"/> or a later one, as the
    /// selector says: a chain of <c>If</c>s, each side a region with the enclosing stops.</summary>
    private Outcome Dispatch(OnnxGraphBuilder g, Outcome after, List<string> loopStops, int first, IReadOnlyList<string> stops, HashSet<string>? allowed, string header)
    {
        Outcome Enter(OnnxGraphBuilder sub, int s) => EmitEdge(sub, header, loopStops[s], after.Slots[s], stops, allowed);
        if (first == loopStops.Count - 1) return Enter(g, first);
        var isFirst = g.One("Equal", [after.Selector!, g.Int64Scalar(first, "exit_index")], $"exit_{first}");
        return EmitChoice(g, isFirst, header, sub => Enter(sub, first), sub => Dispatch(sub, after, loopStops, first + 1, stops, allowed, header), stops);
    }

    private string Name(Block block, Dictionary<Value, string> env, Value v)
    {
        if (v.IsWeight)
            return _weights.TryGetValue(v.Name, out var w) ? w : throw new OnnxExportException($"^{block.Name} reads the undeclared weight @{v.Name}");
        return env.TryGetValue(v, out var name) ? name : throw new OnnxExportException($"^{block.Name} reads %{v.Name}, which has no value there");
    }

    private static int? IndexOf(IReadOnlyList<string> stops, string block)
    {
        for (var i = 0; i < stops.Count; i++)
            if (stops[i] == block) return i;
        return null;
    }

    private static string Describe(string stop) => stop == Exit ? "the return" : "^" + stop;

    private static string DescribeStops(IReadOnlyList<string> stops) => string.Join(" or ", stops.Select(Describe));
}
