using System.Reflection;
using DyCompile.IR;
using DyCompile.Passes.Fusion;
using DyCompile.Passes.Memory;
using DyCompile.Passes.Pipeline;
using DyCompile.Passes.Preparation;
using DyCompile.Runtime;
using DyCompile.Runtime.Compiled;

namespace DyCompile.Backends.Cpu;

/// <summary>Generates the C# class of one distinct segment. Its <c>Run</c> method takes the
/// segment inputs, then the weights, then a destination tensor for every static tensor output,
/// and returns every output through an <c>out</c> parameter. Fused elementwise chains become
/// SIMD loops; matmul and linear call <see cref="Gemm.Sgemm(bool, bool, int, int, int, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, Span{float}, int, bool)"/>
/// (linear's bias is the GEMM's initial C); ops with a runtime <c>...Into</c> kernel write into a
/// buffer of the memory plan; any other op calls its eager kernel (which allocates). Buffers are
/// allocated once, with the instance.</summary>
public sealed class SegmentEmitter
{
    /// <summary>Products of at most this many multiply-adds call <see cref="SmallGemm"/>
    /// (register-blocked loops over the unpacked operands on the calling thread); larger ones
    /// call the blocked, multi-core GEMM.</summary>
    public const long InlineGemmLimit = 1 << 16;

    private readonly Graph _graph;
    private readonly IReadOnlyList<FusionStep> _steps;
    private readonly Dictionary<Value, string> _expr = [];
    private readonly Dictionary<Value, string> _home = [];
    private readonly List<string> _fields = [];
    private readonly MemoryPlan _plan;
    private readonly WeightPreparation _preparation;

    private readonly bool _profileSteps;

    /// <param name="segment">A distinct segment after every per-segment pass (<see cref="PassPipeline.Plan"/>).</param>
    /// <param name="profileSteps">Time every step into a <see cref="StepProfile"/> counter.</param>
    public SegmentEmitter(PlannedSegment segment, string className, bool profileSteps = false)
    {
        if (!segment.IsComplete)
            throw new ArgumentException($"segment {segment.Segment.Name} has not been through weight preparation, fusion and memory planning", nameof(segment));
        _profileSteps = profileSteps;
        _graph = segment.Graph;
        ClassName = className;
        _preparation = segment.Preparation!;
        _steps = segment.Steps!;
        _plan = segment.Memory!;
        var intoDestination = segment.IntoDestination!;
        for (var k = 0; k < _graph.Outputs.Length; k++)
            if (TakesDestination(_graph.Outputs[k]) && intoDestination.Contains(_graph.Outputs[k]))
                _home[_graph.Outputs[k]] = "d" + k;
        foreach (var (v, b) in _plan.BufferOf)
        {
            if (!_plan.Views.Contains(v))
            {
                _home[v] = "_b" + b;
                continue;
            }
            // A view shares its buffer under its own shape: a tensor over the same storage, made once.
            var shape = ((TensorType)v.Type).Shape;
            var name = $"_b{b}_as{string.Join("x", shape)}";
            _home[v] = name;
            _bufferViews.TryAdd(name, (b, [.. shape]));
        }
    }

    /// <summary>The tensors that view a buffer under another shape: name → (buffer, shape).</summary>
    private readonly SortedDictionary<string, (int Buffer, int[] Shape)> _bufferViews = new(StringComparer.Ordinal);

    public string ClassName { get; }

    public IReadOnlyList<FusionStep> Steps => _steps;

    public MemoryPlan Memory => _plan;

    /// <summary>The nodes that read only weights and constants: run once per call site (see <see cref="WeightPreparation"/>).</summary>
    public IReadOnlyList<Node> Prepared => _preparation.Nodes;

    /// <summary>Positions (in the segment's weight list) of the weights the <c>Prepare</c> method
    /// takes; empty when there is none (then <c>Run</c> takes no <c>__prepared</c> argument).</summary>
    public IReadOnlyList<int> PreparedWeights => _preparation.WeightPositions;

    /// <summary>Whether the segment has weight-only work: a <c>Prepare</c> method whose result <c>Run</c> takes.</summary>
    public bool HasPreparation => _preparation.Nodes.Count > 0;

    /// <summary>Whether the segment runs eager regions (<c>host.call</c>): then <c>Run</c> takes the
    /// program's <see cref="HostCallbacks"/> after the prepared weights.</summary>
    public bool CallsHost => _graph.Nodes.Any(n => n.Op == "host.call");

    /// <summary>Static tensor outputs get a destination from the caller.</summary>
    public static bool TakesDestination(Value output) => output.Type is TensorType { IsStatic: true };

    public void Emit(CodeWriter w, string hash)
    {
        w.Line($"/// <summary>Segment {hash}: {_graph.Nodes.Length} op(s) in {_steps.Count} step(s), {_plan.Buffers.Count} scratch buffer(s) ({_plan.TotalBytes} bytes).</summary>");
        using (w.Block($"public sealed class {ClassName}"))
        {
            for (var b = 0; b < _plan.Buffers.Count; b++)
                w.Line($"private readonly Tensor _b{b} = Tensor.Zeros({CSharpSyntax.DTypeName(_plan.Buffers[b].DType)}{ShapeArgs(_plan.Buffers[b].Shape)});");
            foreach (var name in _bufferViews.Keys) w.Line($"private readonly Tensor {name};");
            if (_bufferViews.Count > 0)
                using (w.Block($"public {ClassName}()"))
                    foreach (var (name, (b, shape)) in _bufferViews)
                        w.Line($"{name} = _b{b}.WithShape([{string.Join(", ", shape.Select(d => CSharpSyntax.Int(d)))}]);");
            var body = new CodeWriter();
            foreach (var (v, k) in _graph.Inputs.Select((v, k) => (v, k))) _expr[v] = "i" + k;
            foreach (var (v, k) in _graph.Weights.Select((v, k) => (v, k))) _expr[v] = "w" + k;
            EmitPreparation(w, body);
            for (var i = 0; i < _steps.Count; i++)
            {
                if (!_profileSteps)
                {
                    EmitStep(body, _steps[i]);
                    continue;
                }
                var counter = $"_step{i}";
                _fields.Add($"private static readonly DyCompile.Runtime.Compiled.StepCounter {counter} = DyCompile.Runtime.Compiled.StepProfile.Counter({StepProfile.Register(StepLabel(_steps[i]))});");
                body.Line($"var __start{i} = System.Diagnostics.Stopwatch.GetTimestamp();");
                EmitStep(body, _steps[i]);
                body.Line($"{counter}.Add(System.Diagnostics.Stopwatch.GetTimestamp() - __start{i});");
            }
            for (var k = 0; k < _graph.Outputs.Length; k++) body.Line($"o{k} = {_expr[_graph.Outputs[k]]};");
            foreach (var f in _fields) w.Line(f);
            w.Line();
            var parameters = _graph.Inputs.Select((v, k) => $"{CSharpSyntax.TypeOf(v.Type)} i{k}")
                .Concat(_graph.Weights.Select((_, k) => $"Tensor w{k}"))
                .Concat(_preparation.Nodes.Count > 0 ? ["Tensor[] __prepared"] : [])
                .Concat(CallsHost ? ["HostCallbacks __callbacks"] : [])
                .Concat(_graph.Outputs.Select((v, k) => (v, k)).Where(p => TakesDestination(p.v)).Select(p => $"Tensor d{p.k}"))
                .Concat(_graph.Outputs.Select((v, k) => $"out {CSharpSyntax.TypeOf(v.Type)} o{k}"));
            // Optimized at first call: tier-0 code of Vector256 loops is many times slower, and a
            // compiled model's first calls should already be fast.
            w.Line("[System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]");
            using (w.Block($"public void Run({string.Join(", ", parameters)})"))
                foreach (var line in body.ToString().TrimEnd('\n').Split('\n')) w.Line(line.TrimEnd());
        }
    }

    /// <summary>What a step does, for its profile counter: the op or fused ops and the result shape.</summary>
    public static string StepLabel(FusionStep step) => FusionPass.Label(step);

    /// <summary>The weight-only nodes go into a <c>Prepare</c> method that computes their results
    /// from the weights it is given and keeps nothing: the host calls it when weights are bound
    /// (once per set of weight tensors, shared by every execution state of the program) and passes
    /// the results to <c>Run</c> as <c>__prepared</c>. Its locals start with two underscores, to
    /// stay apart from the identifiers made from IR value names.</summary>
    private void EmitPreparation(CodeWriter w, CodeWriter body)
    {
        if (_preparation.Nodes.Count == 0) return;
        var weights = _preparation.WeightPositions.Select(k => "w" + k).ToArray();
        var prepare = new CodeWriter();
        // Constants the weight-only nodes read become fields first (the per-call steps reuse them).
        foreach (var node in _graph.Nodes.Where(n => n.Op == "const" && n.Result.Type is TensorType)) EmitStep(prepare, new NodeStep(node));
        foreach (var node in _preparation.Nodes)
        {
            if (node.Results.Length == 1) _expr[node.Result] = CSharpSyntax.Identifier("", node.Result.Name);
            EmitKernelCall(prepare, node, node.Operands.Select(v => _expr[v]).ToArray());
        }
        prepare.Line($"return new Tensor[] {{ {string.Join(", ", _preparation.Derived.Select(v => _expr[v]))} }};");
        w.Line();
        using (w.Block($"public Tensor[] Prepare({string.Join(", ", weights.Select(x => "Tensor " + x))})"))
            foreach (var line in prepare.ToString().TrimEnd('\n').Split('\n')) w.Line(line.TrimEnd());
        for (var k = 0; k < _preparation.Derived.Count; k++)
        {
            var name = "__p" + k;
            body.Line($"Tensor {name} = __prepared[{k}];");
            _expr[_preparation.Derived[k]] = name;
        }
    }

    private static string ShapeArgs(IEnumerable<int> shape) => string.Concat(shape.Select(d => ", " + CSharpSyntax.Int(d)));

    private void EmitStep(CodeWriter w, FusionStep step)
    {
        if (step is ElementwiseLoop loop)
        {
            foreach (var v in loop.Outputs)
            {
                _expr[v] = CSharpSyntax.Identifier("", v.Name);
                w.Line($"Tensor {_expr[v]} = {_home[v]};");
            }
            ElementwiseLoopEmitter.Emit(w, loop, v => _expr[v]);
            return;
        }
        if (step is ConvolutionEpilogue fused)
        {
            EmitConvolutionEpilogue(w, fused);
            return;
        }
        if (step is LinearEpilogue linear)
        {
            EmitLinearEpilogue(w, linear);
            return;
        }
        if (step is BatchNormEpilogue norm)
        {
            EmitBatchNormEpilogue(w, norm);
            return;
        }
        if (step is PermutedProduct product)
        {
            EmitPermutedProduct(w, product);
            return;
        }
        var node = ((NodeStep)step).Node;
        // A tensor constant already made a field (it feeds the weight-only nodes too).
        if (node.Op == "const" && node.Result.Type is TensorType && _expr.ContainsKey(node.Result)) return;
        var x = node.Operands.Select(v => _expr[v]).ToArray();
        if (node.Results.Length == 1) _expr[node.Result] = CSharpSyntax.Identifier("", node.Result.Name);
        var r = node.Results.Length == 1 ? _expr[node.Result] : "";
        var def = node.Def!;
        if (def.Kind == OpKind.Const)
        {
            if (node.Result.Type is TensorType t)
            {
                var field = $"_c{_fields.Count}";
                var values = string.Join(", ", node.Payload!.Values.Select(v => Element(v, t.DType)));
                _fields.Add($"private static readonly Tensor {field} = Tensor.FromArray(new {CSharpSyntax.ElementType(t.DType)}[] {{ {values} }}{ShapeArgs(t.Shape)});");
                _expr[node.Result] = field;
            }
            else
            {
                w.Line($"{CSharpSyntax.TypeOf(node.Result.Type)} {r} = {CSharpSyntax.ScalarConst(node)};");
            }
            return;
        }
        if (node.Op == "host.call")
        {
            // An eager C# region: called with the values it reads, in program order.
            w.Line($"int {r} = __callbacks.Invoke({x[0]}, new object[] {{ {string.Join(", ", x.Skip(1))} }});");
            return;
        }
        if (def.Kind == OpKind.Host && node.Op != "tensor.from_scalar")
        {
            w.Line($"{CSharpSyntax.TypeOf(node.Result.Type)} {r} = {CSharpSyntax.HostExpression(node, x)};");
            return;
        }
        if (node.Results.Length == 1 && _home.TryGetValue(node.Result, out var home))
        {
            w.Line($"Tensor {r} = {home};");
            // A view planned into its operand's buffer already holds its elements.
            if (!_plan.Views.Contains(node.Result)) EmitInto(w, node, x, r);
            return;
        }
        EmitKernelCall(w, node, x);
    }

    /// <summary>Ops the generator can run into a caller-owned destination.</summary>
    internal static bool WritesIntoDestination(Node node) => node.Op switch
    {
        _ when node.Def is { IsView: true } => true,
        "tensor.from_scalar" => true,
        "matmul" => GemmShapes(node) is not null || IntoKernel(node) is not null,
        "linear" => LinearShapes(node) is not null,
        "softmax" when SoftmaxRows(node) is not null => true,
        "sum" or "mean" or "max" or "min" when ReductionRows(node) is not null => true,
        "transpose" or "permute" when Permutation(node) is not null => true,
        _ when FormulaElements(node) is not null => true,
        _ => IntoKernel(node) is not null,
    };

    private void EmitInto(CodeWriter w, Node node, string[] x, string r)
    {
        switch (node.Op)
        {
            case var _ when node.Def is { IsView: true }:
                var span = CSharpSyntax.Span(((TensorType)node.Result.Type).DType);
                w.Line($"{x[0]}.{span}.CopyTo({r}.{span});");
                return;
            case "tensor.from_scalar":
                w.Line($"{r}.Floats[0] = {x[0]};");
                return;
            case "matmul" when GemmShapes(node) is { } gemmShapes:
                var (m, n, k) = gemmShapes;
                if ((long)m * n * k > InlineGemmLimit)
                {
                    // A fixed right operand (a weight) is packed once, on first use, not on every call.
                    w.Line(IsFixed(node.Operands[1])
                        ? $"Gemm.Sgemm(GemmPackedB.OfMatrix({x[1]}), {m}, {x[0]}.Floats, {k}, {r}.Floats, {n});"
                        : $"Gemm.Sgemm(false, false, {m}, {n}, {k}, {x[0]}.Floats, {k}, {x[1]}.Floats, {n}, {r}.Floats, {n});");
                    return;
                }
                w.Line($"SmallGemm.MatMul({x[0]}.Floats, {x[1]}.Floats, {r}.Floats, {m}, {n}, {k});");
                return;
            case "linear":
                var (rows, outs, ins) = LinearShapes(node)!.Value;
                if ((long)rows * outs * ins <= InlineGemmLimit)
                {
                    w.Line($"SmallGemm.Linear({x[0]}.Floats, {x[1]}.Floats, {x[2]}.Floats, {r}.Floats, {rows}, {outs}, {ins});");
                    return;
                }
                EmitLinearGemm(w, node, x, r, rows, outs, ins, gelu: false);
                return;
            case "softmax" when SoftmaxRows(node) is { } softmaxRows:
                var (outer, length) = softmaxRows;
                if (length >= 16)
                {
                    // Long rows: the runtime kernel (vectorized max, shift, exp, sum and scale per row).
                    w.Line($"TensorOps.SoftmaxInto({x[0]}, -1, {r});");
                    return;
                }
                // softmax over short contiguous rows: shift by the row max, exponentiate, normalize
                using (w.Block($"for (var row = 0; row < {outer}; row++)"))
                {
                    w.Line($"ReadOnlySpan<float> src = {x[0]}.Floats.Slice(row * {length}, {length});");
                    w.Line($"Span<float> dst = {r}.Floats.Slice(row * {length}, {length});");
                    // A short row costs more in calls of the span primitives than in work.
                    w.Line("var max = float.NegativeInfinity;");
                    w.Line("foreach (var v in src) max = MathF.Max(max, v);");
                    w.Line("var sum = 0f;");
                    w.Line($"for (var j = 0; j < {length}; j++) sum += dst[j] = MathF.Exp(src[j] - max);");
                    w.Line($"for (var j = 0; j < {length}; j++) dst[j] /= sum;");
                }
                return;
            case "sum" or "mean" or "max" or "min" when ReductionRows(node) is { } reductionRows:
                EmitReduction(w, node.Op, reductionRows.Rows, reductionRows.Length, x[0], r);
                return;
            case var _ when FormulaElements(node) is { } count:
                EmitFormulaElements(w, node, count, x, r);
                return;
            case "transpose" or "permute" when Permutation(node) is { } permutation:
                EmitPermute(w, (TensorType)node.Operands[0].Type, permutation, x[0], r);
                return;
        }
        var kernel = KernelRegistry.All[node.Op];
        var into = IntoKernel(node)!;
        var args = x.Concat(kernel.AttributeParameters.Select(p => Attribute(node.Attrs[p.Name!]!))).Append(r);
        w.Line($"{into.DeclaringType!.Name}.{into.Name}({string.Join(", ", args)});");
    }

    /// <summary>conv2d with its residual add and relu done before the store.</summary>
    private void EmitConvolutionEpilogue(CodeWriter w, ConvolutionEpilogue fused)
    {
        var conv = fused.Convolution;
        var x = conv.Operands.Select(v => _expr[v]).ToArray();
        var r = DeclareFusedOutput(w, fused.Output);
        var attributes = KernelRegistry.All["conv2d"].AttributeParameters.Select(p => Attribute(conv.Attrs[p.Name!]!));
        var args = x.Append(fused.Residual is null ? "null" : _expr[fused.Residual]).Append(CSharpSyntax.Bool(fused.Relu)).Concat(attributes).Append(r);
        w.Line($"TensorOps.Conv2dFusedInto({string.Join(", ", args)});");
    }

    /// <summary>Declares a fused step's result: its planned buffer, or a fresh tensor where the caller
    /// gives no destination (a dynamic one cannot occur: the planner fuses static values only).</summary>
    private string DeclareFusedOutput(CodeWriter w, Value output)
    {
        var r = CSharpSyntax.Identifier("", output.Name);
        _expr[output] = r;
        var type = (TensorType)output.Type;
        w.Line(_home.TryGetValue(output, out var home)
            ? $"Tensor {r} = {home};"
            : $"Tensor {r} = Tensor.Zeros({CSharpSyntax.DTypeName(type.DType)}{ShapeArgs(type.Shape)});");
        return r;
    }

    /// <summary>batch_norm with relu applied as each plane is stored (see <see cref="BatchNormEpilogue"/>).</summary>
    private void EmitBatchNormEpilogue(CodeWriter w, BatchNormEpilogue fused)
    {
        var norm = fused.BatchNorm;
        var x = norm.Operands.Select(v => _expr[v]);
        var r = DeclareFusedOutput(w, fused.Output);
        var attributes = KernelRegistry.All["batch_norm"].AttributeParameters.Select(p => Attribute(norm.Attrs[p.Name!]!));
        w.Line($"TensorOps.BatchNormReluInto({string.Join(", ", x.Concat(attributes).Append(r))});");
    }

    /// <summary>A batched matmul through the permutes around it (see <see cref="PermutedProduct"/>);
    /// the orders are static fields, so a call allocates nothing.</summary>
    private void EmitPermutedProduct(CodeWriter w, PermutedProduct product)
    {
        var r = DeclareFusedOutput(w, product.Output);
        string Order(IReadOnlyList<int> order)
        {
            var field = $"_o{_fields.Count}";
            _fields.Add($"private static readonly int[] {field} = new int[] {{ {string.Join(", ", order)} }};");
            return field;
        }
        w.Line($"// matmul + [{string.Join(" ", product.Absorbed.Where(n => n != product.MatMul).Select(n => n.Op))}]: the GEMM reads and writes the permuted tensors in place");
        var scale = product.Scale is null ? "null" : _expr[product.Scale];
        w.Line($"TensorOps.PermutedMatMulInto({_expr[product.A]}, {Order(product.AOrder)}, {_expr[product.B]}, {Order(product.BOrder)}, {scale}, {Order(product.ResultOrder)}, {r});");
    }

    /// <summary>A linear layer on the GEMM. With a weight packed once, the GEMM starts each block of
    /// C as the bias, accumulates x·Wᵀ into it and, for a fused gelu, applies it to the finished
    /// block; with a weight computed per call, C starts as the bias in every row, the GEMM
    /// accumulates into it and gelu runs over the whole result after it.</summary>
    private void EmitLinearGemm(CodeWriter w, Node node, string[] x, string r, int rows, int outs, int ins, bool gelu)
    {
        if (IsFixed(node.Operands[1]))
        {
            w.Line($"// linear: bias + x·Wᵀ{(gelu ? ", then gelu" : "")}, block by block of C");
            w.Line($"Gemm.Sgemm(GemmPackedB.OfLinearWeight({x[1]}), {rows}, {x[0]}.Floats, {ins}, {r}.Floats, {outs}, {x[2]}.Floats{(gelu ? ", GemmEpilogue.Gelu" : "")});");
            return;
        }
        w.Line("// linear: C starts as the bias in every row, then the GEMM accumulates x·Wᵀ into it");
        using (w.Block($"for (var row = 0; row < {rows}; row++)"))
            w.Line($"{x[2]}.Floats.CopyTo({r}.Floats.Slice(row * {outs}, {outs}));");
        w.Line($"Gemm.Sgemm(false, true, {rows}, {outs}, {ins}, {x[0]}.Floats, {ins}, {x[1]}.Floats, {ins}, {r}.Floats, {outs}, accumulate: true);");
        if (gelu) w.Line($"TensorOps.GeluInto({r}, {r});");
    }

    /// <summary>linear with gelu applied to its result before it is read (see <see cref="LinearEpilogue"/>).</summary>
    private void EmitLinearEpilogue(CodeWriter w, LinearEpilogue fused)
    {
        var node = fused.Linear;
        var x = node.Operands.Select(v => _expr[v]).ToArray();
        var r = DeclareFusedOutput(w, fused.Output);
        var (rows, outs, ins) = LinearShapes(node) ?? throw new InvalidOperationException("a fused linear has static f32 operands");
        if ((long)rows * outs * ins <= InlineGemmLimit)
        {
            w.Line($"SmallGemm.Linear({x[0]}.Floats, {x[1]}.Floats, {x[2]}.Floats, {r}.Floats, {rows}, {outs}, {ins});");
            w.Line($"TensorOps.GeluInto({r}, {r});");
            return;
        }
        EmitLinearGemm(w, node, x, r, rows, outs, ins, gelu: true);
    }

    private void EmitKernelCall(CodeWriter w, Node node, string[] x)
    {
        if (!KernelRegistry.TryGet(node.Op, out var kernel))
            throw new NotSupportedException($"op '{node.Op}' has no runtime kernel and no CPU emitter");
        var operands = kernel.Variadic ? [$"new Tensor[] {{ {string.Join(", ", x)} }}"] : x;
        var args = operands.Concat(kernel.AttributeParameters.Select(p => Attribute(node.Attrs[p.Name!]!)));
        var call = $"{kernel.Method.DeclaringType!.Name}.{kernel.Method.Name}({string.Join(", ", args)})";
        var returns = kernel.Method.ReturnType;
        if (node.Results.Length == 1 && (returns == typeof(Tensor) || returns == typeof(float)))
        {
            w.Line($"{CSharpSyntax.TypeOf(node.Result.Type)} {_expr[node.Result]} = {call};");
            return;
        }
        var tmp = "r_" + CSharpSyntax.Identifier("", node.Results[0].Name);
        w.Line($"var {tmp} = {call};");
        for (var i = 0; i < node.Results.Length; i++)
        {
            var name = CSharpSyntax.Identifier("", node.Results[i].Name);
            _expr[node.Results[i]] = name;
            var element = returns == typeof(Tensor[]) ? $"{tmp}[{i}]" : $"{tmp}.Item{i + 1}";
            w.Line($"Tensor {name} = {element};");
        }
    }

    private string Attribute(AttrValue value)
    {
        switch (value)
        {
            case IntAttr i: return CSharpSyntax.Int(i.Value);
            case FloatAttr f: return CSharpSyntax.Float(f.Value);
            case BoolAttr b: return CSharpSyntax.Bool(b.Value);
            case DTypeAttr d: return CSharpSyntax.DTypeName(d.Value);
            case IntsAttr ints:
                // A static field, so the call allocates no attribute array.
                var field = $"_a{_fields.Count}";
                _fields.Add($"private static readonly int[] {field} = [{string.Join(", ", ints.Values.Select(v => CSharpSyntax.Int(v)))}];");
                return field;
            default: throw new NotSupportedException($"attribute {value}");
        }
    }

    private static string Element(double v, DType dtype) => dtype switch
    {
        DType.Float32 => CSharpSyntax.Float((float)v),
        DType.Int64 => CSharpSyntax.Int((long)v) + "L",
        DType.Int32 => CSharpSyntax.Int((long)v),
        _ => CSharpSyntax.Bool(v != 0),
    };

    /// <summary>A value that is the same tensor, holding the same data, on every call of a call
    /// site: a weight, a result of the weight preparation, or a tensor constant (a field).</summary>
    private bool IsFixed(Value v) =>
        _graph.Weights.Contains(v) || _preparation.Derived.Contains(v) || _graph.Nodes.Any(n => n.Op == "const" && n.Results.Contains(v));

    /// <summary>The <c>XInto(operands, attributes, destination)</c> companion of a single-result kernel, if the runtime has one.</summary>
    private static MethodInfo? IntoKernel(Node node)
    {
        if (node.Results.Length != 1 || !KernelRegistry.TryGet(node.Op, out var kernel) || kernel.Variadic) return null;
        var expected = kernel.Method.GetParameters().Select(p => p.ParameterType).Append(typeof(Tensor)).ToArray();
        return kernel.Method.DeclaringType!.GetMethod(kernel.Method.Name + "Into", BindingFlags.Public | BindingFlags.Static, expected);
    }

    private static (int M, int N, int K)? GemmShapes(Node node)
    {
        if (node.Operands[0].Type is not TensorType { DType: DType.Float32, IsStatic: true, Rank: >= 1 } a
            || node.Operands[1].Type is not TensorType { DType: DType.Float32, IsStatic: true, Rank: 2 } b) return null;
        return ((int)(a.ElementCount / a.Shape[^1]), b.Shape[1], a.Shape[^1]);
    }

    /// <summary>Rows and row length of a softmax over the last dim of a static, non-empty f32 tensor.</summary>
    private static (int Outer, int Length)? SoftmaxRows(Node node)
    {
        if (node.Operands[0].Type is not TensorType { DType: DType.Float32, IsStatic: true, Rank: >= 1 } x || x.ElementCount == 0) return null;
        var dim = node.Attrs.GetInt("dim");
        if (dim != -1 && dim != x.Rank - 1) return null;
        return ((int)(x.ElementCount / x.Shape[^1]), x.Shape[^1]);
    }

    /// <summary>A reduction of a static, non-empty f32 tensor over all its dims or over its last
    /// dim: contiguous rows, one result each (keepdim only changes the result's shape).</summary>
    private static (int Rows, int Length)? ReductionRows(Node node)
    {
        if (node.Operands[0].Type is not TensorType { DType: DType.Float32, IsStatic: true } x || x.ElementCount == 0) return null;
        var dims = node.Attrs.GetInts("dims").Select(d => d < 0 ? d + x.Rank : d).Distinct().Order().ToArray();
        if (dims.Length == 0 || dims.SequenceEqual(Enumerable.Range(0, x.Rank))) return (1, (int)x.ElementCount);
        if (dims.Length == 1 && x.Rank > 0 && dims[0] == x.Rank - 1) return ((int)(x.ElementCount / x.Shape[^1]), x.Shape[^1]);
        return null;
    }

    /// <summary>Each row reduced the way the runtime kernel does it (so results match it bit for
    /// bit): short rows one element at a time from the identity, long rows by the vectorized
    /// <c>TensorPrimitives</c> reduction combined with the identity; mean divides the sum.</summary>
    private static void EmitReduction(CodeWriter w, string op, int rows, int length, string x, string r)
    {
        var (identity, combine, reduce) = op switch
        {
            "max" => ("float.NegativeInfinity", "MathF.Max(acc, v)", "TensorPrimitives.Max<float>"),
            "min" => ("float.PositiveInfinity", "MathF.Min(acc, v)", "TensorPrimitives.Min<float>"),
            _ => ("0f", "acc + v", "TensorPrimitives.Sum<float>"),
        };
        w.Line($"// {op} over contiguous rows of {length}");
        using (w.Block($"for (var row = 0; row < {rows}; row++)"))
        {
            w.Line($"ReadOnlySpan<float> src = {x}.Floats.Slice(row * {length}, {length});");
            if (length < 16)
            {
                w.Line($"var acc = {identity};");
                w.Line($"foreach (var v in src) acc = {combine};");
            }
            else
            {
                w.Line($"var v = {reduce}(src);");
                w.Line($"var acc = {identity};");
                w.Line($"acc = {combine};");
            }
            w.Line(op == "mean" ? $"{r}.Floats[row] = acc / {CSharpSyntax.Float(length)};" : $"{r}.Floats[row] = acc;");
        }
    }

    /// <summary>The element count of a lone elementwise node that involves bools (a comparison's
    /// result, where's condition), which fused loops do not take, when it is rendered from its
    /// formula: static operands that are f32 (bool where the formula takes a predicate), each of the
    /// result's shape or a single element (no real broadcasting); else null.</summary>
    private static int? FormulaElements(Node node)
    {
        if (node.Def?.Formula is not { } formula || node.Results.Length != 1) return null;
        if (node.Result.Type is not TensorType { IsStatic: true } result) return null;
        if (result.DType != (formula.IsPredicate ? DType.Bool : DType.Float32)) return null;
        var involvesBool = result.DType == DType.Bool;
        for (var k = 0; k < node.Operands.Length; k++)
        {
            if (node.Operands[k].Type is not TensorType { IsStatic: true } t || (t.ElementCount != 1 && !t.Shape.SequenceEqual(result.Shape))) return null;
            var predicate = FormulaRenderer.IsPredicateOperand(formula, k);
            if (t.DType != (predicate ? DType.Bool : DType.Float32)) return null;
            involvesBool |= predicate;
        }
        return involvesBool ? (int)result.ElementCount : null;
    }

    private static void EmitFormulaElements(CodeWriter w, Node node, int count, string[] x, string r)
    {
        var formula = node.Def!.Formula!;
        using (w.Block(""))
        {
            var reads = new string[x.Length];
            for (var k = 0; k < x.Length; k++)
            {
                var isBool = ((TensorType)node.Operands[k].Type).DType == DType.Bool;
                w.Line($"ReadOnlySpan<{(isBool ? "bool" : "float")}> s{k} = {x[k]}.{(isBool ? "Bools" : "Floats")};");
                reads[k] = ((TensorType)node.Operands[k].Type).ElementCount == 1 && count != 1 ? $"s{k}[0]" : $"s{k}[i]";
            }
            w.Line($"var dst = {r}.{(formula.IsPredicate ? "Bools" : "Floats")};");
            w.Line($"for (var i = 0; i < {count}; i++) dst[i] = {FormulaRenderer.Scalar(formula, reads, node.Attrs)};");
        }
    }

    /// <summary>The source dim of each result dim of a transpose or permute of a static tensor.</summary>
    private static int[]? Permutation(Node node)
    {
        if (node.Operands[0].Type is not TensorType { IsStatic: true } x || node.Results.Length != 1) return null;
        if (node.Op == "transpose")
        {
            int d0 = node.Attrs.GetInt("dim0"), d1 = node.Attrs.GetInt("dim1");
            d0 = d0 < 0 ? d0 + x.Rank : d0;
            d1 = d1 < 0 ? d1 + x.Rank : d1;
            if (d0 < 0 || d1 < 0 || d0 >= x.Rank || d1 >= x.Rank) return null;
            var order = Enumerable.Range(0, x.Rank).ToArray();
            (order[d0], order[d1]) = (order[d1], order[d0]);
            return order;
        }
        var dims = node.Attrs.GetInts("dims").Select(d => d < 0 ? d + x.Rank : d).ToArray();
        return dims.Length == x.Rank && dims.Order().SequenceEqual(Enumerable.Range(0, x.Rank)) ? dims : null;
    }

    /// <summary>A strided copy: nested loops over the result dims, reading the source at the
    /// permuted strides.</summary>
    private static void EmitPermute(CodeWriter w, TensorType source, int[] order, string x, string r)
    {
        var span = CSharpSyntax.Span(source.DType);
        var strides = new long[source.Rank];
        for (long d = source.Rank - 1, stride = 1; d >= 0; stride *= source.Shape[(int)d], d--) strides[d] = stride;
        var rank = order.Length;
        if (source.DType == DType.Float32 && rank >= 2 && order[^1] == rank - 2 && order[^2] == rank - 1
            && order.Take(rank - 2).SequenceEqual(Enumerable.Range(0, rank - 2)))
        {
            var rows = source.Shape[^2];
            var cols = source.Shape[^1];
            var batch = rows * cols == 0 ? 0 : source.ElementCount / ((long)rows * cols);
            w.Line($"// permute [{string.Join(", ", order)}]: a batch of matrix transposes");
            w.Line($"MatrixTranspose.SwapLastTwo({x}.Floats, {r}.Floats, {batch}, {rows}, {cols});");
            return;
        }
        w.Line($"// permute [{string.Join(", ", order)}]: a strided copy");
        using (w.Block(""))
        {
            w.Line($"var src = {x}.{span};");
            w.Line($"var dst = {r}.{span};");
            w.Line("var o = 0;");
            // When the last dim stays last, every innermost run is contiguous on both sides: copy
            // it whole ([1, 128, 4, 64] → [1, 4, 128, 64] moves runs of 64).
            var run = order.Length > 0 && order[^1] == source.Rank - 1 ? source.Shape[^1] : 1;
            // When the source's last dim becomes the second last and another dim the last, each
            // innermost pair of dims is a matrix transpose read with a row stride (a head of k
            // [tokens, heads, dim] into kᵀ [heads, dim, tokens]): 8 × 8 register tiles.
            var strided = source.DType == DType.Float32 && rank >= 2 && order[^2] == rank - 1 && order[^1] != rank - 1;
            var loops = run > 1 || strided ? order.Length - (strided ? 2 : 1) : order.Length;
            var blocks = new List<IDisposable>();
            for (var k = 0; k < loops; k++)
                blocks.Add(w.Block($"for (var j{k} = 0; j{k} < {source.Shape[order[k]]}; j{k}++)"));
            var offset = loops == 0 ? "0" : string.Join(" + ", order.Take(loops).Select((d, k) => $"j{k} * {strides[d]}"));
            if (strided)
            {
                int rows = source.Shape[order[^1]], cols = source.Shape[^1];
                w.Line($"MatrixTranspose.Strided(src, {offset}, {strides[order[^1]]}, dst, o, {rows}, {cols});");
                w.Line($"o += {(long)rows * cols};");
            }
            else if (run > 1)
            {
                w.Line($"src.Slice({offset}, {run}).CopyTo(dst.Slice(o, {run}));");
                w.Line($"o += {run};");
            }
            else
            {
                w.Line($"dst[o++] = src[{offset}];");
            }
            for (var k = blocks.Count - 1; k >= 0; k--) blocks[k].Dispose();
        }
    }

    private static (int Rows, int Outs, int Ins)? LinearShapes(Node node)
    {
        if (node.Operands[0].Type is not TensorType { DType: DType.Float32, IsStatic: true, Rank: >= 1 } x
            || node.Operands[1].Type is not TensorType { DType: DType.Float32, IsStatic: true, Rank: 2 } w
            || node.Operands[2].Type is not TensorType { DType: DType.Float32, IsStatic: true, Rank: 1 }) return null;
        return ((int)(x.ElementCount / x.Shape[^1]), w.Shape[0], w.Shape[1]);
    }
}
