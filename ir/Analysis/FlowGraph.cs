using QuikGraph;
using QuikGraph.Algorithms;

namespace DyCompile.IR;

/// <summary>The control-flow analyses every structuring backend needs, over the nodes reachable
/// from an entry: reverse postorder, immediate dominators, loop headers, natural loops and
/// reducibility. Nodes are names (block names, or any names a caller's successor function
/// gives, so a backend can analyse a region or the reversed graph for post-dominators).</summary>
/// <remarks>
/// <para>Reverse postorder is that of a depth-first walk that visits successors in the order the
/// successor function gives them (a branch's true side first), taken iteratively so a long chain
/// does not deepen the call stack. Dominators follow Cooper, Harvey and Kennedy, "A Simple, Fast
/// Dominance Algorithm" (2001): iterate over reverse postorder, intersecting up the dominator
/// tree, until nothing changes.</para>
/// <para>Dominance queries take constant time (entry and leave times of the dominator tree).
/// An edge is <em>retreating</em> when it goes to a node no later in reverse postorder, and a
/// <em>back edge</em> when its target dominates its source; the graph is reducible when the edges
/// that are not back edges form no cycle (checked with QuikGraph's acyclicity test), and then every
/// retreating edge is a back edge and every loop has one entry, its header.</para>
/// </remarks>
public sealed class FlowGraph
{
    private readonly Dictionary<string, IReadOnlyList<string>> _successors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _predecessors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _rank = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _idom = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _children = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Enter, int Leave)> _treeSpan = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private Dictionary<string, IReadOnlySet<string>>? _loops;
    private bool? _reducible;

    /// <param name="entry">Where every path starts.</param>
    /// <param name="successors">The successors of a node, in order; duplicates are edges of their own
    /// (a branch whose two sides go to one block).</param>
    public FlowGraph(string entry, Func<string, IEnumerable<string>> successors)
    {
        Entry = entry;
        Walk(successors);
        ComputeDominators();
    }

    /// <summary>The graph of a program's blocks, entered at its entry block. A jump to a block the
    /// program lacks is an edge to a node without successors (the verifier reports it).</summary>
    public static FlowGraph Of(IRProgram program)
    {
        var blocks = new Dictionary<string, Block>(StringComparer.Ordinal);
        foreach (var block in program.Blocks) blocks.TryAdd(block.Name, block);
        return new FlowGraph(program.Entry.Name, name => blocks.TryGetValue(name, out var b) ? b.Successors.Select(s => s.Block) : []);
    }

    public string Entry { get; }

    /// <summary>The reachable nodes in reverse postorder; the entry is first.</summary>
    public IReadOnlyList<string> ReversePostOrder => _order;

    public bool Contains(string node) => _rank.ContainsKey(node);

    /// <summary>A reachable node's position in <see cref="ReversePostOrder"/>.</summary>
    public int Rank(string node) => _rank[node];

    public IReadOnlyList<string> Successors(string node) => _successors[node];

    /// <summary>The reachable nodes with an edge to <paramref name="node"/>, each once.</summary>
    public IReadOnlyList<string> Predecessors(string node) => _predecessors[node];

    /// <summary>The immediate dominator of a reachable node; null for the entry.</summary>
    public string? ImmediateDominator(string node) => _idom[node];

    /// <summary>The nodes <paramref name="node"/> immediately dominates, in reverse postorder.</summary>
    public IReadOnlyList<string> DominatorTreeChildren(string node) => _children.TryGetValue(node, out var c) ? c : [];

    /// <summary>Whether every path from the entry to <paramref name="b"/> passes <paramref name="a"/>
    /// (a node dominates itself); false when either is unreachable.</summary>
    public bool Dominates(string a, string b) =>
        _treeSpan.TryGetValue(a, out var outer) && _treeSpan.TryGetValue(b, out var inner)
        && outer.Enter <= inner.Enter && inner.Leave <= outer.Leave;

    /// <summary>Whether the edge goes to a node no later in reverse postorder (a loop's way back).</summary>
    public bool IsRetreating(string from, string to) => _rank[to] <= _rank[from];

    /// <summary>Targets of retreating edges, in reverse postorder.</summary>
    public IReadOnlyList<string> LoopHeaders => [.. _order.Where(n => _predecessors[n].Any(p => IsRetreating(p, n)))];

    /// <summary>Whether the edges that are not back edges form no cycle: every loop is entered
    /// through its header only.</summary>
    public bool IsReducible => _reducible ??= ForwardGraph().IsDirectedAcyclicGraph();

    /// <summary>Each header of a back edge and the nodes of its natural loop (the header, and every
    /// node that reaches one of its back edges' sources without passing the header).</summary>
    public IReadOnlyDictionary<string, IReadOnlySet<string>> NaturalLoops => _loops ??= FindNaturalLoops();

    private AdjacencyGraph<string, Edge<string>> ForwardGraph()
    {
        var graph = new AdjacencyGraph<string, Edge<string>>(allowParallelEdges: true);
        graph.AddVertexRange(_order);
        foreach (var from in _order)
            foreach (var to in _successors[from])
                if (!IsRetreating(from, to) || !Dominates(to, from)) graph.AddEdge(new Edge<string>(from, to));
        return graph;
    }

    private Dictionary<string, IReadOnlySet<string>> FindNaturalLoops()
    {
        var loops = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var latch in _order)
            foreach (var header in _successors[latch])
            {
                if (!IsRetreating(latch, header) || !Dominates(header, latch)) continue;
                if (!loops.TryGetValue(header, out var body)) loops[header] = body = new HashSet<string>(StringComparer.Ordinal) { header };
                var work = new Stack<string>([latch]);
                while (work.Count > 0)
                {
                    var n = work.Pop();
                    if (!body.Add(n)) continue;
                    foreach (var p in _predecessors[n]) work.Push(p);
                }
            }
        return loops.ToDictionary(p => p.Key, p => (IReadOnlySet<string>)p.Value, StringComparer.Ordinal);
    }

    private void Walk(Func<string, IEnumerable<string>> successorsOf)
    {
        var postorder = new List<string>();
        var stack = new Stack<(string Node, int Next)>();
        _successors[Entry] = [.. successorsOf(Entry)];
        stack.Push((Entry, 0));
        while (stack.Count > 0)
        {
            var (node, next) = stack.Pop();
            var successors = _successors[node];
            if (next < successors.Count)
            {
                stack.Push((node, next + 1));
                var s = successors[next];
                if (!_successors.ContainsKey(s))
                {
                    _successors[s] = [.. successorsOf(s)];
                    stack.Push((s, 0));
                }
                continue;
            }
            postorder.Add(node);
        }
        for (var i = postorder.Count - 1; i >= 0; i--)
        {
            _rank[postorder[i]] = _order.Count;
            _order.Add(postorder[i]);
        }
        foreach (var n in _order) _predecessors[n] = [];
        foreach (var n in _order)
            foreach (var s in _successors[n].Distinct())
                _predecessors[s].Add(n);
    }

    private void ComputeDominators()
    {
        var idom = new Dictionary<string, string>(StringComparer.Ordinal) { [Entry] = Entry };
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var n in _order.Skip(1))
            {
                string? best = null;
                foreach (var p in _predecessors[n])
                    if (idom.ContainsKey(p)) best = best is null ? p : Intersect(p, best, idom);
                if (best is not null && (!idom.TryGetValue(n, out var old) || old != best))
                {
                    idom[n] = best;
                    changed = true;
                }
            }
        }
        _idom[Entry] = null;
        foreach (var n in _order.Skip(1))
        {
            _idom[n] = idom[n];
            if (!_children.TryGetValue(idom[n], out var children)) _children[idom[n]] = children = [];
            children.Add(n);
        }
        NumberDominatorTree();
    }

    /// <summary>Entry and leave times of a walk of the dominator tree: <c>a</c> dominates <c>b</c>
    /// exactly when <c>b</c>'s span lies inside <c>a</c>'s, which answers in constant time.</summary>
    private void NumberDominatorTree()
    {
        var clock = 0;
        var stack = new Stack<(string Node, int Next)>([(Entry, 0)]);
        var enter = new Dictionary<string, int>(StringComparer.Ordinal) { [Entry] = clock++ };
        while (stack.Count > 0)
        {
            var (node, next) = stack.Pop();
            var children = DominatorTreeChildren(node);
            if (next < children.Count)
            {
                stack.Push((node, next + 1));
                enter[children[next]] = clock++;
                stack.Push((children[next], 0));
                continue;
            }
            _treeSpan[node] = (enter[node], clock++);
        }
    }

    private string Intersect(string a, string b, Dictionary<string, string> idom)
    {
        while (a != b)
        {
            while (_rank[a] > _rank[b]) a = idom[a];
            while (_rank[b] > _rank[a]) b = idom[b];
        }
        return a;
    }
}
