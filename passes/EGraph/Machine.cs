namespace DyCompile.Passes.EGraph;

/// <summary>
/// Compiled e-matching (after egg's machine, from de Moura and Bjørner's "Efficient E-matching"):
/// a pattern becomes a short program over registers holding e-class ids. <c>Bind</c> tries each
/// e-node of a register's class with the right operator and loads its children into fresh
/// registers; <c>Compare</c> checks that a repeated variable sees one class; <c>Lookup</c> checks a
/// variable-free subterm through the hashcons instead of searching; <c>Scan</c> tries every class
/// (the roots of a multi-pattern). Running backtracks over the choices of <c>Bind</c> and <c>Scan</c>.
/// </summary>
internal sealed class Machine
{
    private abstract record Instruction;

    private sealed record Bind(int Register, string Op, object? Payload, int Arity, int Out) : Instruction;

    private sealed record Compare(int Left, int Right) : Instruction;

    private sealed record Lookup(int Register, Term Ground) : Instruction;

    private sealed record Scan(int Register, string? Op) : Instruction;

    private readonly Instruction[] _program;
    private readonly int _registerCount;
    private readonly Var[] _vars;
    private readonly int[] _varRegisters;

    private Machine(Instruction[] program, int registerCount, Var[] vars, int[] varRegisters)
    {
        _program = program;
        _registerCount = registerCount;
        _vars = vars;
        _varRegisters = varRegisters;
    }

    /// <summary>
    /// Compiles patterns that must match together. An entry with a null variable is the root
    /// pattern and starts in register 0 (set by <see cref="Run"/>); an entry <c>(?v, p)</c> matches
    /// <c>p</c> at the class of <c>?v</c> if an earlier entry bound it, else at every class via Scan.
    /// </summary>
    public static Machine Compile(IReadOnlyList<(Var? Var, PatternNode Pattern)> entries)
    {
        var program = new List<Instruction>();
        var varRegisters = new Dictionary<Var, int>();
        var nextRegister = 0;
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
                program.Add(new Scan(register, (pattern as PatternNode.Node)?.Op));
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
                            program.Add(new Compare(bound, item.Register));
                        }
                        else
                        {
                            varRegisters[v.Var] = item.Register;
                        }
                        break;
                    // A ground subterm is one hashcons lookup; the root keeps Bind so a ground
                    // pattern still only visits the classes holding its operator.
                    case PatternNode.Node { IsGround: true } ground when !isRoot:
                        program.Add(new Lookup(item.Register, ground.ToTerm()));
                        break;
                    case PatternNode.Node n:
                        var output = nextRegister;
                        nextRegister += n.Children.Count;
                        program.Add(new Bind(item.Register, n.Op, n.Payload, n.Children.Count, output));
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
        return new Machine(program.ToArray(), nextRegister, vars, vars.Select(v => varRegisters[v]).ToArray());
    }

    /// <summary>Runs the program with register 0 set to <paramref name="root"/> (unused by multi-patterns).</summary>
    public List<Subst> Run<TData>(EGraph<TData> egraph, EClassId root, int limit)
    {
        var registers = new EClassId[Math.Max(1, _registerCount)];
        registers[0] = root;
        var output = new List<Subst>();
        if (limit > 0)
        {
            Step(egraph, registers, 0, output, limit);
        }
        return output;
    }

    /// <summary>Runs from instruction <paramref name="pc"/>; false once the limit is reached.</summary>
    private bool Step<TData>(EGraph<TData> egraph, EClassId[] registers, int pc, List<Subst> output, int limit)
    {
        for (; pc < _program.Length; pc++)
        {
            switch (_program[pc])
            {
                case Bind bind:
                    foreach (var node in egraph[registers[bind.Register]].Nodes)
                    {
                        if (!node.Matches(bind.Op, bind.Payload, bind.Arity))
                        {
                            continue;
                        }
                        for (var i = 0; i < bind.Arity; i++)
                        {
                            registers[bind.Out + i] = node.ChildAt(i);
                        }
                        if (!Step(egraph, registers, pc + 1, output, limit))
                        {
                            return false;
                        }
                    }
                    return true;
                case Compare compare:
                    if (egraph.Find(registers[compare.Left]) != egraph.Find(registers[compare.Right]))
                    {
                        return true;
                    }
                    break;
                case Lookup lookup:
                    if (egraph.Lookup(lookup.Ground) is not { } id || id != egraph.Find(registers[lookup.Register]))
                    {
                        return true;
                    }
                    break;
                case Scan scan:
                    IEnumerable<EClassId> classes = scan.Op is null
                        ? egraph.Classes.Select(c => c.Id)
                        : egraph.ClassesWithOp(scan.Op);
                    foreach (var eclass in classes)
                    {
                        registers[scan.Register] = eclass;
                        if (!Step(egraph, registers, pc + 1, output, limit))
                        {
                            return false;
                        }
                    }
                    return true;
            }
        }
        var ids = new EClassId[_vars.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = egraph.Find(registers[_varRegisters[i]]);
        }
        output.Add(new Subst(_vars, ids));
        return output.Count < limit;
    }
}
