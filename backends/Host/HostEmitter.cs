using DyCompile.Backends.Cpu;
using DyCompile.IR;
using DyCompile.Passes.Partition;
using DyCompile.Runtime.Compiled;

namespace DyCompile.Backends.Host;

/// <summary>Generates the host dispatcher of a partitioned program: a class that holds the
/// weights, one instance of each distinct segment class and the output buffers of every call
/// site, and whose typed <c>Forward</c> mirrors the host program. Control flow is structured
/// where the host program allows (<see cref="HostStructurer"/>: <c>if</c>/<c>else</c> for
/// branches that join, <c>while (true)</c> for loops, <c>break</c>/<c>continue</c>) and uses labels
/// and <c>goto</c> elsewhere. The only values the host reads from segments are the host scalars
/// its decisions need.</summary>
/// <remarks>Output buffers: a call site owns a small pool per static tensor output and writes
/// into a buffer that is none of the block's tensor parameters. Values cross blocks only as block
/// arguments, so the block's parameters are everything live when the call runs; a pool one larger
/// than their count always has a free buffer, and a loop that feeds a segment its own previous
/// output never reads and writes one buffer in the same call.
/// Execution state: an instance is one execution state (scratch and output buffers) and serves
/// one call at a time; callers that run concurrently use one instance each. Weights are not
/// state: <c>Bind</c> points an instance at a set of weight tensors and at the weight-only work
/// <c>Prepare</c> computed from them once for all instances. Every loop head calls
/// <c>Control.Tick</c>, which stops a call that is cancelled or past its iteration limit.</remarks>
public sealed class HostEmitter(PartitionedProgram program, IReadOnlyDictionary<DistinctSegment, SegmentEmitter> segments, string className)
{
    private readonly Dictionary<Value, string> _names = [];

    public string ClassName { get; } = className;

    private readonly HashSet<string> _usedNames = [];

    /// <summary>The C# name of a host value or weight; distinct IR names that sanitize alike
    /// (<c>fc1.w</c>, <c>fc1_w</c>) get distinct suffixes.</summary>
    private string Name(Value v)
    {
        if (_names.TryGetValue(v, out var known)) return known;
        var name = CSharpSyntax.Identifier(v.IsWeight ? "_w_" : "h_", v.Name);
        var unique = name;
        for (var k = 2; !_usedNames.Add(unique); k++) unique = $"{name}_{k}";
        return _names[v] = unique;
    }

    private HostStructurer? _structurer;
    private Dictionary<string, int> _loopIndex = [];

    /// <summary>Host block names of the loop heads, numbered as the generated code's <c>Control.Tick</c> calls.</summary>
    public IReadOnlyList<string> LoopHeads => Structurer.LoopHeads;

    private HostStructurer Structurer => _structurer ??= new HostStructurer(program.Host, this);

    public void Emit(CodeWriter w)
    {
        var original = program.Original;
        _loopIndex = LoopHeads.Select((h, i) => (h, i)).ToDictionary(p => p.h, p => p.i);
        var prepared = PreparedSites();
        w.Line($"/// <summary>Host dispatcher of @{original.Name}: {program.Segments.Count} segment call site(s), {program.Distinct.Count} distinct segment(s).</summary>");
        using (w.Block($"public sealed class {ClassName} : IHostProgram"))
        {
            foreach (var weight in original.Weights) w.Line($"private Tensor {Name(weight)};");
            foreach (var site in prepared.Values.Distinct()) w.Line($"private Tensor[] {site};");
            foreach (var d in program.Distinct) w.Line($"private readonly {segments[d].ClassName} _{d.Name} = new();");
            foreach (var block in program.Host)
                if (block.Call is { } call)
                    foreach (var (output, k) in call.Segment.Distinct.Graph.Outputs.Select((o, k) => (o, k)).Where(p => SegmentEmitter.TakesDestination(p.o)))
                    {
                        var t = (TensorType)output.Type;
                        var size = block.Parameters.Count(p => p.Type is TensorType) + 1;
                        var zeros = string.Join(", ", Enumerable.Repeat($"Tensor.Zeros({CSharpSyntax.DTypeName(t.DType)}{string.Concat(t.Shape.Select(d => ", " + d))})", size));
                        w.Line($"private readonly Tensor[] {Pool(call, k)} = [{zeros}];");
                    }
            w.Line($"private static readonly string[] _loopHeads = [{string.Join(", ", LoopHeads.Select(h => $"\"{h}\""))}];");
            w.Line();
            w.Line("public List<string> Path { get; set; }");
            w.Line();
            w.Line("public ExecutionControl Control { get; set; }");
            w.Line();
            w.Line("public HostCallbacks Callbacks { get; set; } = HostCallbacks.None;");
            w.Line();
            w.Line("public IReadOnlyList<string> LoopHeads => _loopHeads;");
            w.Line();
            var sites = prepared.Values.Distinct().ToList();
            using (w.Block("public Tensor[][] Prepare(Tensor[] weights)"))
            {
                // Locals named as the weight fields, so the calls read as Run's do.
                for (var i = 0; i < original.Weights.Length; i++) w.Line($"var {Name(original.Weights[i])} = weights[{i}];");
                w.Line($"var prepared = new Tensor[{sites.Count}][];");
                foreach (var (call, site) in prepared.DistinctBy(p => p.Value))
                    w.Line($"prepared[{sites.IndexOf(site)}] = _{call.Segment.Distinct.Name}.Prepare({string.Join(", ", segments[call.Segment.Distinct].PreparedWeights.Select(k => Name(call.Weights[k])))});");
                w.Line("return prepared;");
            }
            w.Line();
            using (w.Block("public void Bind(Tensor[] weights, Tensor[][] prepared)"))
            {
                for (var i = 0; i < original.Weights.Length; i++) w.Line($"{Name(original.Weights[i])} = weights[{i}];");
                for (var j = 0; j < sites.Count; j++) w.Line($"{sites[j]} = prepared[{j}];");
            }
            w.Line();
            EmitForward(w);
            w.Line();
            EmitRun(w);
        }
    }

    private Dictionary<SegmentCall, string> _preparedSites = [];

    /// <summary>The field that holds each call site's prepared weights; call sites of one distinct
    /// segment that read the same weights share it.</summary>
    private Dictionary<SegmentCall, string> PreparedSites()
    {
        var byKey = new Dictionary<string, string>(StringComparer.Ordinal);
        _preparedSites = [];
        foreach (var block in program.Host)
            if (block.Call is { } call && segments[call.Segment.Distinct].HasPreparation)
            {
                var key = call.Segment.Distinct.Name + "(" + string.Join(",", segments[call.Segment.Distinct].PreparedWeights.Select(k => Name(call.Weights[k]))) + ")";
                if (!byKey.TryGetValue(key, out var field)) byKey[key] = field = $"_prepared{byKey.Count}";
                _preparedSites[call] = field;
            }
        return _preparedSites;
    }

    private static string Pool(SegmentCall call, int k) => $"_pool_{call.Segment.Name}_{k}";

    private string ReturnType => program.Original.ResultTypes.Length switch
    {
        0 => "void",
        1 => CSharpSyntax.TypeOf(program.Original.ResultTypes[0]),
        _ => "(" + string.Join(", ", program.Original.ResultTypes.Select(CSharpSyntax.TypeOf)) + ")",
    };

    private void EmitForward(CodeWriter w)
    {
        var inputs = program.Original.Inputs;
        var parameters = string.Join(", ", inputs.Select(i => $"{CSharpSyntax.TypeOf(i.Type)} {CSharpSyntax.ParameterName(i.Name)}"));
        w.Line("[System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]");
        using (w.Block($"public {ReturnType} Forward({parameters})"))
        {
            var values = program.Host.SelectMany(b => b.Parameters.Concat(b.Before.SelectMany(n => n.Results)).Concat(b.Call?.Outputs ?? []).Concat(b.After.SelectMany(n => n.Results)));
            foreach (var v in values.Distinct())
                w.Line($"{CSharpSyntax.TypeOf(v.Type)} {Name(v)} = default;");
            var entry = program.Host[0];
            for (var i = 0; i < inputs.Length; i++)
                w.Line($"{Name(entry.Parameters[i])} = {CSharpSyntax.ParameterName(inputs[i].Name)};");
            Structurer.Emit(w);
        }
    }

    internal void EmitBody(CodeWriter w, HostBlock block)
    {
        w.Line($"Path?.Add(\"{block.Name}\");");
        if (_loopIndex.TryGetValue(block.Name, out var loop)) w.Line($"Control.Tick({loop});");
        foreach (var node in block.Before) EmitHostNode(w, node);
        if (block.Call is { } call) EmitCall(w, block, call);
        foreach (var node in block.After) EmitHostNode(w, node);
    }

    private void EmitHostNode(CodeWriter w, Node node) =>
        w.Line(node.Op == "const"
            ? $"{Name(node.Result)} = {CSharpSyntax.ScalarConst(node)};"
            : $"{Name(node.Result)} = {CSharpSyntax.HostExpression(node, [.. node.Operands.Select(Name)])};");

    private void EmitCall(CodeWriter w, HostBlock block, SegmentCall call)
    {
        var outputs = call.Segment.Distinct.Graph.Outputs;
        var live = block.Parameters.Where(p => p.Type is TensorType).Select(Name).ToList();
        var destinations = new List<string>();
        using (w.Block(""))
        {
            for (var k = 0; k < outputs.Length; k++)
            {
                if (!SegmentEmitter.TakesDestination(outputs[k])) continue;
                var d = "d" + k;
                destinations.Add(d);
                w.Line($"var {d} = {Pool(call, k)}[0];");
                if (live.Count > 0)
                    w.Line($"for (var k = 1; {string.Join(" || ", live.Select(l => $"ReferenceEquals({d}, {l})"))}; k++) {d} = {Pool(call, k)}[k];");
            }
            var args = call.Inputs.Concat(call.Weights).Select(Name)
                .Concat(_preparedSites.TryGetValue(call, out var site) ? [site] : [])
                .Concat(segments[call.Segment.Distinct].CallsHost ? ["Callbacks"] : [])
                .Concat(destinations).Concat(call.Outputs.Select(o => "out " + Name(o)));
            w.Line($"_{call.Segment.Distinct.Name}.Run({string.Join(", ", args)});");
        }
    }

    /// <summary>Assigns a target's arguments to its parameters as one parallel assignment.</summary>
    internal void EmitTransfer(CodeWriter w, BlockTarget target)
    {
        var block = program.Host.First(b => b.Name == target.Block);
        var pairs = block.Parameters.Zip(target.Arguments).Where(p => p.First != p.Second).ToList();
        var clobbers = pairs.Any(p => pairs.Any(q => q.Second == p.First));
        if (!clobbers)
        {
            foreach (var (param, arg) in pairs) w.Line($"{Name(param)} = {Name(arg)};");
            return;
        }
        using (w.Block(""))
        {
            for (var i = 0; i < pairs.Count; i++) w.Line($"var t{i} = {Name(pairs[i].Second)};");
            for (var i = 0; i < pairs.Count; i++) w.Line($"{Name(pairs[i].First)} = t{i};");
        }
    }

    internal void EmitReturn(CodeWriter w, Return ret) =>
        w.Line(ret.Values.Length switch
        {
            0 => "return;",
            1 => $"return {Name(ret.Values[0])};",
            _ => $"return ({string.Join(", ", ret.Values.Select(Name))});",
        });

    internal string Condition(Branch branch) => Name(branch.Condition);

    private void EmitRun(CodeWriter w)
    {
        var inputs = program.Original.Inputs;
        var args = string.Join(", ", inputs.Select((input, i) => $"({CSharpSyntax.TypeOf(input.Type)})inputs[{i}]"));
        var types = program.Original.ResultTypes;
        // Host scalar results reuse boxes (BoxedScalars), so a steady-state call allocates nothing.
        string Store(int i, string value) => types[i] switch
        {
            ScalarType { Kind: ScalarKind.Int } => $"outputs[{i}] = BoxedScalars.Int({value}, outputs[{i}]);",
            ScalarType { Kind: ScalarKind.Float } => $"outputs[{i}] = BoxedScalars.Float({value}, outputs[{i}]);",
            ScalarType { Kind: ScalarKind.Bool } => $"outputs[{i}] = BoxedScalars.Bool({value});",
            _ => $"outputs[{i}] = {value};",
        };
        using (w.Block("public void Run(object[] inputs, object[] outputs)"))
        {
            if (types.Length == 0) w.Line($"Forward({args});");
            else if (types.Length == 1) w.Line(Store(0, $"Forward({args})"));
            else
            {
                w.Line($"var r = Forward({args});");
                for (var i = 0; i < types.Length; i++) w.Line(Store(i, $"r.Item{i + 1}"));
            }
        }
    }
}
