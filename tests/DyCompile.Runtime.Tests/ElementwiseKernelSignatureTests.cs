using System.Reflection;
using System.Text.RegularExpressions;

namespace DyCompile.Runtime.Tests;

/// <summary>The elementwise, comparison, reduction and softmax kernels bind exactly as the op
/// table in docs/ops.md says: one [OpKernel] method per op, same parameter types and names.</summary>
public partial class ElementwiseKernelSignatureTests
{
    private static readonly string[] Ops =
    [
        "add", "sub", "mul", "div", "pow", "minimum", "maximum",
        "gt", "ge", "lt", "le", "eq",
        "neg", "abs", "exp", "log", "sqrt", "rsqrt", "tanh", "sigmoid", "relu", "gelu", "silu",
        "clamp", "where", "cast",
        "softmax", "log_softmax", "sum", "mean", "max", "min", "argmax", "argmin",
    ];

    [GeneratedRegex(@"^\|\s*([a-z_0-9, ]+?)\s*\|\s*`(\([^`]*\))`")]
    private static partial Regex TableRow();

    private static Dictionary<string, string> DocumentedSignatures()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "docs", "ops.md")))
            directory = directory.Parent;
        Assert.NotNull(directory);
        var result = new Dictionary<string, string>();
        foreach (var line in File.ReadLines(Path.Combine(directory.FullName, "docs", "ops.md")))
        {
            var match = TableRow().Match(line);
            if (!match.Success) continue;
            foreach (var op in match.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries))
                result[op] = match.Groups[2].Value;
        }
        return result;
    }

    private static string TypeName(Type type) =>
        type == typeof(Tensor) ? "Tensor"
        : type == typeof(Tensor[]) ? "Tensor[]"
        : type == typeof(int) ? "int"
        : type == typeof(int[]) ? "int[]"
        : type == typeof(float) ? "float"
        : type == typeof(bool) ? "bool"
        : type == typeof(DType) ? "DType"
        : type.Name;

    [Fact]
    public void EachOpHasOneKernelWithTheDocumentedSignature()
    {
        var documented = DocumentedSignatures();
        var kernels = typeof(TensorOps).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<OpKernelAttribute>()))
            .Where(k => k.Attribute is not null)
            .ToLookup(k => k.Attribute!.Op, k => k.Method);
        foreach (var op in Ops)
        {
            var methods = kernels[op].ToList();
            Assert.True(methods.Count == 1, $"{op}: {methods.Count} kernels");
            var signature = "(" + string.Join(", ", methods[0].GetParameters().Select(p => $"{TypeName(p.ParameterType)} {p.Name}")) + ")";
            Assert.True(documented.ContainsKey(op), $"{op} is not in docs/ops.md");
            Assert.Equal(documented[op], signature);
            Assert.Equal(typeof(Tensor), methods[0].ReturnType);
        }
    }

    [Fact]
    public void SugarLowersOnlyToOpsThatHaveKernels()
    {
        var kernelOps = typeof(TensorOps).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Concat(typeof(Tensor).GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Select(m => m.GetCustomAttribute<OpKernelAttribute>()?.Op)
            .Where(op => op is not null)
            .ToHashSet();
        var sugar = typeof(Tensor).GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance)
            .Select(m => m.GetCustomAttribute<LowersToAttribute>()?.Op)
            .Where(op => op is not null)
            .ToList();
        Assert.NotEmpty(sugar);
        Assert.All(sugar, op => Assert.Contains(op, kernelOps));
    }
}
