using DyCompile.IR;

namespace DyCompile.Backends.Onnx;

/// <summary>Dominators, natural loops and region post-dominators of a program's CFG — what the
/// structured export needs to recognize if/else diamonds, early returns and loops. Post-dominance
/// is taken with a virtual exit that every <c>return</c> (and every edge leaving the region) reaches.</summary>
internal sealed class ControlFlowAnalysis
{
    /// <summary>The virtual exit block's name (not a valid IR block name, so it never collides).</summary>
    public const string Exit = "<exit>";

    private readonly Dictionary<string, List<string>> _successors = [];
    private readonly Dictionary<string, List<string>> _predecessors = [];
    private readonly Dictionary<string, HashSet<string>> _dominators;
    private readonly Dictionary<string, NaturalLoop> _loops = [];

    public ControlFlowAnalysis(IRProgram program)
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

    /// <summary>The nearest block other than <paramref name="block"/> that every path from it passes
    /// before leaving the region — reaching a block <paramref name="leaves"/> accepts (a stop of the
    /// region, a block outside its loop) or returning — or <see cref="Exit"/> when no block inside
    /// the region is on every path; null when some path from it never leaves.</summary>
    /// <remarks>Post-dominance is taken inside the region: a <c>continue</c> that jumps back to the
    /// loop header leaves the region, so the loop's bottom test does not post-dominate a branch
    /// whose one side continues.</remarks>
    public string? RegionPostDominator(string block, Func<string, bool> leaves)
    {
        var successors = new Dictionary<string, List<string>>();
        var work = new Stack<string>([block]);
        while (work.Count > 0)
        {
            var n = work.Pop();
            if (successors.ContainsKey(n)) continue;
            var next = _successors[n].Select(s => s == Exit || leaves(s) ? Exit : s).Distinct().ToList();
            successors[n] = next;
            foreach (var s in next)
                if (s != Exit) work.Push(s);
        }
        var predecessors = successors.Keys.Append(Exit).ToDictionary(n => n, _ => new List<string>());
        foreach (var (n, next) in successors)
            foreach (var s in next) predecessors[s].Add(n);

        var leaving = new HashSet<string> { Exit };
        var back = new Stack<string>([Exit]);
        while (back.Count > 0)
            foreach (var p in predecessors[back.Pop()])
                if (leaving.Add(p)) back.Push(p);
        if (!leaving.Contains(block)) return null;

        var nodes = new List<string> { Exit };
        nodes.AddRange(successors.Keys.Where(leaving.Contains));
        var postDominators = Dominators(nodes, Exit, n => n == Exit ? [] : successors[n]);
        // Post-dominators form a chain: the nearest one has the most post-dominators of its own.
        return postDominators[block].Where(d => d != block).MaxBy(d => postDominators[d].Count);
    }

    /// <summary>For a branch whose sides meet on no block every path passes (its
    /// <see cref="RegionPostDominator"/> is <see cref="Exit"/>), the first block, in reverse
    /// postorder from <paramref name="block"/>, that both sides can reach inside the region: where
    /// the paths that do not leave early meet (the step after an unrolled loop iteration with a
    /// <c>break</c>). Null when the sides share no block.</summary>
    public string? PartialJoin(string block, string ifTrue, string ifFalse, Func<string, bool> leaves)
    {
        bool Inside(string b) => b != Exit && b != block && !leaves(b);
        HashSet<string> Reach(string start)
        {
            var seen = new HashSet<string>();
            var work = new Stack<string>();
            if (Inside(start)) work.Push(start);
            while (work.Count > 0)
            {
                var n = work.Pop();
                if (!seen.Add(n)) continue;
                foreach (var s in _successors[n])
                    if (Inside(s)) work.Push(s);
            }
            return seen;
        }
        var common = Reach(ifTrue);
        common.IntersectWith(Reach(ifFalse));
        if (common.Count == 0) return null;

        // Reverse postorder of the region from the branch: a block comes before every block it
        // reaches without a back edge, so the first common block is where the sides first meet.
        var postorder = new List<string>();
        var visited = new HashSet<string> { block };
        var stack = new Stack<(string Node, int Next)>();
        stack.Push((block, 0));
        while (stack.Count > 0)
        {
            var (n, next) = stack.Pop();
            var successors = _successors[n];
            if (next < successors.Count)
            {
                stack.Push((n, next + 1));
                var s = successors[next];
                if (Inside(s) && visited.Add(s)) stack.Push((s, 0));
                continue;
            }
            postorder.Add(n);
        }
        for (var i = postorder.Count - 1; i >= 0; i--)
            if (common.Contains(postorder[i])) return postorder[i];
        return null;
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
