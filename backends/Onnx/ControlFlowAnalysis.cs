using DyCompile.IR;

namespace DyCompile.Backends.Onnx;

/// <summary>Dominators, post-dominators and natural loops of a program's CFG — what the structured
/// export needs to recognize if/else diamonds, early returns and loops. Post-dominance is taken
/// with a virtual exit that every <c>return</c> reaches.</summary>
internal sealed class ControlFlowAnalysis
{
    /// <summary>The virtual exit block's name (not a valid IR block name, so it never collides).</summary>
    public const string Exit = "<exit>";

    private readonly Dictionary<string, List<string>> _successors = [];
    private readonly Dictionary<string, List<string>> _predecessors = [];
    private readonly Dictionary<string, HashSet<string>> _dominators;
    private readonly Dictionary<string, HashSet<string>> _postDominators;
    private readonly Dictionary<string, NaturalLoop> _loops = [];

    public ControlFlowAnalysis(Program program)
    {
        Order = [];
        var reachable = new HashSet<string>();
        var stack = new Stack<Block>([program.Entry]);
        while (stack.Count > 0)
        {
            var block = stack.Pop();
            if (!reachable.Add(block.Name)) continue;
            var successors = new List<string>();
            foreach (var target in block.Successors)
            {
                var next = program.FindBlock(target.Block) ?? throw new OnnxExportException($"^{block.Name} jumps to the missing block ^{target.Block}");
                successors.Add(next.Name);
                stack.Push(next);
            }
            if (block.Terminator is Return) successors.Add(Exit);
            if (block.Terminator is null) throw new OnnxExportException($"^{block.Name} has no terminator");
            _successors[block.Name] = successors;
        }
        Order = program.Blocks.Select(b => b.Name).Where(reachable.Contains).ToList();
        foreach (var name in Order.Append(Exit)) _predecessors[name] = [];
        foreach (var (name, successors) in _successors)
            foreach (var s in successors.Distinct()) _predecessors[s].Add(name);

        _dominators = Dominators(Order, Order[0], n => _predecessors[n]);
        // Only blocks with a path to a return have post-dominators.
        var returns = new HashSet<string> { Exit };
        var work = new Stack<string>([Exit]);
        while (work.Count > 0)
            foreach (var p in _predecessors[work.Pop()])
                if (returns.Add(p)) work.Push(p);
        var reverse = new List<string> { Exit };
        reverse.AddRange(Order.Where(returns.Contains));
        _postDominators = Dominators(reverse, Exit, n => n == Exit ? [] : _successors[n]);

        foreach (var name in Order)
            foreach (var s in _successors[name])
                if (s != Exit && Dominates(s, name))
                {
                    if (!_loops.TryGetValue(s, out var loop)) _loops[s] = loop = new NaturalLoop(s);
                    AddLoopBody(loop, name);
                }
        foreach (var loop in _loops.Values)
        {
            foreach (var member in Order.Where(loop.Body.Contains))
                foreach (var s in _successors[member])
                    if (!loop.Body.Contains(s) && !loop.Exits.Contains(s)) loop.Exits.Add(s);
            loop.Exits.Sort((a, b) => Rank(a).CompareTo(Rank(b)));
        }
    }

    /// <summary>Reachable blocks in program order; the first is the entry.</summary>
    public List<string> Order { get; }

    public IReadOnlyDictionary<string, NaturalLoop> Loops => _loops;

    public bool Dominates(string a, string b) => _dominators.TryGetValue(b, out var d) && d.Contains(a);

    /// <summary>The nearest block other than <paramref name="block"/> on every path from it to a
    /// return (<see cref="Exit"/> when only the exit is), or null when no path returns.</summary>
    public string? ImmediatePostDominator(string block)
    {
        if (!_postDominators.TryGetValue(block, out var set) || !set.Contains(Exit)) return null;
        // Post-dominators form a chain: the nearest one has the most post-dominators of its own.
        return set.Where(d => d != block).MaxBy(d => _postDominators[d].Count);
    }

    private int Rank(string block) => block == Exit ? int.MaxValue : Order.IndexOf(block);

    private void AddLoopBody(NaturalLoop loop, string latch)
    {
        var work = new Stack<string>([latch]);
        while (work.Count > 0)
        {
            var n = work.Pop();
            if (!loop.Body.Add(n)) continue;
            if (n == loop.Header) continue;
            foreach (var p in _predecessors[n]) work.Push(p);
        }
    }

    /// <summary>Iterative data-flow dominators: dom(root) = {root}, dom(n) = {n} ∪ ⋂ dom(p) over
    /// the predecessors p; every node given must be reachable from the root.</summary>
    private static Dictionary<string, HashSet<string>> Dominators(List<string> nodes, string root, Func<string, IEnumerable<string>> predecessors)
    {
        var all = nodes.ToHashSet();
        var dom = nodes.ToDictionary(n => n, n => n == root ? new HashSet<string> { root } : new HashSet<string>(all));
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var n in nodes)
            {
                if (n == root) continue;
                HashSet<string>? meet = null;
                foreach (var p in predecessors(n))
                {
                    if (!dom.TryGetValue(p, out var dp)) continue;
                    if (meet is null) meet = new HashSet<string>(dp);
                    else meet.IntersectWith(dp);
                }
                meet ??= [];
                meet.Add(n);
                if (!meet.SetEquals(dom[n]))
                {
                    dom[n] = meet;
                    changed = true;
                }
            }
        }
        return dom;
    }
}

/// <summary>A natural loop: its header, the blocks of its body (header included) and the blocks
/// outside it that its body jumps to (<see cref="ControlFlowAnalysis.Exit"/> for a return), in program order.</summary>
internal sealed class NaturalLoop(string header)
{
    public string Header { get; } = header;

    public HashSet<string> Body { get; } = [];

    public List<string> Exits { get; } = [];
}
