using System.Collections.Immutable;
using DyCompile.IR;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace DyCompile.Compiler.Lowering;

/// <summary>What one lowering attempt accumulates for the whole program, whichever method or
/// block is being lowered: the program being built and its names and weights, the diagnostics
/// gathered so far, the inlining stack, and what the attempt learns for the next one (the origins
/// of run-time scalars, the widenings asked for, the state read and written).</summary>
internal sealed class LoweringState(Compilation compilation, LoweringOptions options, WeightNames weightNames, LoweringPlan plan, string programName)
{
    public Compilation Compilation { get; } = compilation;
    public LoweringOptions Options { get; } = options;
    public WeightNames WeightNames { get; } = weightNames;

    /// <summary>What earlier attempts learned.</summary>
    public LoweringPlan Plan { get; } = plan;
    public ProgramBuilder Program { get; } = new(programName);

    /// <summary>The eager regions and traps the program calls, numbered as its <c>host.call</c>s name them.</summary>
    public Runtime.Compiled.HostCallbacks Callbacks { get; } = new();

    public List<Diagnostic> Warnings { get; } = [];

    /// <summary>The methods being inlined, innermost on top: a call to one of them is recursion.</summary>
    public Stack<IMethodSymbol> InlineStack { get; } = new();
    public int FrameCount { get; set; }

    /// <summary>The program's weights by name.</summary>
    public Dictionary<string, Value> WeightValues { get; } = [];

    /// <summary>Block parameters whose sizes change between the edges into them, asked for at the attempt's end.</summary>
    public List<Widening> PendingWidenings { get; } = [];

    /// <summary>The run-time int counters of loops whose heads earlier attempts widened: a size made
    /// dynamic there that the program reads at compile time asks for the loop to unroll instead.</summary>
    public HashSet<LocalSlot> WidenedLoopCounters { get; } = [];

    /// <summary>For run-time values made from compile-time scalars at a join: the locals they came from.</summary>
    public Dictionary<Value, HashSet<LocalSlot>> Origins { get; } = [];

    /// <summary>Int counters made run-time values at a join that a local still null crossed:
    /// unrolling their loop tells each step whether the local was assigned yet.</summary>
    public HashSet<LocalSlot> CountersBesideNulls { get; } = [];

    /// <summary>Fields and properties that may change after construction: those the program reads
    /// (their value at compile time folds into it) and those a statement run eagerly assigns.</summary>
    public List<StateAccess> StateReads { get; } = [];
    public List<StateAccess> StateWrites { get; } = [];

    /// <summary>Where each local was last assigned, for diagnostics about its value.</summary>
    public Dictionary<object, IOperation> AssignedAt { get; } = [];

    /// <summary>The operation being lowered, for diagnostics raised away from an operation.</summary>
    public IOperation? LastStatement { get; set; }

    /// <summary>A list of tensors grew this attempt: running out of blocks then means a loop grows it without bound.</summary>
    public bool ListsGrown { get; set; }

    /// <summary>The longest module list indexed so far: a counter kept known for a module index that
    /// runs far past it is taken as a loop without a compile-time bound.</summary>
    public int LargestModuleList { get; set; }

    private HashSet<string> Names { get; } = [];
    private Dictionary<IMethodSymbol, ControlFlowGraph> Graphs { get; } = new(SymbolEqualityComparer.Default);

    /// <summary>The locals a run-time value was computed from, where they were compile-time
    /// scalars turned into run-time values at a join.</summary>
    internal HashSet<LocalSlot> OriginsOf(Value value) => Origins.TryGetValue(value, out var o) ? o : [];

    internal static ISymbol? MemberOf(IOperation reference) => reference switch
    {
        IFieldReferenceOperation f => f.Field.OriginalDefinition,
        IPropertyReferenceOperation p => p.Property.OriginalDefinition,
        _ => null,
    };

    /// <summary>A member the program reads at compile time and the forward method assigns would be
    /// stale from the second call on: the program keeps the value it had when it was lowered.</summary>
    internal void RejectStaleState()
    {
        foreach (var write in StateWrites)
        {
            var read = StateReads.Find(r => SymbolEqualityComparer.Default.Equals(r.Member, write.Member));
            if (read is null) continue;
            var line = read.At.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
            throw Fail(DiagnosticIds.FieldMutation, write.At,
                $"'{write.Member.Name}' is assigned here and read by the compiled program (line {line}), which would keep the value it had when the model was compiled; "
                + $"a forward method must be a function of its inputs: pass the state in as a parameter and return the new value, e.g. (Tensor Output, Tensor State) Forward(Tensor x, Tensor state)");
        }
    }

    internal string Unique(string hint)
    {
        hint = new string(hint.Where(c => char.IsLetterOrDigit(c) || c is '_' or '.').ToArray());
        if (hint.Length == 0 || char.IsDigit(hint[0])) hint = "v" + hint;
        var name = hint;
        for (var i = 1; !Names.Add(name); i++) name = $"{hint}.{i}";
        return name;
    }

    internal LoweringException Fail(string id, IOperation at, string message) => new(MethodLowerer.MakeDiagnostic(id, DiagnosticSeverity.Error, at.Syntax, message));

    internal ControlFlowGraph GraphOf(IMethodSymbol method)
    {
        if (Graphs.TryGetValue(method, out var known)) return known;
        var syntax = method.DeclaringSyntaxReferences.Select(r => r.GetSyntax()).FirstOrDefault()
            ?? throw new InvalidOperationException($"{method.Name} has no source");
        var model = Compilation.GetSemanticModel(syntax.SyntaxTree);
        var body = model.GetOperation(syntax) as IMethodBodyOperation
            ?? throw new LoweringException(MethodLowerer.MakeDiagnostic(DiagnosticIds.UnsupportedStatement, DiagnosticSeverity.Error, syntax, $"'{method.Name}' has no body to compile; give it a block or expression body"));
        var graph = ControlFlowGraph.Create(body);
        Graphs[method] = graph;
        return graph;
    }

    internal void Warn(string id, IOperation at, string message)
    {
        var warning = MethodLowerer.MakeDiagnostic(id, DiagnosticSeverity.Warning, at.Syntax, message);
        if (!Warnings.Exists(w => w.Id == id && w.Line == warning.Line && w.Column == warning.Column && w.File == warning.File)) Warnings.Add(warning);
    }
}

/// <summary>A field or property read or written, and where.</summary>
internal sealed record StateAccess(ISymbol Member, IOperation At);
