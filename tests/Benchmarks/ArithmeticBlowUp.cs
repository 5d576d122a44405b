using System.Diagnostics;
using DyCompile.Passes.EGraph;

namespace DyCompile.Benchmarks;

/// <summary>The arithmetic e-graph workloads.</summary>
public enum BlowUpWorkload
{
    /// <summary>x0 + x1 + … + x(N−1) under commutativity and associativity of +. Saturates with
    /// exactly 3^N − 2^(N+1) + 1 operator e-nodes (one per ordered split of every subset of two or
    /// more symbols) plus the N leaves, so the count doubles as a correctness check.</summary>
    Sum,

    /// <summary>(x0 + x1) · (x1 + x2) · … · (x(N−1) + x0), the product of the N cyclic pairwise
    /// sums, under commutativity and associativity of both operators and distributivity both ways
    /// (expand and factor). Its 2^N-monomial expansion in every bracketing and order is far beyond
    /// the node limit for these N, so it runs to <see cref="ArithmeticBlowUp.NodeLimit"/>.</summary>
    Distribute,
}

/// <summary>What one run of a workload did.</summary>
/// <param name="Cpu">Process CPU time over the run: less disturbed than wall time when other
/// processes share the cores (it also counts the garbage collector's threads).</param>
public sealed record BlowUpResult(int NodesAdded, int Iterations, StopReason Stop, TimeSpan Total, TimeSpan Rebuild, TimeSpan Cpu)
{
    public double NodesPerSecond => NodesAdded / Total.TotalSeconds;

    public double NodesPerCpuSecond => NodesAdded / Cpu.TotalSeconds;

    public double RebuildShare => Rebuild / Total;
}

/// <summary>
/// An equality-saturation stress test on a two-operator arithmetic language: the rules make the
/// number of equivalent terms explode, so nearly all time goes into matching, adding e-nodes and
/// restoring congruence — the engine's own cost, with no tensor analysis on top.
/// </summary>
public static class ArithmeticBlowUp
{
    /// <summary>The runner stops once the hashcons holds more e-nodes than this.</summary>
    public const int NodeLimit = 20_000;

    private static readonly Language Arithmetic = new([new("+", 2), new("*", 2)], atom => new ENode("sym", atom));

    private static readonly Rewrite<NoData>[] SumRules =
    [
        Rewrite<NoData>.Parse(Arithmetic, "comm-add", "(+ ?a ?b)", "(+ ?b ?a)"),
        .. Rewrite<NoData>.Bidirectional(Arithmetic, "assoc-add", "(+ ?a (+ ?b ?c))", "(+ (+ ?a ?b) ?c)"),
    ];

    private static readonly Rewrite<NoData>[] DistributeRules =
    [
        .. SumRules,
        Rewrite<NoData>.Parse(Arithmetic, "comm-mul", "(* ?a ?b)", "(* ?b ?a)"),
        .. Rewrite<NoData>.Bidirectional(Arithmetic, "assoc-mul", "(* ?a (* ?b ?c))", "(* (* ?a ?b) ?c)"),
        .. Rewrite<NoData>.Bidirectional(Arithmetic, "distribute", "(* ?a (+ ?b ?c))", "(+ (* ?a ?b) (* ?a ?c))"),
    ];

    /// <summary>The starting term of a workload over <paramref name="symbols"/> symbols.</summary>
    public static string Term(BlowUpWorkload workload, int symbols)
    {
        if (workload == BlowUpWorkload.Sum)
        {
            var sum = $"x{symbols - 1}";
            for (var i = symbols - 2; i >= 0; i--)
            {
                sum = $"(+ x{i} {sum})";
            }
            return sum;
        }
        string Pair(int i) => $"(+ x{i} x{(i + 1) % symbols})";
        var product = Pair(symbols - 1);
        for (var i = symbols - 2; i >= 0; i--)
        {
            product = $"(* {Pair(i)} {product})";
        }
        return product;
    }

    /// <summary>Builds the e-graph and runs the workload's rules to saturation or the node limit.</summary>
    public static BlowUpResult Run(BlowUpWorkload workload, int symbols)
    {
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var egraph = new EGraph<NoData>(NoAnalysis.Instance, Arithmetic);
        egraph.Add(Term(workload, symbols));
        var start = egraph.NodeCount;
        // Generous iteration and time limits: the node limit (or saturation) is what ends a run,
        // so every run does the same work however loaded the machine is.
        var runner = new Runner<NoData>(egraph) { NodeLimit = NodeLimit, IterationLimit = 1_000, TimeLimit = TimeSpan.FromMinutes(5) };
        var stop = runner.Run(workload == BlowUpWorkload.Sum ? SumRules : DistributeRules);
        clock.Stop();
        process.Refresh();
        cpu = process.TotalProcessorTime - cpu;
        var rebuild = runner.Iterations.Aggregate(TimeSpan.Zero, (sum, i) => sum + i.RebuildTime);
        return new BlowUpResult(egraph.NodeCount - start, runner.Iterations.Count, stop, clock.Elapsed, rebuild, cpu);
    }
}
