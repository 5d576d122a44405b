using System.Reflection;
using DyCompile.Runtime;

namespace DyCompile.IR.Tests;

/// <summary>The catalog and the runtime kernels describe the same ops.</summary>
public class CatalogAgreementTests
{
    /// <summary>The ops of the table in docs/ops.md: the names in the first column of each row
    /// (a row may name several ops, comma-separated).</summary>
    private static IEnumerable<string> DocumentedOps()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "DyCompile.sln"))) directory = directory.Parent;
        Assert.True(directory is not null, "the repository root (with DyCompile.sln) is not above the test's directory");
        var lines = File.ReadAllLines(Path.Combine(directory.FullName, "docs", "ops.md"));
        return lines.SkipWhile(l => !l.StartsWith("| op |", StringComparison.Ordinal)).Skip(2).TakeWhile(l => l.StartsWith('|'))
            .SelectMany(l => l.Split('|')[1].Split(',').Select(name => name.Trim()));
    }

    private static IEnumerable<OpDef> KernelOps => OpCatalog.All.Where(op => op.HasKernel);

    [Fact]
    public void CatalogTensorOpsAreExactlyTheDocumentedOps() =>
        Assert.Equal(DocumentedOps().Order(StringComparer.Ordinal), KernelOps.Select(op => op.Name));

    [Fact]
    public void KernelsAndCatalogTensorOpsAreInBijection()
    {
        var kernels = KernelRegistry.Methods().ToList();
        var duplicates = kernels.GroupBy(k => k.Op).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, $"ops with more than one [OpKernel]: {string.Join(", ", duplicates)}");
        var kernelOps = kernels.Select(k => k.Op).ToHashSet();
        var catalogOps = KernelOps.Select(op => op.Name).ToHashSet();
        var withoutKernel = catalogOps.Except(kernelOps).Order(StringComparer.Ordinal).ToList();
        var withoutEntry = kernelOps.Except(catalogOps).Order(StringComparer.Ordinal).ToList();
        Assert.True(withoutKernel.Count == 0 && withoutEntry.Count == 0,
            $"catalog ops without a kernel: [{string.Join(", ", withoutKernel)}]; kernels without a catalog entry: [{string.Join(", ", withoutEntry)}]");
    }

    [Fact]
    public void KernelParametersMatchOperandAndAttributeNamesAndKinds()
    {
        var problems = new List<string>();
        foreach (var op in KernelOps)
        {
            if (!KernelRegistry.TryGet(op.Name, out var kernel)) continue; // reported by the bijection test
            var method = kernel.Method;
            if (!method.IsStatic || !method.IsPublic) problems.Add($"{op.Name}: kernel {method.Name} must be public static");
            var operandNames = kernel.OperandParameters.Select(p => p.Name).ToList();
            if (!operandNames.SequenceEqual(op.Operands))
                problems.Add($"{op.Name}: operands ({string.Join(", ", op.Operands)}) vs kernel ({string.Join(", ", operandNames)})");
            if (kernel.Variadic != op.Variadic)
                problems.Add($"{op.Name}: variadic {op.Variadic} vs kernel Tensor[] {kernel.Variadic}");
            var attrs = kernel.AttributeParameters.Select(p => (p.Name, Kind: KindOf(p))).ToList();
            var expected = op.Attributes.Select(a => (Name: (string?)a.Name, Kind: (AttrKind?)a.Kind)).ToList();
            if (!attrs.SequenceEqual(expected))
                problems.Add($"{op.Name}: attributes ({string.Join(", ", expected)}) vs kernel ({string.Join(", ", attrs)})");
            var resultOk = op.ResultCount switch
            {
                OpDef.VariableResults => method.ReturnType == typeof(Tensor[]),
                2 => method.ReturnType.IsGenericType && method.ReturnType.GetGenericArguments().All(t => t == typeof(Tensor)),
                _ => method.ReturnType == (op.Name == "item" ? typeof(float) : typeof(Tensor)),
            };
            if (!resultOk) problems.Add($"{op.Name}: {op.ResultCount} result(s) vs kernel return type {method.ReturnType.Name}");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static AttrKind? KindOf(ParameterInfo p) =>
        p.ParameterType == typeof(int) ? AttrKind.Int
        : p.ParameterType == typeof(float) ? AttrKind.Float
        : p.ParameterType == typeof(bool) ? AttrKind.Bool
        : p.ParameterType == typeof(int[]) ? AttrKind.Ints
        : p.ParameterType == typeof(DType) ? AttrKind.DType
        : null;

    [Fact]
    public void EveryKernelOpHasASample() =>
        Assert.Empty(KernelOps.Select(op => op.Name).Except(KernelSamples.All().Select(c => c.Op)));

    [Fact]
    public void ShapeRulePredictsTheTypesKernelsProduce()
    {
        var problems = new List<string>();
        foreach (var sample in KernelSamples.All())
        {
            if (!KernelRegistry.TryGet(sample.Op, out var kernel)) continue; // reported by the bijection test
            var operandTypes = sample.OperandTypes;
            var predicted = OpCatalog.Infer(sample.Op, operandTypes, sample.Attrs);
            IReadOnlyList<object> actual;
            try
            {
                actual = kernel.Invoke(sample.Operands, sample.Attrs);
            }
            catch (Exception e)
            {
                problems.Add($"{sample}: kernel threw {e.GetType().Name}: {e.Message}");
                continue;
            }
            var actualTypes = actual.Select(v => v switch
            {
                Tensor t => (IRType)new TensorType(t.DType, t.ShapeArray()),
                float => IRType.Float,
                _ => throw new InvalidOperationException($"unexpected kernel result {v}"),
            }).ToList();
            if (!predicted.Succeeded)
                problems.Add($"{sample}: catalog rejects it ({predicted.ErrorMessage}) but the kernel returns {string.Join(", ", actualTypes)}");
            else if (!predicted.Types!.SequenceEqual(actualTypes))
                problems.Add($"{sample}: catalog predicts {string.Join(", ", predicted.Types!)}, kernel returns {string.Join(", ", actualTypes)}");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void CatalogRejectsWhatKernelsReject()
    {
        var problems = new List<string>();
        foreach (var sample in KernelSamples.Invalid())
        {
            if (!KernelRegistry.TryGet(sample.Op, out var kernel)) continue; // reported by the bijection test
            var operandTypes = sample.OperandTypes;
            var predicted = OpCatalog.Infer(sample.Op, operandTypes, sample.Attrs);
            var kernelThrew = false;
            try
            {
                kernel.Invoke(sample.Operands, sample.Attrs);
            }
            catch (TensorOpException)
            {
                kernelThrew = true;
            }
            if (!kernelThrew) problems.Add($"{sample}: the kernel accepts it (the sample is meant to be invalid)");
            if (predicted.Succeeded) problems.Add($"{sample}: the catalog accepts it as {string.Join(", ", predicted.Types!)}");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
