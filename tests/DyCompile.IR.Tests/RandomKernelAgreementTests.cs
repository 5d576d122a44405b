using DyCompile.Runtime;
using FsCheck.Xunit;

namespace DyCompile.IR.Tests;

/// <summary>On random operand types and attributes, the catalog accepts exactly what the kernel
/// accepts and predicts the types it returns.</summary>
public class RandomKernelAgreementTests
{
    private static AttrValue RandomAttr(Random rng, AttrKind kind) => kind switch
    {
        AttrKind.Int => rng.Next(-3, 5),
        AttrKind.Float => (float)(rng.NextDouble() * 4 - 2),
        AttrKind.Bool => rng.Next(2) == 0,
        AttrKind.Ints => Enumerable.Range(0, rng.Next(4)).Select(_ => rng.Next(-2, 4)).ToArray(),
        _ => (DType)rng.Next(4),
    };

    private static IRType TypeOf(object value) => value switch
    {
        Tensor t => new TensorType(t.DType, t.ShapeArray()),
        float => IRType.Float,
        int => IRType.Int,
        _ => throw new InvalidOperationException($"unexpected kernel result {value}"),
    };

    [Property(MaxTest = 150)]
    public void CatalogAndKernelsAgreeOnRandomApplications(int seed)
    {
        var rng = new Random(seed);
        var problems = new List<string>();
        foreach (var op in OpCatalog.All.Where(o => o.HasKernel))
        {
            if (!KernelRegistry.TryGet(op.Name, out var kernel)) continue; // reported by the bijection test
            var count = op.Variadic ? rng.Next(1, 4) : op.Operands.Length;
            // A long kernel parameter is a host int operand (a run-time start); 0, like the zero-filled
            // index tensors, is in range whenever the catalog accepts the static shapes.
            var operands = Enumerable.Range(0, count)
                .Select(i => !op.Variadic && kernel.OperandParameters[i].ParameterType == typeof(long) ? (object)0
                    : Tensor.Zeros(rng.Next(4) == 0 ? (DType)rng.Next(4) : DType.Float32, Enumerable.Range(0, rng.Next(5)).Select(_ => rng.Next(1, 4)).ToArray()))
                .ToArray();
            var attrs = new Attrs();
            foreach (var a in op.Attributes) attrs.Add(a.Name, RandomAttr(rng, a.Kind));
            var predicted = OpCatalog.Infer(op.Name, operands.Select(TypeOf).ToList(), attrs);
            string actual;
            bool accepted;
            try
            {
                // Zero-filled operands keep every index operand in range.
                var results = kernel.Invoke(operands, attrs).Select(TypeOf).ToList();
                accepted = true;
                actual = string.Join(", ", results);
            }
            catch (TensorOpException e)
            {
                accepted = false;
                actual = "rejects: " + e.Message;
            }
            var expected = predicted.Succeeded ? string.Join(", ", predicted.Types!) : "rejects: " + predicted.ErrorMessage;
            if (accepted != predicted.Succeeded || (accepted && actual != expected))
                problems.Add($"{op.Name}({string.Join(", ", operands.Select(TypeOf))}) {{{string.Join(", ", attrs.Select(kv => $"{kv.Key} = {kv.Value}"))}}}: catalog {expected} | kernel {actual}");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
