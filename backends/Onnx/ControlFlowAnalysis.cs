using DyCompile.IR;

namespace DyCompile.Backends.Onnx;

/// <summary>Dominators, natural loops and region post-dominators of a program's CFG — what the
/// structured export needs to recognize if/else diamonds, early returns and loops. Post-dominance
/// is taken with a virtual exit that every <c>return</c> (and every edge leaving the region) reaches.
/// The analyses themselves are the IR's <see cref="FlowGraph"/>: over the program for
/// dominators and loops, over a region reversed from the exit for post-dominators, over a region
/// for its reverse postorder.</summary>
internal sealed class ControlFlowAnalysis
{
    /// <summary>The virtual exit block's name (not a valid IR block name, so it never collides).</summary>
    public const string Exit = "<exit>";

    private readonly Dictionary<string, List<string>> _successors = [];
    private readonly FlowGraph _graph;
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
        _graph = new FlowGraph(Order[0], n => n == Exit ? [] : _successors[n]);
        foreach (var (header, body) in _graph.NaturalLoops)
        {
            var loop = _loops[header] = new NaturalLoop(header);
            loop.Body.UnionWith(body);
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

    public bool Dominates(string a, string b) => _graph.Dominates(a, b);

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

        // Post-dominators are the dominators of the region reversed, entered at the exit; a block
        // the reversed walk does not reach never leaves.
        var reversed = new FlowGraph(Exit, n => predecessors[n]);
        return reversed.Contains(block) ? reversed.ImmediateDominator(block) : null;
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
        var region = new FlowGraph(block, n => _successors[n].Where(Inside));
        return region.ReversePostOrder.FirstOrDefault(common.Contains);
    }

    private int Rank(string block) => block == Exit ? int.MaxValue : Order.IndexOf(block);
}

/// <summary>A natural loop: its header, the blocks of its body (header included) and the blocks
/// outside it that its body jumps to (<see cref="ControlFlowAnalysis.Exit"/> for a return), in program order.</summary>
internal sealed class NaturalLoop(string header)
{
    public string Header { get; } = header;

    public HashSet<string> Body { get; } = [];

    public List<string> Exits { get; } = [];
}
