using System.Security.Cryptography;
using System.Text;
using DyCompile.Backends.Cpu;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Backends.Gpu;

/// <summary>A rendered kernel: its class name (from the hash of its text, so equal kernels of
/// different segments and programs are one class) and its C#.</summary>
public sealed record RenderedKernel(string ClassName, string Source);

/// <summary>Renders an <see cref="ElementwiseKernelSpec"/> as an ILGPU kernel class: a public static
/// <c>Kernel</c> method (the ILGPU entry point, also what offline PTX / OpenCL emission compiles)
/// with a grid-stride loop over the result's elements (each thread starts at its
/// index and steps by the number of threads launched), loads of every input at its broadcast
/// index, the chain's formulas on locals, and stores of the outputs; plus a constructor that loads
/// it on an accelerator and a <c>Launch</c> that passes the tensors' views. Bool elements are
/// bytes in memory and C# bools in the kernel.</summary>
public static class ElementwiseKernelRenderer
{
    private const string NamePlaceholder = "__KERNEL__";

    public static RenderedKernel Render(ElementwiseKernelSpec spec)
    {
        var text = RenderWithName(spec, NamePlaceholder);
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
        var name = "Elementwise_" + hash;
        return new RenderedKernel(name, text.Replace(NamePlaceholder, name, StringComparison.Ordinal));
    }

    private static string StorageType(DType d) => d switch
    {
        DType.Float32 => "float",
        DType.Int32 => "int",
        DType.Int64 => "long",
        _ => "byte",
    };

    private static string LocalType(DType d) => d == DType.Bool ? "bool" : StorageType(d);

    private static string RenderWithName(ElementwiseKernelSpec spec, string name)
    {
        var w = new CodeWriter();
        var dynamic = spec.IsDynamic;
        var strided = spec.StridedInputs;
        var dimsParams = dynamic ? new[] { "Dims8 dr" }.Concat(strided.Select((_, k) => $"Dims8 d{k}")).ToList() : [];
        var views = spec.Outputs.Select((v, k) => ($"ArrayView<{StorageType(ElementwiseKernelSpec.DTypeOf(v))}>", $"o{k}"))
            .Concat(spec.Inputs.Select((v, k) => ($"ArrayView<{StorageType(ElementwiseKernelSpec.DTypeOf(v))}>", $"a{k}"))).ToList();
        var typeArgs = new[] { "Index1D", "long", "int" }.Concat(dimsParams.Select(_ => "Dims8")).Concat(views.Select(v => v.Item1)).ToList();

        w.Line($"/// <summary>{string.Join(" ", spec.Nodes.Select(n => n.Op))} over {spec.Shape}.</summary>");
        using (w.Block($"public sealed class {name} : ElementwiseKernel"))
        {
            w.Line($"private readonly Action<AcceleratorStream, {string.Join(", ", typeArgs)}> _kernel;");
            w.Line();
            w.Line($"public {name}(Accelerator accelerator) : base(accelerator) => _kernel = accelerator.LoadAutoGroupedKernel<{string.Join(", ", typeArgs)}>(Kernel);");
            w.Line();
            using (w.Block("public override void Launch(AcceleratorStream stream, long count, DeviceTensor[] t, Dims8[] d)"))
            {
                w.Line("if (count == 0) return;");
                w.Line("var extent = Extent(count);");
                var args = new List<string> { "stream", "extent", "count", "extent" };
                args.AddRange(dimsParams.Select((_, k) => $"d[{k}]"));
                args.AddRange(views.Select((v, k) => $"t[{k}].As<{v.Item1[10..^1]}>()"));
                w.Line($"_kernel({string.Join(", ", args)});");
            }
            w.Line();
            var parameters = new[] { "Index1D index", "long n", "int stride" }.Concat(dimsParams).Concat(views.Select(v => $"{v.Item1} {v.Item2}"));
            using (w.Block($"public static void Kernel({string.Join(", ", parameters)})"))
            using (w.Block("for (long i = index.X; i < n; i += stride)"))
            {
                if (strided.Count > 0) EmitCoordinates(w, spec, dynamic);
                var expr = new Dictionary<Value, string>();
                for (var k = 0; k < spec.Inputs.Count; k++)
                {
                    var input = spec.Inputs[k];
                    var at = spec.Access(input) switch
                    {
                        InputAccess.Full => "i",
                        InputAccess.Single => "0",
                        _ => EmitStridedIndex(w, spec, input, strided.ToList().IndexOf(input), dynamic),
                    };
                    var load = ElementwiseKernelSpec.DTypeOf(input) == DType.Bool ? $"a{k}[{at}] != 0" : $"a{k}[{at}]";
                    w.Line($"{LocalType(ElementwiseKernelSpec.DTypeOf(input))} x{k} = {load};");
                    expr[input] = $"x{k}";
                }
                for (var j = 0; j < spec.Nodes.Count; j++)
                {
                    var node = spec.Nodes[j];
                    var result = ElementwiseKernelSpec.DTypeOf(node.Result);
                    w.Line($"{LocalType(result)} v{j} = {NodeExpression(node, node.Operands.Select(v => expr[v]).ToList())};");
                    expr[node.Result] = $"v{j}";
                }
                for (var k = 0; k < spec.Outputs.Count; k++)
                {
                    var value = expr[spec.Outputs[k]];
                    w.Line(ElementwiseKernelSpec.DTypeOf(spec.Outputs[k]) == DType.Bool
                        ? $"o{k}[i] = {value} ? (byte)1 : (byte)0;"
                        : $"o{k}[i] = {value};");
                }
            }
        }
        return w.ToString();
    }

    /// <summary>The result's coordinates c0 … c(rank−1) of element i (last dim fastest).</summary>
    private static void EmitCoordinates(CodeWriter w, ElementwiseKernelSpec spec, bool dynamic)
    {
        var rank = spec.Shape.Rank;
        if (rank == 0) return;
        w.Line("long q = i;");
        for (var j = rank - 1; j >= 0; j--)
        {
            var dim = dynamic ? $"dr.D{j}" : CSharpSyntax.Int(spec.Shape.Shape[j]);
            w.Line(j == 0 ? $"long c0 = q;" : $"long c{j} = q % {dim}; q /= {dim};");
        }
    }

    /// <summary>The flat index of a strided input: its coordinates are the result's, 0 along its
    /// broadcast (size-1 or missing leading) dims.</summary>
    private static string EmitStridedIndex(CodeWriter w, ElementwiseKernelSpec spec, Value input, int position, bool dynamic)
    {
        var rank = spec.Shape.Rank;
        var t = (TensorType)input.Type;
        var p = $"p{position}";
        if (!dynamic)
        {
            var dims = Enumerable.Repeat(1, rank - t.Rank).Concat(t.Shape).ToArray();
            var terms = new List<string>();
            long stride = 1;
            for (var j = rank - 1; j >= 0; j--)
            {
                if (dims[j] != 1) terms.Add(stride == 1 ? $"c{j}" : $"c{j} * {CSharpSyntax.Int(stride)}");
                stride *= dims[j];
            }
            w.Line($"long {p} = {(terms.Count == 0 ? "0" : string.Join(" + ", terms))};");
            return p;
        }
        w.Line($"long {p} = 0, m{position} = 1;");
        for (var j = rank - 1; j >= 0; j--)
            w.Line($"if (d{position}.D{j} != 1) {p} += c{j} * m{position}; m{position} *= d{position}.D{j};");
        return p;
    }

    /// <summary>A node's value from its operands' locals: the formula, or the conversion of a cast.</summary>
    public static string NodeExpression(Node node, IReadOnlyList<string> operands)
    {
        var result = ElementwiseKernelSpec.DTypeOf(node.Result);
        if (node.Op == "cast") return Cast(operands[0], ElementwiseKernelSpec.DTypeOf(node.Operands[0]), result);
        var formula = node.Def?.Formula ?? throw new NotSupportedException($"op '{node.Op}' has no formula");
        var isBool = node.Operands.Select(v => ElementwiseKernelSpec.DTypeOf(v) == DType.Bool).ToList();
        // The numeric operands share one dtype (where's condition is the bool one).
        var compute = node.Operands.Select(ElementwiseKernelSpec.DTypeOf).Where(d => d != DType.Bool).DefaultIfEmpty(DType.Bool).First();
        var numeric = compute == DType.Bool ? DType.Int32 : compute;
        var rendered = FormulaRenderer.Render(formula.Body, operands, isBool, node.Attrs, numeric);
        if (result == DType.Bool) return FormulaRenderer.AsPredicate(rendered);
        return $"({LocalType(result)})({FormulaRenderer.AsNumber(rendered, numeric)})";
    }

    /// <summary>cast with the runtime's semantics: float → integer truncates (saturating, NaN → 0),
    /// i64 → i32 wraps, any → bool is x ≠ 0, bool → number is 0/1.</summary>
    private static string Cast(string x, DType from, DType to)
    {
        if (from == to) return x;
        if (to == DType.Bool) return from == DType.Float32 ? $"({x} != 0f)" : $"({x} != 0)";
        if (from == DType.Bool) return $"({x} ? {FormulaRenderer.Literal(1, to)} : {FormulaRenderer.Literal(0, to)})";
        return to switch
        {
            DType.Float32 => $"(float)({x})",
            DType.Int32 => $"unchecked((int)({x}))",
            _ => $"(long)({x})",
        };
    }
}
