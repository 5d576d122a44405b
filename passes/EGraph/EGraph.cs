using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DyCompile.Passes.EGraph;

/// <summary>
/// An e-graph in the style of egg: a union-find over e-class ids, a hashcons from canonical e-node
/// to e-class, and deferred rebuilding — <see cref="Union"/> only records what became stale and
/// <see cref="Rebuild"/> restores congruence once (the runner calls it once per iteration).
/// Searching needs a rebuilt (clean) e-graph.
/// </summary>
/// <remarks>
/// Storage is compact: an e-node is an index into parallel arrays (its head — operator, payload
/// and arity, interned —, its hash, its class) with its children inline in one shared array, and
/// the hashcons is an open-addressing table of node indices. Each node is stored once; rebuilding
/// re-canonicalizes the children of the parents of merged classes in place, and a node that turns
/// out equal to another is retired (it leaves the hashcons and its class's node list).
/// <see cref="ENode"/> objects exist only at the API boundary.
/// </remarks>
/// <example><code>
/// var g = new EGraph&lt;NoData&gt;(NoAnalysis.Instance, language);
/// var a = g.Add(Term.Parse(language, "(+ x y)"));
/// var b = g.Add(Term.Parse(language, "(+ y x)"));
/// g.Union(a, b);
/// g.Rebuild();
/// </code></example>
public sealed class EGraph<TData>
{
    private const byte Retired = 1;   // equal to another node: out of the hashcons and its class
    private const byte Pruned = 2;    // removed from its class by EClass.RemoveNodes; still in the hashcons

    private readonly UnionFind _unionFind = new();
    private readonly Func<EClassId, EClassId> _find;
    private readonly bool _trivialAnalysis;

    // Heads: (operator, payload, arity) interned to dense ids.
    private readonly Dictionary<HeadKey, int> _headIds = [];
    private readonly List<HeadKey> _heads = [];
    private int[] _headArity = new int[16];
    // The search index: per head, its nodes as (class << 32 | node) entries grouped by class in
    // order of class id (rebuilt by Rebuild).
    private List<long>[] _nodesByHead = new List<long>[16];

    // Nodes, by index.
    private int _nodeTotal;
    private int[] _nodeHead = new int[64];
    private int[] _nodeStart = new int[64];
    private int[] _nodeHash = new int[64];
    private int[] _nodeClass = new int[64];
    private byte[] _nodeFlags = new byte[64];
    private int[] _children = new int[128];
    private int _childTotal;

    // The hashcons: per slot node index + 1 (0 empty, -1 a deleted entry) and the node's hash,
    // so probing rejects other nodes without touching their storage.
    private Slot[] _table = new Slot[64];
    private int _tableShift = 64 - 6;
    private int _tableUsed;
    private int _live;
    private int _rekeyed;

    // Classes, by id (only roots hold lists). A class's nodes are (head << 32 | node) entries,
    // sorted after a rebuild, so matching finds the nodes of one head by binary search.
    private readonly ClassLists<long> _classNodes = new();
    private int[] _classChanges = new int[16];
    private readonly List<int> _unsortedClasses = [];
    private readonly ClassLists<int> _classParents = new();
    private TData[] _classData = new TData[16];
    private EClass<TData>?[] _classViews = new EClass<TData>?[16];

    private readonly List<int> _pending = [];
    private readonly Stack<int> _analysisPending = new();
    private readonly List<int> _retiredThisRebuild = [];
    private int[] _stamp = new int[16];
    private int _stampGeneration;
    private bool _indexStale;
    private readonly Dictionary<object, int[]> _resolvedHeads = new(ReferenceEqualityComparer.Instance);

    public EGraph(IAnalysis<TData> analysis, Language? language = null)
    {
        Analysis = analysis;
        Language = language;
        _find = _unionFind.Find;   // one delegate, not one per canonicalization
        _trivialAnalysis = analysis is NoAnalysis;
    }

    public IAnalysis<TData> Analysis { get; }

    /// <summary>The language used by the text overloads (<see cref="Add(string)"/>); optional.</summary>
    public Language? Language { get; }

    /// <summary>
    /// The number of distinct e-nodes in the hashcons: every node ever added, less those found
    /// equal to another when rebuilding re-canonicalized them. After a rebuild this is the number
    /// of distinct canonical nodes, including nodes an analysis pruned from their class (they
    /// stay in the hashcons); without pruning it equals the total length of the classes' node
    /// lists (egg's <c>total_number_of_nodes</c>). The runner's default node limit counts this.
    /// </summary>
    public int NodeCount => _live;

    /// <summary>
    /// egg's <c>total_size</c>: the size egg's hashcons would have. egg never removes an entry, so
    /// every pre-union key of a re-canonicalized node stays in it; this is <see cref="NodeCount"/>
    /// plus one for every time rebuilding changed a node's children. Only grows. The number of
    /// such changes depends on the order matches are applied in, which is not egg's (egg visits
    /// classes in hash-set order), so on large runs this is close to egg's figure, not equal.
    /// </summary>
    public int TotalSize => _live + _rekeyed;

    /// <summary>The number of e-classes.</summary>
    public int ClassCount { get; private set; }

    /// <summary>True when congruence holds and the search index is current.</summary>
    public bool IsClean => _pending.Count == 0 && _analysisPending.Count == 0 && !_indexStale;

    public IEnumerable<EClass<TData>> Classes
    {
        get
        {
            for (var id = 0; id < _unionFind.Count; id++)
            {
                if (_unionFind.IsRoot(id))
                {
                    yield return View(id);
                }
            }
        }
    }

    /// <summary>The class of <paramref name="id"/> (any id of the class).</summary>
    public EClass<TData> this[EClassId id] => View(_unionFind.Find(id.Value));

    public EClassId Find(EClassId id) => new(_unionFind.Find(id.Value));

    internal int Find(int id) => _unionFind.Find(id);

    /// <summary>The node with each child replaced by its canonical id.</summary>
    public ENode Canonicalize(ENode node) => node.MapChildren(_find);

    /// <summary>Adds a node (children must be ids of this e-graph) and returns its class.</summary>
    public EClassId Add(ENode node)
    {
        var head = HeadId(node.Op, node.Payload, node.Arity);
        Span<int> children = node.Arity <= 16 ? stackalloc int[node.Arity] : new int[node.Arity];
        for (var i = 0; i < children.Length; i++)
        {
            children[i] = node.ChildAt(i).Value;
        }
        return new EClassId(AddNode(head, children));
    }

    /// <summary>Adds every node of a tree and returns the class of its root.</summary>
    public EClassId Add(Term term)
    {
        var children = new int[term.Children.Count];
        for (var i = 0; i < children.Length; i++)
        {
            children[i] = Add(term.Children[i]).Value;
        }
        return new EClassId(AddNode(HeadId(term.Op, term.Payload, children.Length), children));
    }

    /// <summary>Parses a term in <see cref="Language"/> and adds it.</summary>
    public EClassId Add(string term) =>
        Add(Term.Parse(Language ?? throw new InvalidOperationException("this e-graph has no language"), term));

    /// <summary>The class holding <paramref name="node"/>, or null.</summary>
    public EClassId? Lookup(ENode node)
    {
        if (!_headIds.TryGetValue(new HeadKey(node.Op, node.Payload, node.Arity), out var head))
        {
            return null;
        }
        Span<int> children = node.Arity <= 16 ? stackalloc int[node.Arity] : new int[node.Arity];
        for (var i = 0; i < children.Length; i++)
        {
            children[i] = _unionFind.Find(node.ChildAt(i).Value);
        }
        var found = FindNode(head, children, Hash(head, children));
        return found < 0 ? null : new EClassId(_unionFind.Find(_nodeClass[found]));
    }

    /// <summary>The class representing the whole tree, or null when some subterm is absent.</summary>
    public EClassId? Lookup(Term term)
    {
        if (!_headIds.TryGetValue(new HeadKey(term.Op, term.Payload, term.Children.Count), out var head))
        {
            return null;
        }
        Span<int> children = term.Children.Count <= 16 ? stackalloc int[term.Children.Count] : new int[term.Children.Count];
        for (var i = 0; i < children.Length; i++)
        {
            if (Lookup(term.Children[i]) is not { } child)
            {
                return null;
            }
            children[i] = child.Value;
        }
        var found = FindNode(head, children, Hash(head, children));
        return found < 0 ? null : new EClassId(_unionFind.Find(_nodeClass[found]));
    }

    /// <summary>Whether two terms are both present and in one class (meaningful when clean).</summary>
    public bool AreEquivalent(Term a, Term b) =>
        Lookup(a) is { } x && Lookup(b) is { } y && x == y;

    /// <summary>
    /// Merges two classes; returns false when they already were one. Congruence is restored
    /// lazily by <see cref="Rebuild"/>.
    /// </summary>
    public bool Union(EClassId a, EClassId b) => Union(a.Value, b.Value);

    internal bool Union(int a, int b)
    {
        var root = _unionFind.Find(a);
        var child = _unionFind.Find(b);
        if (root == child)
        {
            return false;
        }
        // Keep the class with more parents as root: fewer parents need re-canonicalizing.
        if (_classParents.Count(root) < _classParents.Count(child))
        {
            (root, child) = (child, root);
        }
        _unionFind.Union(root, child);
        _pending.AddRange(_classParents.AsSpan(child));
        var data = _classData[root];
        var merged = Analysis.Merge(ref data, _classData[child]);
        _classData[root] = data;
        if (merged.IntoChanged)
        {
            PushAnalysis(_classParents.AsSpan(root));
        }
        if (merged.FromChanged)
        {
            PushAnalysis(_classParents.AsSpan(child));
        }
        _classNodes.MoveInto(root, child);
        _classChanges[root]++;
        _unsortedClasses.Add(root);
        _classParents.MoveInto(root, child);
        _classData[child] = default!;
        _classViews[child] = null;
        ClassCount--;
        _indexStale = true;
        if (!_trivialAnalysis)
        {
            Analysis.Modify(this, new EClassId(root));
        }
        return true;
    }

    private void PushAnalysis(ReadOnlySpan<int> parents)
    {
        foreach (var parent in parents)
        {
            _analysisPending.Push(parent);
        }
    }

    /// <summary>
    /// Restores the invariants after unions: congruence (equal canonical nodes share a class),
    /// a canonical hashcons, analysis data at its fixpoint, canonical duplicate-free class node
    /// lists, and the operator index used by e-matching. Returns the number of unions it did.
    /// </summary>
    public int Rebuild()
    {
        var unions = 0;
        while (_pending.Count > 0 || _analysisPending.Count > 0)
        {
            while (_pending.Count > 0)
            {
                var node = _pending[^1];
                _pending.RemoveAt(_pending.Count - 1);
                unions += Recanonicalize(node);
            }
            while (_analysisPending.TryPop(out var node))
            {
                var id = _unionFind.Find(_nodeClass[node]);
                var data = _classData[id];
                var merged = Analysis.Merge(ref data, Analysis.Make(this, Materialize(node, canonical: true)));
                _classData[id] = data;
                if (merged.IntoChanged)
                {
                    PushAnalysis(_classParents.AsSpan(id));
                    Analysis.Modify(this, new EClassId(id));
                }
            }
        }
        DropRetiredFromClasses();
        SortMergedClasses();
        _classNodes.CompactIfWasteful(_unionFind.Count);
        _classParents.CompactIfWasteful(_unionFind.Count);
        Rebuilds++;
        if (_indexStale)
        {
            RebuildIndex();
        }
        return unions;
    }

    /// <summary>Gives a node canonical children; a node equal to another one is retired and the classes unioned.</summary>
    private int Recanonicalize(int node)
    {
        if ((_nodeFlags[node] & Retired) != 0)
        {
            return 0;
        }
        var arity = _headArity[_nodeHead[node]];
        var children = _children.AsSpan(_nodeStart[node], arity);
        var changed = false;
        foreach (var child in children)
        {
            if (!_unionFind.IsRoot(child))
            {
                changed = true;
                break;
            }
        }
        if (!changed)
        {
            return 0;
        }
        RemoveFromTable(node);
        for (var i = 0; i < children.Length; i++)
        {
            children[i] = _unionFind.Find(children[i]);
        }
        _rekeyed++;
        var head = _nodeHead[node];
        var hash = Hash(head, children);
        _nodeHash[node] = hash;
        var slot = Probe(head, children, hash, out var existing);
        if (existing < 0)
        {
            InsertAt(slot, node);
            return 0;
        }
        // The node equals `existing`: one of them leaves the hashcons. A node still listed in
        // its class is kept over a pruned one, so the class keeps the node.
        var keep = existing;
        var drop = node;
        if ((_nodeFlags[existing] & Pruned) != 0 && (_nodeFlags[node] & Pruned) == 0)
        {
            (keep, drop) = (node, existing);
            _table[slot] = new Slot(node + 1, _nodeHash[node]);
        }
        _nodeFlags[drop] |= Retired;
        _retiredThisRebuild.Add(drop);
        return Union(_nodeClass[existing], _nodeClass[node]) ? 1 : 0;
    }

    private void DropRetiredFromClasses()
    {
        if (_retiredThisRebuild.Count == 0)
        {
            return;
        }
        var generation = NextStamp();
        foreach (var node in _retiredThisRebuild)
        {
            var id = _unionFind.Find(_nodeClass[node]);
            if (_stamp[id] == generation)
            {
                continue;
            }
            _stamp[id] = generation;
            _classNodes.RemoveAll(id, e => (_nodeFlags[(int)e] & (Retired | Pruned)) != 0);
            _classChanges[id]++;
        }
        _retiredThisRebuild.Clear();
    }

    private void SortMergedClasses()
    {
        if (_unsortedClasses.Count == 0)
        {
            return;
        }
        var generation = NextStamp();
        foreach (var merged in _unsortedClasses)
        {
            var id = _unionFind.Find(merged);
            if (_stamp[id] != generation)
            {
                _stamp[id] = generation;
                _classNodes.AsSpan(id).Sort();
            }
        }
        _unsortedClasses.Clear();
    }

    /// <summary>Every listed node under its head, grouped by class in order of class id.</summary>
    private void RebuildIndex()
    {
        for (var head = 0; head < _heads.Count; head++)
        {
            _nodesByHead[head].Clear();
        }
        for (var id = 0; id < _unionFind.Count; id++)
        {
            if (!_unionFind.IsRoot(id))
            {
                continue;
            }
            var classKey = (long)id << 32;
            var entries = _classNodes.AsSpan(id);
            var i = 0;
            while (i < entries.Length)
            {
                var head = (int)(entries[i] >> 32);
                var list = _nodesByHead[head];
                // Entries are sorted by head, so one head's nodes are consecutive.
                for (; i < entries.Length && (int)(entries[i] >> 32) == head; i++)
                {
                    list.Add(classKey | (uint)entries[i]);
                }
            }
        }
        _indexStale = false;
    }

    private int NextStamp()
    {
        if (_stamp.Length < _unionFind.Count)
        {
            Array.Resize(ref _stamp, Math.Max(_unionFind.Count, _stamp.Length * 2));
        }
        return ++_stampGeneration;
    }

    /// <summary>The head id of (op, payload, arity), interning it when new.</summary>
    internal int HeadId(string op, object? payload, int arity)
    {
        var key = new HeadKey(op, payload, arity);
        if (_headIds.TryGetValue(key, out var id))
        {
            return id;
        }
        id = _heads.Count;
        _heads.Add(key);
        _headIds[key] = id;
        if (id == _headArity.Length)
        {
            Array.Resize(ref _headArity, id * 2);
            Array.Resize(ref _nodesByHead, id * 2);
        }
        _headArity[id] = arity;
        _nodesByHead[id] = [];
        return id;
    }

    /// <summary>Adds a node given by head and children ids (canonicalized here, in place); returns its class.</summary>
    internal int AddNode(int head, Span<int> children)
    {
        for (var i = 0; i < children.Length; i++)
        {
            children[i] = _unionFind.Find(children[i]);
        }
        var hash = Hash(head, children);
        var slot = Probe(head, children, hash, out var existing);
        if (existing >= 0)
        {
            return _unionFind.Find(_nodeClass[existing]);
        }
        var node = NewNode(head, children, hash);
        var id = _unionFind.MakeSet();
        EnsureClassCapacity(id + 1);
        _nodeClass[node] = id;
        _classNodes.Add(id, Entry(head, node));
        foreach (var child in children)
        {
            _classParents.Add(child, node);
        }
        InsertAt(slot, node);
        ClassCount++;
        _indexStale = true;
        if (!_trivialAnalysis)
        {
            _classData[id] = Analysis.Make(this, Materialize(node, canonical: false));
            Analysis.Modify(this, new EClassId(id));
            return _unionFind.Find(id);
        }
        return id;
    }

    private int NewNode(int head, ReadOnlySpan<int> children, int hash)
    {
        var node = _nodeTotal++;
        if (node == _nodeHead.Length)
        {
            var size = node * 2;
            Array.Resize(ref _nodeHead, size);
            Array.Resize(ref _nodeStart, size);
            Array.Resize(ref _nodeHash, size);
            Array.Resize(ref _nodeClass, size);
            Array.Resize(ref _nodeFlags, size);
        }
        if (_childTotal + children.Length > _children.Length)
        {
            Array.Resize(ref _children, Math.Max(_children.Length * 2, _childTotal + children.Length));
        }
        children.CopyTo(_children.AsSpan(_childTotal));
        _nodeHead[node] = head;
        _nodeStart[node] = _childTotal;
        _nodeHash[node] = hash;
        _childTotal += children.Length;
        return node;
    }

    private void EnsureClassCapacity(int count)
    {
        _classNodes.EnsureIds(count);
        _classParents.EnsureIds(count);
        if (count <= _classData.Length)
        {
            return;
        }
        var size = Math.Max(count, _classData.Length * 2);
        Array.Resize(ref _classChanges, size);
        Array.Resize(ref _classData, size);
        Array.Resize(ref _classViews, size);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(int head, ReadOnlySpan<int> children)
    {
        var h = (uint)head * 0x9E3779B1u;
        foreach (var child in children)
        {
            h = (BitOperations.RotateLeft(h, 5) ^ (uint)child) * 0x27220A95u;
        }
        return (int)h;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int SlotOf(int hash) => (int)(((uint)hash * 0x9E3779B97F4A7C15ul) >> _tableShift);

    private int FindNode(int head, ReadOnlySpan<int> children, int hash)
    {
        Probe(head, children, hash, out var existing);
        return existing;
    }

    /// <summary>
    /// Looks a node up by content. Returns the matching node in <paramref name="existing"/> (or
    /// -1) and the slot to insert into when there is none (the first deleted slot on the way).
    /// </summary>
    private int Probe(int head, ReadOnlySpan<int> children, int hash, out int existing)
    {
        var table = _table;
        var mask = table.Length - 1;
        var slot = SlotOf(hash);
        var free = -1;
        while (true)
        {
            var entry = table[slot];
            if (entry.Node == 0)
            {
                existing = -1;
                return free >= 0 ? free : slot;
            }
            if (entry.Node < 0)
            {
                if (free < 0)
                {
                    free = slot;
                }
            }
            else if (entry.Hash == hash)
            {
                var node = entry.Node - 1;
                if (_nodeHead[node] == head && _children.AsSpan(_nodeStart[node], children.Length).SequenceEqual(children))
                {
                    existing = node;
                    return slot;
                }
            }
            slot = (slot + 1) & mask;
        }
    }

    private void InsertAt(int slot, int node)
    {
        if (_table[slot].Node == 0)
        {
            _tableUsed++;
        }
        _table[slot] = new Slot(node + 1, _nodeHash[node]);
        _live++;
        if (_tableUsed * 2 > _table.Length)
        {
            Resize();
        }
    }

    private void RemoveFromTable(int node)
    {
        var mask = _table.Length - 1;
        var slot = SlotOf(_nodeHash[node]);
        while (_table[slot].Node != node + 1)
        {
            slot = (slot + 1) & mask;
        }
        _table[slot] = new Slot(-1, 0);
        _live--;
    }

    private void Resize()
    {
        var old = _table;
        var size = _live * 4 > old.Length ? old.Length * 2 : old.Length;
        _table = new Slot[size];
        _tableShift = 64 - BitOperations.Log2((uint)size);
        _tableUsed = 0;
        var mask = size - 1;
        foreach (var entry in old)
        {
            if (entry.Node > 0)
            {
                var slot = SlotOf(entry.Hash);
                while (_table[slot].Node != 0)
                {
                    slot = (slot + 1) & mask;
                }
                _table[slot] = entry;
                _tableUsed++;
            }
        }
    }

    private readonly record struct Slot(int Node, int Hash);

    /// <summary>The node as an <see cref="ENode"/>, with its children as stored or made canonical.</summary>
    internal ENode Materialize(int node, bool canonical)
    {
        var head = _heads[_nodeHead[node]];
        if (head.Arity == 0)
        {
            return new ENode(head.Op, head.Payload, []);
        }
        var children = new EClassId[head.Arity];
        var stored = _children.AsSpan(_nodeStart[node], head.Arity);
        for (var i = 0; i < children.Length; i++)
        {
            children[i] = new EClassId(canonical ? _unionFind.Find(stored[i]) : stored[i]);
        }
        return new ENode(head.Op, head.Payload, children);
    }

    private EClass<TData> View(int root) => _classViews[root] ??= new EClass<TData>(this, new EClassId(root));

    internal TData DataOf(int id) => _classData[_unionFind.Find(id)];

    internal void SetData(int id, TData data) => _classData[_unionFind.Find(id)] = data;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Entry(int head, int node) => ((long)head << 32) | (uint)node;

    /// <summary>
    /// The nodes listed in a class as <c>head &lt;&lt; 32 | node</c> entries (the node index is
    /// the low half), sorted when the e-graph is clean; valid until the e-graph changes.
    /// </summary>
    internal ReadOnlySpan<long> NodesOf(int id) => _classNodes.AsSpan(_unionFind.Find(id));

    /// <summary>The entries of a clean class's nodes with one head (a range of <see cref="NodesOf"/>).</summary>
    internal ReadOnlySpan<long> NodesOf(int id, int head)
    {
        var nodes = NodesOf(id);
        var key = (long)head << 32;
        int lo = 0, hi = nodes.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (nodes[mid] < key)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        var end = lo;
        while (end < nodes.Length && (nodes[end] >> 32) == head)
        {
            end++;
        }
        return nodes[lo..end];
    }

    /// <summary>Changes whenever the node list of class <paramref name="id"/> or any node's children change.</summary>
    internal (int Class, int Rebuilds) NodesVersion(int id) => (_classChanges[_unionFind.Find(id)], Rebuilds);

    private int Rebuilds { get; set; }

    /// <summary>
    /// This e-graph's head ids for a fixed list of heads (a compiled pattern's), resolved once per
    /// owner and kept: head ids never change.
    /// </summary>
    /// <summary>A token naming this e-graph, for caches that must not keep the e-graph alive.</summary>
    internal object Identity { get; } = new();

    internal int[] ResolveHeads(object owner, IReadOnlyList<(string Op, object? Payload, int Arity)> heads)
    {
        if (!_resolvedHeads.TryGetValue(owner, out var ids))
        {
            ids = new int[heads.Count];
            for (var i = 0; i < ids.Length; i++)
            {
                ids[i] = HeadId(heads[i].Op, heads[i].Payload, heads[i].Arity);
            }
            _resolvedHeads[owner] = ids;
        }
        return ids;
    }

    internal ReadOnlySpan<int> ChildrenOf(int node) => _children.AsSpan(_nodeStart[node], _headArity[_nodeHead[node]]);

    internal int ChildStart(int node) => _nodeStart[node];

    internal int[] ChildStore => _children;

    /// <summary>Takes the nodes matching <paramref name="match"/> out of a class; they stay in the hashcons.</summary>
    internal void RemoveNodes(int id, Predicate<ENode> match)
    {
        var removed = _classNodes.RemoveAll(_unionFind.Find(id), e =>
        {
            if (!match(Materialize((int)e, canonical: false)))
            {
                return false;
            }
            _nodeFlags[(int)e] |= Pruned;
            return true;
        });
        if (removed > 0)
        {
            _classChanges[_unionFind.Find(id)]++;
        }
    }

    /// <summary>The root classes holding a node with this head (clean e-graph), in order of class id.</summary>
    internal int[] ClassesWithHead(int head)
    {
        var classes = new List<int>();
        foreach (var entry in NodesWithHead(head))
        {
            var id = (int)(entry >> 32);
            if (classes.Count == 0 || classes[^1] != id)
            {
                classes.Add(id);
            }
        }
        return classes.ToArray();
    }

    /// <summary>
    /// The nodes with this head as <c>class &lt;&lt; 32 | node</c> entries, grouped by root class in
    /// order of class id (clean e-graph).
    /// </summary>
    internal ReadOnlySpan<long> NodesWithHead(int head)
    {
        EnsureClean();
        return CollectionsMarshal.AsSpan(_nodesByHead[head]);
    }

    /// <summary>Every root class id.</summary>
    internal IEnumerable<int> ClassIds()
    {
        for (var id = 0; id < _unionFind.Count; id++)
        {
            if (_unionFind.IsRoot(id))
            {
                yield return id;
            }
        }
    }

    internal void EnsureClean()
    {
        if (!IsClean)
        {
            throw new InvalidOperationException("the e-graph must be rebuilt (Rebuild) before it is searched");
        }
    }

    /// <summary>Every hashcons entry as a node and its class.</summary>
    internal IEnumerable<KeyValuePair<ENode, EClassId>> Memo
    {
        get
        {
            foreach (var entry in _table)
            {
                if (entry.Node > 0)
                {
                    var node = entry.Node - 1;
                    yield return new(Materialize(node, canonical: false), Find(new EClassId(_nodeClass[node])));
                }
            }
        }
    }

    /// <summary>An interned head: operator, payload (value equality) and arity.</summary>
    private readonly record struct HeadKey(string Op, object? Payload, int Arity)
    {
        public bool Equals(HeadKey other) =>
            Arity == other.Arity && string.Equals(Op, other.Op, StringComparison.Ordinal) && Equals(Payload, other.Payload);

        public override int GetHashCode() => HashCode.Combine(StringComparer.Ordinal.GetHashCode(Op), Payload, Arity);
    }
}
