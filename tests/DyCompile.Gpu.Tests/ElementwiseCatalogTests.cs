using System.Globalization;
using System.Text;
using DyCompile.Backends.Gpu;
using DyCompile.Compiler.Jit;
using DyCompile.Compiler.Tests.Jit;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Gpu.Tests;

/// <summary>Every elementwise op of the catalog with a formula (and cast), on every dtype its shape
/// rule accepts, run on the device: alone with a broadcast operand (by strides and by a single
/// element) and inside a fused chain, against the interpreter. Driven by the catalog, so a new
/// formula op is covered with no change here.</summary>
public class ElementwiseCatalogTests
{
    private static readonly DType[] DTypes = [DType.Float32, DType.Int32, DType.Int64, DType.Bool];

    /// <summary>The catalog's elementwise ops the GPU backend renders from their formula.</summary>
    private static IEnumerable<OpDef> RenderedOps =>
        OpCatalog.All.Where(op => op.Kind == OpKind.Tensor && op.Elementwise && (op.Formula is not null || op.Name == "cast"));

    private static string Type(DType d, params int[] shape) => new TensorType(d, shape).ToString();

    /// <summary>One program per op and operand dtype (and cast target), or none where the shape rule refuses the dtype.</summary>
    private static IEnumerable<(string Name, IRProgram Program)> Cases()
    {
        foreach (var op in RenderedOps)
        {
            var attributeSets = op.Attributes.Any(a => a.Kind == AttrKind.DType)
                ? DTypes.Select(d => new Attrs { { op.Attributes.First(a => a.Kind == AttrKind.DType).Name, d } }).ToList()
                : [new Attrs()];
            foreach (var attrs in attributeSets)
            {
                foreach (var a in op.Attributes)
                {
                    switch (a.Kind)
                    {
                        case AttrKind.DType: break;
                        case AttrKind.Float: attrs[a.Name] = a.Name == "max" ? 0.75f : -0.5f; break;
                        default: throw new NotSupportedException($"the catalog test cannot choose attribute '{a.Name}' ({a.Kind}) of {op.Name}: teach it");
                    }
                }
                foreach (var dtype in DTypes)
                {
                    // where's condition is bool; every other operand has the dtype under test.
                    DType OperandType(int k) => op.Name == "where" && k == 0 ? DType.Bool : dtype;
                    var full = Enumerable.Range(0, op.Operands.Length).Select(k => (IRType)new TensorType(OperandType(k), [2, 3])).ToList();
                    var inferred = OpCatalog.Infer(op.Name, full, attrs);
                    if (!inferred.Succeeded) continue;
                    yield return ($"{op.Name}.{dtype.ShortName()}{(attrs.Count > 0 && op.Name == "cast" ? "." + string.Join("", attrs.Select(p => p.Value)) : "")}",
                        Program(op, OperandType, (TensorType)inferred.Types![0], attrs));
                }
            }
        }
    }

    private static IRProgram Program(OpDef op, Func<int, DType> operandType, TensorType result, Attrs attrs)
    {
        var n = op.Operands.Length;
        var inputs = new List<string>();
        for (var k = 0; k < n; k++) inputs.Add($"%a{k}: {Type(operandType(k), 2, 3)}");
        for (var k = 1; k < n; k++) inputs.Add($"%r{k}: {Type(operandType(k), 3)}");
        for (var k = 1; k < n; k++) inputs.Add($"%s{k}: {Type(operandType(k), 1)}");
        var attrText = attrs.Count == 0 ? "" : " {" + string.Join(", ", attrs.Select(p => $"{p.Key} = {Format(p.Value)}")) + "}";
        var call = (string prefix) => $"{op.Name}(%a0{string.Concat(Enumerable.Range(1, n - 1).Select(k => $", %{prefix}{k}"))}){attrText}";
        var sb = new StringBuilder();
        var results = new List<string> { Type(result.DType, 2, 3), Type(result.DType, 2, 3), Type(result.DType, 2, 3) };
        var chain = result.DType == DType.Float32 && operandType(0) == DType.Float32;
        if (chain) results.Add(Type(DType.Float32, 2, 3));
        sb.Append($"program @case({string.Join(", ", inputs)}) -> ({string.Join(", ", results)}) {{\n");
        sb.Append($"^entry({string.Join(", ", inputs)}):\n");
        sb.Append($"  %full = {call("a")}\n");
        sb.Append(n > 1 ? $"  %rows = {call("r")}\n" : "  %rows = " + call("a") + "\n");
        sb.Append(n > 1 ? $"  %one = {call("s")}\n" : "  %one = " + call("a") + "\n");
        if (chain)
        {
            // A chain the fusion planner makes one loop of when the op is fusible.
            sb.Append("  %t = tanh(%a0)\n");
            sb.Append($"  %c = {op.Name}(%t{string.Concat(Enumerable.Range(1, n - 1).Select(k => $", %a{k}"))}){attrText}\n");
            sb.Append("  %u = mul(%c, %a0)\n  %v = sigmoid(%u)\n");
            sb.Append("  return %full, %rows, %one, %v\n}\n");
        }
        else sb.Append("  return %full, %rows, %one\n}\n");
        return IRProgram.Parse(sb.ToString());
    }

    private static string Format(AttrValue value) => value switch
    {
        FloatAttr f => f.Value.ToString("0.0###", CultureInfo.InvariantCulture),
        DTypeAttr d => d.Value.ShortName(),
        _ => value.ToString()!,
    };

    [Fact]
    public void EveryFormulaOpOnEveryDTypeAgreesWithTheInterpreter()
    {
        var cases = Cases().ToList();
        Assert.True(cases.Count >= RenderedOps.Count(), "some rendered op has no dtype its shape rule accepts");
        var compiled = JitCompiler.CompileMany([.. cases.Select(c => (c.Program, (IReadOnlyDictionary<string, Tensor>?)null))], GpuCompile.Options);
        var interpreter = new Interpreter();
        var failures = new List<string>();
        for (var i = 0; i < cases.Count; i++)
        {
            using var program = compiled[i];
            for (var seed = 0; seed < 3; seed++)
            {
                var inputs = RandomData.Inputs(cases[i].Program, new Random(seed), scale: 3f);
                var problem = Agreement.Compare(interpreter.Run(cases[i].Program, inputs), program.Run(inputs), program.Partition, tolerance: 2e-5f);
                if (problem is not null) failures.Add($"{cases[i].Name} seed {seed}: {problem}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void EveryScalarFunctionHasAGpuRendering()
    {
        foreach (var f in Enum.GetValues<ScalarFunction>())
        {
            var args = Enumerable.Range(0, f.Arity()).Select(k => (ScalarExpr)new ScalarOperand(k)).ToArray();
            var isBool = Enumerable.Range(0, f.Arity()).Select(k => f.TakesPredicate(k)).ToArray();
            var rendered = FormulaRenderer.Render(new ScalarApply(f, [.. args]), [.. args.Select((_, k) => $"x{k}")], isBool, new Attrs(), DType.Float32);
            Assert.False(string.IsNullOrWhiteSpace(rendered.Code));
            Assert.Equal(f.IsPredicate(), rendered.IsPredicate);
        }
    }

    /// <summary>Erf, erfc, expm1 and log1p are rendered as in-kernel evaluations; they must hold
    /// the formula evaluator's single-precision results across their range, tails included.</summary>
    [Theory]
    [InlineData(ScalarFunction.Erf)]
    [InlineData(ScalarFunction.Erfc)]
    [InlineData(ScalarFunction.ExpM1)]
    [InlineData(ScalarFunction.Log1P)]
    public void InKernelEvaluationsMatchTheFormulaEvaluator(ScalarFunction f)
    {
        var formula = new ScalarFormula(new ScalarApply(f, [new ScalarOperand(0)]));
        Func<float, float> device = f switch
        {
            ScalarFunction.Erf => KernelHelpers.Erf,
            ScalarFunction.Erfc => KernelHelpers.Erfc,
            ScalarFunction.ExpM1 => KernelHelpers.ExpM1,
            _ => KernelHelpers.Log1P,
        };
        for (var x = -9f; x <= 9f; x += 0.0137f)
        {
            if (f == ScalarFunction.Log1P && x <= -1f) continue;
            var expected = ScalarFormulaEvaluator.Evaluate(formula, [x], new Attrs());
            var actual = device(x);
            Assert.True(Math.Abs(expected - actual) <= 1e-6 + 2e-6 * Math.Abs(expected), $"{f}({x}): {actual}, evaluator {expected}");
        }
    }
}
