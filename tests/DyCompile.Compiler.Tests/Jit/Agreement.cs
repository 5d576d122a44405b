using DyCompile.IR;
using DyCompile.Passes.Partition;
using DyCompile.Runtime;

namespace DyCompile.Compiler.Tests.Jit;

/// <summary>Compares a compiled run with the interpreter's: the host blocks entered and every
/// output, within float tolerance.</summary>
internal static class Agreement
{
    /// <summary>The interpreter's block path projected onto the host blocks: merged and
    /// if-converted blocks only ever run right after their host block, so dropping them leaves
    /// exactly the decisions the compiled host makes.</summary>
    public static List<string> HostPath(PartitionedProgram partition, IReadOnlyList<string> interpreterPath)
    {
        var host = partition.Host.Select(b => b.Name).ToHashSet();
        return interpreterPath.Where(host.Contains).ToList();
    }

    /// <summary>Null when the runs agree, else what differs.</summary>
    public static string? Compare(RunResult expected, RunResult actual, PartitionedProgram partition, float tolerance = 1e-4f)
    {
        var expectedPath = HostPath(partition, expected.Path);
        if (!expectedPath.SequenceEqual(actual.Path))
            return $"branch decisions differ: interpreter ^{string.Join(" ^", expectedPath)}, compiled ^{string.Join(" ^", actual.Path)}";
        for (var i = 0; i < expected.Outputs.Count; i++)
        {
            var problem = (expected.Outputs[i], actual.Outputs[i]) switch
            {
                (Tensor e, Tensor a) => CompareTensors(e, a, tolerance),
                (float e, float a) => Close(e, a, tolerance) ? null : $"{e} vs {a}",
                (var e, var a) => Equals(e, a) ? null : $"{e} vs {a}",
            };
            if (problem is not null) return $"output {i}: {problem}";
        }
        return null;
    }

    /// <summary>True when nudging the float threshold input <c>inputs[index]</c> by a rounding-sized
    /// amount changes what <paramref name="decisions"/> computes (a path, a trace): some decision
    /// compares values that differ only by rounding, so either outcome is a correct float result.</summary>
    public static bool SitsOnAThreshold(object[] inputs, int index, Func<object[], object> decisions)
    {
        var reference = decisions(inputs);
        foreach (var delta in new[] { -1e-4f, 1e-4f })
        {
            var nudged = (object[])inputs.Clone();
            nudged[index] = (float)inputs[index] + delta;
            if (!Equivalent(decisions(nudged), reference)) return true;
        }
        return false;
    }

    private static bool Equivalent(object a, object b) =>
        a is IEnumerable<string> x && b is IEnumerable<string> y ? x.SequenceEqual(y) : Equals(a, b);

    private static string? CompareTensors(Tensor e, Tensor a, float tolerance)
    {
        if (e.DType != a.DType || !e.Shape.SequenceEqual(a.Shape))
            return $"tensor<{e.DType.ShortName()}, {Shapes.Format(e.Shape)}> vs tensor<{a.DType.ShortName()}, {Shapes.Format(a.Shape)}>";
        for (var j = 0; j < e.Length; j++)
        {
            double x = e.GetAsDouble(j), y = a.GetAsDouble(j);
            if (!Close(x, y, tolerance)) return $"element {j}: {x} vs {y}";
        }
        return null;
    }

    private static bool Close(double x, double y, double tolerance) =>
        (double.IsNaN(x) && double.IsNaN(y)) || x == y || Math.Abs(x - y) <= tolerance * (1 + Math.Max(Math.Abs(x), Math.Abs(y)));
}
