using DyCompile.Runtime;

namespace DyCompile.IR;

/// <summary>Checks that a program is well formed: SSA scoping, op signatures and types against the
/// catalog, terminators, edges and the program signature. Never throws on any program (only on
/// a null argument); returns every finding. Unreachable blocks are warnings, everything else is
/// an error. Time is linear in the size of the program.</summary>
public static class Verifier
{
    public static IReadOnlyList<VerifierDiagnostic> Verify(IRProgram program)
    {
        ArgumentNullException.ThrowIfNull(program);
        return new Run(program).Check();
    }

    public static IReadOnlyList<VerifierDiagnostic> Verify(Graph graph) => Verify(graph.ToProgram());

    /// <summary>Only the errors (no warnings).</summary>
    public static IReadOnlyList<VerifierDiagnostic> Errors(IRProgram program) =>
        Verify(program).Where(d => d.Severity == Severity.Error).ToList();

    /// <summary>Whether a value of type <paramref name="argument"/> may flow where <paramref name="expected"/>
    /// is declared (a block parameter, a program result): the same type, or a tensor of the same
    /// dtype and rank whose sizes equal the expected ones wherever those are not dynamic
    /// (<c>tensor&lt;i64, [1, 0]&gt;</c> into <c>tensor&lt;i64, [1, ?]&gt;</c>, as a loop head whose
    /// carried sequence grows).</summary>
    public static bool Admits(IRType expected, IRType argument) =>
        expected == argument
        || expected is TensorType e && argument is TensorType a && e.DType == a.DType && e.Rank == a.Rank
            && Enumerable.Range(0, e.Rank).All(d => e.Shape[d] == TensorType.Dynamic || e.Shape[d] == a.Shape[d]);

    /// <summary>One check of a program. Blocks and weights are looked up through indexes built
    /// once, so the check is linear in the size of the program.</summary>
    private sealed class Run(IRProgram program)
    {
        private readonly List<VerifierDiagnostic> _found = [];

        private readonly BlockIndex _blocks = new(program);

        private readonly Dictionary<string, Value> _weights = program.Weights
            .DistinctBy(w => w.Name, StringComparer.Ordinal)
            .ToDictionary(w => w.Name, StringComparer.Ordinal);

        // Where each value is defined: its block and instruction index (-1 for a parameter).
        private readonly Dictionary<Value, (Block Block, int Index)> _defs = [];

        private void Report(VerifyErrorKind kind, Block? block, string message, Severity severity = Severity.Error) =>
            _found.Add(new(kind, severity, block?.Name, block is null ? message : $"^{block.Name}: {message}"));

        public List<VerifierDiagnostic> Check()
        {
            if (program.Blocks.Length == 0)
            {
                Report(VerifyErrorKind.NoBlocks, null, $"program @{program.Name} has no blocks");
                return _found;
            }
            CollectDefinitions();
            CheckEntry();
            foreach (var block in program.Blocks) CheckBlock(block);
            CheckReachability();
            return _found;
        }

        private void CollectDefinitions()
        {
            var names = new Dictionary<string, string>();
            foreach (var w in program.Weights)
            {
                if (!names.TryAdd("@" + w.Name, "the weight list"))
                    Report(VerifyErrorKind.DuplicateDefinition, null, $"weight @{w.Name} is declared twice");
                if (w.Type is not TensorType { IsStatic: true })
                    Report(VerifyErrorKind.WeightType, null, $"weight @{w.Name} is {w.Type}; a weight must be a tensor of static shape");
            }
            var blockNames = new HashSet<string>();
            foreach (var block in program.Blocks)
            {
                if (!blockNames.Add(block.Name))
                    Report(VerifyErrorKind.DuplicateBlock, block, $"block ^{block.Name} is defined twice");
                void Define(Value v, int index)
                {
                    if (!names.TryAdd(v.Name, "^" + block.Name) || _defs.ContainsKey(v))
                        Report(VerifyErrorKind.DuplicateDefinition, block, $"%{v.Name} is defined more than once (also in {names[v.Name]})");
                    _defs.TryAdd(v, (block, index));
                }
                foreach (var p in block.Parameters) Define(p, -1);
                for (var i = 0; i < block.Instructions.Length; i++)
                    if (block.Instructions[i] is Node node)
                        foreach (var r in node.Results) Define(r, i);
            }
        }

        private void CheckEntry()
        {
            var entry = program.Entry;
            var parameters = entry.Parameters;
            var matches = parameters.Length == program.Inputs.Length
                && parameters.Zip(program.Inputs).All(p => p.First.Name == p.Second.Name && p.First.Type == p.Second.Type);
            if (!matches)
                Report(VerifyErrorKind.EntryParameters, entry,
                    $"entry parameters ({string.Join(", ", parameters.Select(p => $"%{p.Name}: {p.Type}"))}) do not match the program inputs ({string.Join(", ", program.Inputs.Select(i => $"%{i.Name}: {i.Type}"))})");
        }

        private void CheckBlock(Block block)
        {
            var terminators = block.Instructions.Select((ins, i) => (ins, i)).Where(p => p.ins is Terminator).ToList();
            if (terminators.Count == 0)
                Report(VerifyErrorKind.MissingTerminator, block, "block has no terminator (jump, branch or return)");
            foreach (var (ins, i) in terminators)
                if (i != block.Instructions.Length - 1)
                    Report(VerifyErrorKind.MisplacedTerminator, block, $"'{IRPrinter.Print(ins)}' is followed by {block.Instructions.Length - 1 - i} more instruction(s); a terminator must be last and only one");

            for (var i = 0; i < block.Instructions.Length; i++)
            {
                var ins = block.Instructions[i];
                var text = IRPrinter.Print(ins);
                foreach (var use in ins.Uses.Distinct()) CheckUse(block, i, use, text);
                switch (ins)
                {
                    case Node node: CheckNode(block, node, text); break;
                    case Terminator t: CheckTerminator(block, t, text); break;
                }
            }
        }

        private void CheckUse(Block block, int index, Value use, string where)
        {
            if (use.IsWeight)
            {
                var declared = _weights.GetValueOrDefault(use.Name);
                if (declared is null || declared.Type != use.Type)
                    Report(VerifyErrorKind.UndeclaredWeight, block, $"'{where}': weight @{use.Name} : {use.Type} is not declared by the program");
                return;
            }
            if (!_defs.TryGetValue(use, out var def))
                Report(VerifyErrorKind.UndefinedValue, block, $"'{where}': %{use.Name} is not defined in this program");
            else if (def.Block != block)
                Report(VerifyErrorKind.CrossBlockUse, block, $"'{where}': %{use.Name} is defined in ^{def.Block.Name}; pass it as a block argument instead");
            else if (def.Index >= index)
                Report(VerifyErrorKind.UseBeforeDefinition, block, $"'{where}': %{use.Name} is used before its definition");
        }

        private void CheckNode(Block block, Node node, string text)
        {
            var def = node.Def;
            if (def is null)
            {
                Report(VerifyErrorKind.UnknownOp, block, $"'{text}': unknown op '{node.Op}'");
                return;
            }
            if (def.Kind == OpKind.Const)
            {
                CheckConst(block, node, text);
                return;
            }
            if (node.Payload is not null)
                Report(VerifyErrorKind.ConstPayload, block, $"'{text}': only const carries a literal payload");

            var countError = OpCatalog.CheckOperandCount(def, node.Operands.Length);
            if (countError is not null)
            {
                Report(VerifyErrorKind.OperandCount, block, $"'{text}': {def.Name}: {countError}");
                return;
            }
            var attrsOk = true;
            foreach (var a in def.Attributes)
            {
                var value = node.Attrs[a.Name];
                if (value is null)
                {
                    attrsOk = false;
                    Report(VerifyErrorKind.MissingAttribute, block, $"'{text}': {def.Name} requires attribute '{a.Name}' ({AttrValue.KindName(a.Kind)})");
                }
                else if (value.Kind != a.Kind)
                {
                    attrsOk = false;
                    Report(VerifyErrorKind.AttributeKind, block, $"'{text}': attribute '{a.Name}' of {def.Name} must be {AttrValue.KindName(a.Kind)}, got {AttrValue.KindName(value.Kind)} {value}");
                }
            }
            foreach (var (name, _) in node.Attrs)
            {
                if (def.FindAttribute(name) is null)
                {
                    attrsOk = false;
                    Report(VerifyErrorKind.UnknownAttribute, block, $"'{text}': {def.Name} has no attribute '{name}'");
                }
            }
            if (!attrsOk) return;

            var inferred = OpCatalog.Infer(def.Name, node.Operands.Select(v => v.Type).ToList(), node.Attrs);
            if (!inferred.Succeeded)
            {
                Report(VerifyErrorKind.OperandTypes, block, $"'{text}': {inferred.ErrorMessage}");
                return;
            }
            var types = inferred.Types!;
            if (types.Count != node.Results.Length)
            {
                Report(VerifyErrorKind.ResultCount, block, $"'{text}': {def.Name} produces {types.Count} result(s), the node names {node.Results.Length}");
                return;
            }
            for (var i = 0; i < types.Count; i++)
                if (types[i] != node.Results[i].Type)
                    Report(VerifyErrorKind.ResultType, block, $"'{text}': %{node.Results[i].Name} is declared {node.Results[i].Type} but {def.Name} produces {types[i]}");
        }

        private void CheckConst(Block block, Node node, string text)
        {
            string? problem = null;
            if (node.Operands.Length != 0 || node.Attrs.Count != 0) problem = "const takes no operands or attributes";
            else if (node.Results.Length != 1) problem = $"const defines exactly one value, not {node.Results.Length}";
            else if (node.Payload is not { } payload) problem = "const has no literal payload";
            else
            {
                var type = node.Results[0].Type;
                var expected = type is TensorType t ? t.ElementCount : 1;
                var kind = ConstPayload.ElementKind(type);
                if (type is TensorType tt && !tt.IsStatic) problem = $"a constant tensor needs a static shape, got {type}";
                else if (payload.Values.Length != expected) problem = $"literal has {payload.Values.Length} element(s), type {type} needs {expected}";
                else if (payload.Values.Any(v => kind == ScalarKind.Bool ? v is not (0 or 1) : kind == ScalarKind.Int && v != Math.Floor(v)))
                    problem = $"literal elements do not fit {type}";
                else if (kind == ScalarKind.Int && type is ScalarType or TensorType { DType: DType.Int32 } && payload.Values.Any(v => v is < int.MinValue or > int.MaxValue))
                    problem = $"literal elements overflow {type}";
            }
            if (problem is not null) Report(VerifyErrorKind.ConstPayload, block, $"'{text}': {problem}");
        }

        private void CheckTerminator(Block block, Terminator terminator, string text)
        {
            switch (terminator)
            {
                case Branch branch when branch.Condition.Type != IRType.Bool:
                    Report(VerifyErrorKind.BranchCondition, block, $"'{text}': the condition %{branch.Condition.Name} is {branch.Condition.Type}, a branch needs a host bool");
                    break;
                case Return ret:
                    if (ret.Values.Length != program.ResultTypes.Length)
                        Report(VerifyErrorKind.ReturnArity, block, $"'{text}': returns {ret.Values.Length} value(s), the program returns {program.ResultTypes.Length}");
                    else
                        for (var i = 0; i < ret.Values.Length; i++)
                            if (!Admits(program.ResultTypes[i], ret.Values[i].Type))
                                Report(VerifyErrorKind.ReturnType, block, $"'{text}': result {i} (%{ret.Values[i].Name}) is {ret.Values[i].Type}, the program returns {program.ResultTypes[i]}");
                    break;
            }
            foreach (var target in terminator.Successors)
            {
                var dest = _blocks.Find(target.Block);
                if (dest is null)
                {
                    Report(VerifyErrorKind.UnknownBlock, block, $"'{text}': no block ^{target.Block}");
                    continue;
                }
                if (dest == program.Entry)
                    Report(VerifyErrorKind.EntryTargeted, block, $"'{text}': the entry block ^{dest.Name} cannot be a branch target");
                if (target.Arguments.Length != dest.Parameters.Length)
                {
                    Report(VerifyErrorKind.ArgumentCount, block, $"'{text}': ^{dest.Name} takes {dest.Parameters.Length} argument(s), {target.Arguments.Length} given");
                    continue;
                }
                for (var i = 0; i < target.Arguments.Length; i++)
                    if (!Admits(dest.Parameters[i].Type, target.Arguments[i].Type))
                        Report(VerifyErrorKind.ArgumentType, block, $"'{text}': argument {i} (%{target.Arguments[i].Name}: {target.Arguments[i].Type}) does not match parameter %{dest.Parameters[i].Name}: {dest.Parameters[i].Type} of ^{dest.Name}");
            }
        }

        private void CheckReachability()
        {
            // By name: a second block of a reached name is already reported as a duplicate.
            foreach (var block in program.Blocks.Where(b => !_blocks.Reachable.Contains(_blocks.Find(b.Name)!)))
                Report(VerifyErrorKind.UnreachableBlock, block, "block is unreachable from the entry", Severity.Warning);
        }
    }
}
