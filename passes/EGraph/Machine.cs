namespace DyCompile.Passes.EGraph;

/// <summary>
/// Compiled e-matching (after egg's machine, from de Moura and Bjørner's "Efficient E-matching"):
/// a pattern becomes a short program over registers holding e-class ids. <c>Bind</c> tries each
/// e-node of a register's class with the right head and loads its children into fresh
/// registers; <c>Compare</c> checks that a repeated variable sees one class; <c>Lookup</c> checks a
/// variable-free subterm through the hashcons instead of searching; <c>Scan</c> tries every class
/// (the roots of a multi-pattern). Running backtracks over the choices of <c>Bind</c> and <c>Scan</c>.
/// Heads are resolved to the e-graph's interned ids once per e-graph, and the bindings of all
/// matches of a run share one array.
/// </summary>
internal sealed class Machine
{
    private enum Kind : byte
    {
        Bind,
        Compare,
        Lookup,
        Scan,
    }

    /// <summary>
    /// One instruction. Bind: <c>A</c> register, <c>B</c> head index, <c>C</c> arity, <c>D</c>
    /// first output register. Compare: registers <c>A</c> and <c>B</c>. Lookup: register <c>A</c>,
    /// ground term <c>B</c>. Scan: register <c>A</c>, head index <c>B</c> (-1: every class).
    /// </summary>
    private readonly record struct Instruction(Kind Kind, int A, int B, int C, int D);

    private readonly Instruction[] _program;
    private readonly (string Op, object? Payload, int Arity)[] _heads;
    private readonly Term[] _grounds;
    private readonly int _registerCount;
    private readonly Var[] _vars;
    private readonly int[] _varRegisters;

    private Machine(Instruction[] program, (string, object?, int)[] heads, Term[] grounds, int registerCount, Var[] vars, int[] varRegisters)
    {
        _program = program;
        _heads = heads;
        _grounds = grounds;
        _registerCount = registerCount;
        _vars = vars;
        _varRegisters = varRegisters;
    }

    /// <summary>The variables every match binds, in the order of <see cref="Subst.Vars"/>.</summary>
    public Var[] Vars => _vars;

    /// <summary>
    /// Compiles patterns that must match together. An entry with a null variable is the root
    /// pattern and starts in register 0 (set by <see cref="Run"/>); an entry <c>(?v, p)</c> matches
    /// <c>p</c> at the class of <c>?v</c> if an earlier entry bound it, else at every class via Scan.
    /// </summary>
    public static Machine Compile(IReadOnlyList<(Var? Var, PatternNode Pattern)> entries)
    {
        var program = new List<Instruction>();
        var heads = new List<(string, object?, int)>();
        var grounds = new List<Term>();
        var varRegisters = new Dictionary<Var, int>();
        var nextRegister = 0;

        int HeadIndex(PatternNode.Node n)
        {
            var key = (n.Op, n.Payload, n.Children.Count);
            var index = heads.IndexOf(key);
            if (index < 0)
            {
                index = heads.Count;
                heads.Add(key);
            }
            return index;
        }

        foreach (var (rootVar, pattern) in entries)
        {
            int register;
            if (rootVar is null)
            {
                register = nextRegister++;
            }
            else if (!varRegisters.TryGetValue(rootVar.Value, out register))
            {
                register = nextRegister++;
                program.Add(new Instruction(Kind.Scan, register, pattern is PatternNode.Node scanned ? HeadIndex(scanned) : -1, 0, 0));
                varRegisters[rootVar.Value] = register;
            }
            var todo = new Stack<(PatternNode Node, int Register)>();
            todo.Push((pattern, register));
            var isRoot = true;
            while (todo.TryPop(out var item))
            {
                switch (item.Node)
                {
                    case PatternNode.Variable v:
                        if (varRegisters.TryGetValue(v.Var, out var bound))
                        {
                            program.Add(new Instruction(Kind.Compare, bound, item.Register, 0, 0));
                        }
                        else
                        {
                            varRegisters[v.Var] = item.Register;
                        }
                        break;
                    // A ground subterm is one hashcons lookup; the root keeps Bind so a ground
                    // pattern still only visits the classes holding its operator.
                    case PatternNode.Node { IsGround: true } ground when !isRoot:
                        program.Add(new Instruction(Kind.Lookup, item.Register, grounds.Count, 0, 0));
                        grounds.Add(ground.ToTerm());
                        break;
                    case PatternNode.Node n:
                        var output = nextRegister;
                        nextRegister += n.Children.Count;
                        program.Add(new Instruction(Kind.Bind, item.Register, HeadIndex(n), n.Children.Count, output));
                        for (var i = n.Children.Count - 1; i >= 0; i--)
                        {
                            todo.Push((n.Children[i], output + i));
                        }
                        break;
                }
                isRoot = false;
            }
        }
        var vars = varRegisters.Keys.ToArray();
        return new Machine(program.ToArray(), heads.ToArray(), grounds.ToArray(), nextRegister, vars,
            vars.Select(v => varRegisters[v]).ToArray());
    }

    /// <summary>This e-graph's id of the head the first instruction binds at the root, or -1 when it binds none.</summary>
    public int RootHead<TData>(EGraph<TData> egraph) =>
        _program.Length > 0 && _program[0] is { Kind: Kind.Bind, A: 0 } bind ? egraph.ResolveHeads(this, _heads)[bind.B] : -1;

    /// <summary>Storage for one search of <paramref name="egraph"/>.</summary>
    public Bindings NewBindings<TData>(EGraph<TData> egraph) => new(this, egraph.ResolveHeads(this, _heads));

    /// <summary>Runs the program with register 0 set to <paramref name="root"/> (unused by multi-patterns).</summary>
    public IReadOnlyList<Subst> Run<TData>(EGraph<TData> egraph, EClassId root, int limit)
    {
        var bindings = new Bindings(this, egraph.ResolveHeads(this, _heads));
        Run(egraph, root.Value, limit, bindings);
        return bindings.MatchesSince(0);
    }

    /// <summary>Adds the matches at <paramref name="root"/> to <paramref name="bindings"/>, at most <paramref name="limit"/>.</summary>
    public void Run<TData>(EGraph<TData> egraph, int root, int limit, Bindings bindings)
    {
        if (limit <= 0)
        {
            return;
        }
        var state = new State<TData>(egraph, bindings.Heads, bindings, bindings.Count + limit);
        bindings.Registers[0] = root;
        Step(in state, 0);
    }

    /// <summary>
    /// Adds the matches in which the root instruction binds <paramref name="node"/> of class
    /// <paramref name="root"/> (its head must be the root head, see <see cref="RootHead"/>).
    /// </summary>
    public void RunFrom<TData>(EGraph<TData> egraph, int root, int node, int limit, Bindings bindings)
    {
        if (limit <= 0)
        {
            return;
        }
        var state = new State<TData>(egraph, bindings.Heads, bindings, bindings.Count + limit);
        var bind = _program[0];
        var registers = bindings.Registers;
        registers[0] = root;
        var children = egraph.ChildrenOf(node);
        for (var i = 0; i < children.Length; i++)
        {
            registers[bind.D + i] = children[i];
        }
        Step(in state, 1);
    }

    /// <summary>
    /// Storage reused over the runs of one search: the registers, and the bindings of all its
    /// matches in one array (a match's <see cref="Subst"/> is made when it is read).
    /// </summary>
    public sealed class Bindings(Machine machine, int[] heads)
    {
        /// <summary>The machine's heads as the searched e-graph's head ids.</summary>
        public int[] Heads { get; } = heads;

        private readonly Var[] _vars = machine._vars;
        private readonly int[] _grounds = Enumerable.Repeat(-2, machine._grounds.Length).ToArray();
        private EClassId[] _ids = [];

        public int[] Registers { get; } = new int[Math.Max(1, machine._registerCount)];

        /// <summary>Matches added so far.</summary>
        public int Count { get; private set; }

        /// <summary>The class of a ground subterm (-1 when absent), looked up once per search: the e-graph does not change.</summary>
        public int Ground<TData>(EGraph<TData> egraph, Term[] terms, int index)
        {
            if (_grounds[index] == -2)
            {
                _grounds[index] = egraph.Lookup(terms[index]) is { } id ? id.Value : -1;
            }
            return _grounds[index];
        }

        public void Add(ReadOnlySpan<int> ids)
        {
            var offset = Count * _vars.Length;
            if (offset + _vars.Length > _ids.Length)
            {
                Array.Resize(ref _ids, Math.Max(64, _ids.Length * 2));
            }
            for (var i = 0; i < ids.Length; i++)
            {
                _ids[offset + i] = new EClassId(ids[i]);
            }
            Count++;
        }

        /// <summary>The matches added since the first <paramref name="start"/>.</summary>
        public IReadOnlyList<Subst> MatchesSince(int start) => new SubstList(_vars, _ids, start, Count - start);
    }

    /// <summary>Matches stored side by side in one array; each <see cref="Subst"/> is a view made on access.</summary>
    private sealed class SubstList(Var[] vars, EClassId[] ids, int start, int count) : IReadOnlyList<Subst>
    {
        public int Count => count;

        public Subst this[int index] =>
            (uint)index < (uint)count ? new Subst(vars, ids, (start + index) * vars.Length) : throw new ArgumentOutOfRangeException(nameof(index));

        public IEnumerator<Subst> GetEnumerator()
        {
            for (var i = 0; i < count; i++)
            {
                yield return new Subst(vars, ids, (start + i) * vars.Length);
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private readonly struct State<TData>(EGraph<TData> egraph, int[] heads, Bindings bindings, int stopAt)
    {
        public readonly EGraph<TData> EGraph = egraph;
        public readonly int[] Heads = heads;
        public readonly int[] Registers = bindings.Registers;
        public readonly Bindings Bindings = bindings;
        public readonly int StopAt = stopAt;
    }

    /// <summary>Runs from instruction <paramref name="pc"/>; false once the limit is reached.</summary>
    private bool Step<TData>(in State<TData> state, int pc)
    {
        var registers = state.Registers;
        var egraph = state.EGraph;
        for (; pc < _program.Length; pc++)
        {
            var instruction = _program[pc];
            switch (instruction.Kind)
            {
                case Kind.Bind:
                {
                    var store = egraph.ChildStore;
                    foreach (var entry in egraph.NodesOf(registers[instruction.A], state.Heads[instruction.B]))
                    {
                        var start = egraph.ChildStart((int)entry);
                        for (var i = 0; i < instruction.C; i++)
                        {
                            registers[instruction.D + i] = store[start + i];
                        }
                        if (!Step(in state, pc + 1))
                        {
                            return false;
                        }
                    }
                    return true;
                }
                case Kind.Compare:
                    if (egraph.Find(registers[instruction.A]) != egraph.Find(registers[instruction.B]))
                    {
                        return true;
                    }
                    break;
                case Kind.Lookup:
                    if (state.Bindings.Ground(egraph, _grounds, instruction.B) != egraph.Find(registers[instruction.A]))
                    {
                        return true;
                    }
                    break;
                case Kind.Scan:
                {
                    var classes = instruction.B < 0 ? egraph.ClassIds().ToArray() : egraph.ClassesWithHead(state.Heads[instruction.B]);
                    foreach (var eclass in classes)
                    {
                        registers[instruction.A] = eclass;
                        if (!Step(in state, pc + 1))
                        {
                            return false;
                        }
                    }
                    return true;
                }
            }
        }
        Span<int> ids = _vars.Length <= 32 ? stackalloc int[_vars.Length] : new int[_vars.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = egraph.Find(registers[_varRegisters[i]]);
        }
        state.Bindings.Add(ids);
        return state.Bindings.Count < state.StopAt;
    }
}
