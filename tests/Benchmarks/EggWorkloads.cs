using System.Diagnostics;
using System.Globalization;
using DyCompile.Passes.EGraph;

namespace DyCompile.Benchmarks;

/// <summary>What one run of an egg workload did, in egg's terms.</summary>
/// <param name="ClassNodes">Nodes in the classes' node lists (egg's report: <c>total_number_of_nodes</c>).</param>
/// <param name="TotalSize">egg's <c>total_size</c>, the count its node limit is checked against.</param>
/// <param name="Cpu">CPU time of the running thread (null where not measurable): less disturbed by other load than <paramref name="Time"/>.</param>
public sealed record EggRun(string Name, TimeSpan Time, TimeSpan? Cpu, int ClassNodes, int Classes, int TotalSize, int Iterations, StopReason Stop,
    TimeSpan Search, TimeSpan Apply, TimeSpan Rebuild);

/// <summary>
/// Workloads of the egg e-graph library, set up as egg 0.9.5 runs them (its runner's node-limit
/// check after each rule's batch), so its published figures can be put beside ours: the
/// associativity/commutativity blow-up and egg's math test suite (36 rules, constant folding).
/// </summary>
public static class EggWorkloads
{
    private static readonly Language Sums = new([new("+", 2)], atom => new ENode("sym", atom));

    private static readonly Rewrite<NoData>[] AcRules =
    [
        Rewrite<NoData>.Parse(Sums, "comm-add", "(+ ?a ?b)", "(+ ?b ?a)"),
        Rewrite<NoData>.Parse(Sums, "assoc-add", "(+ ?a (+ ?b ?c))", "(+ (+ ?a ?b) ?c)"),
    ];

    /// <summary><c>(+ x11 (+ x10 … (+ x1 x0)))</c> over <paramref name="symbols"/> symbols.</summary>
    public static string AcStart(int symbols)
    {
        var sum = "x0";
        for (var i = 1; i < symbols; i++)
        {
            sum = $"(+ x{i} {sum})";
        }
        return sum;
    }

    /// <summary>comm-add and assoc-add only, simple scheduler, 12 symbols, 200 000 nodes, 100 iterations.</summary>
    public static EggRun AcBlowUp(int symbols = 12, int nodeLimit = 200_000)
    {
        var cpu = ThreadCpuTime.Now();
        var clock = Stopwatch.StartNew();
        var egraph = new EGraph<NoData>(NoAnalysis.Instance, Sums);
        egraph.Add(AcStart(symbols));
        var runner = new Runner<NoData>(egraph)
        {
            NodeLimit = nodeLimit,
            NodeLimitCheck = NodeLimitCheck.AfterEachRule,
            IterationLimit = 100,
            TimeLimit = TimeSpan.FromMinutes(5),
            Scheduler = new SimpleScheduler<NoData>(),
        };
        var stop = runner.Run(AcRules);
        clock.Stop();
        return Result($"ac-blowup {symbols}", clock.Elapsed, ThreadCpuTime.Now() - cpu, egraph, runner, stop);
    }

    /// <summary>egg's math rules and constant folding from <paramref name="start"/>, backoff scheduler, 100 000 nodes.</summary>
    public static EggRun Math(string start, int nodeLimit = 100_000)
    {
        var cpu = ThreadCpuTime.Now();
        var clock = Stopwatch.StartNew();
        var egraph = new EGraph<Folded>(new ConstantFolding(), MathLanguage);
        egraph.Add(start);
        var runner = new Runner<Folded>(egraph)
        {
            NodeLimit = nodeLimit,
            NodeLimitCheck = NodeLimitCheck.AfterEachRule,
            IterationLimit = 30,
            TimeLimit = TimeSpan.FromMinutes(5),
            Scheduler = new BackoffScheduler<Folded>(),
        };
        var stop = runner.Run(MathRules);
        clock.Stop();
        return Result($"math {start}", clock.Elapsed, ThreadCpuTime.Now() - cpu, egraph, runner, stop);
    }

    private static EggRun Result<T>(string name, TimeSpan time, TimeSpan? cpu, EGraph<T> egraph, Runner<T> runner, StopReason stop) =>
        new(name, time, cpu, egraph.Classes.Sum(c => c.Nodes.Count), egraph.ClassCount, egraph.TotalSize, runner.Iterations.Count, stop,
            Sum(runner, i => i.SearchTime), Sum(runner, i => i.ApplyTime), Sum(runner, i => i.RebuildTime));

    private static string Seconds(TimeSpan? time) => time is { } t ? $"{t.TotalSeconds:F3} s" : "n/a";

    private static TimeSpan Sum<T>(Runner<T> runner, Func<IterationStats, TimeSpan> part) =>
        runner.Iterations.Aggregate(TimeSpan.Zero, (sum, i) => sum + part(i));

    /// <summary>Runs each workload <paramref name="repeats"/> times (after one warm-up) and prints every run and the best.</summary>
    public static void Report(int repeats)
    {
        Func<EggRun>[] workloads = [() => AcBlowUp(), () => Math("(i (* x (cos x)) x)"), () => Math("(i (ln x) x)")];
        Console.WriteLine("egg 0.9.5 on the same workloads: ac-blowup 0.78 s, 193282 nodes, 38480 classes, 6 iterations, NodeLimit;");
        Console.WriteLine("  math (i (* x (cos x)) x) 1.63 s, 72605 nodes; math (i (ln x) x) 0.72 s, 39209 nodes");
        foreach (var workload in workloads)
        {
            workload();
            var runs = Enumerable.Range(0, repeats).Select(_ => workload()).ToArray();
            foreach (var run in runs)
            {
                Console.WriteLine(
                    $"{run.Name}: {run.Time.TotalSeconds:F3} s, thread CPU {Seconds(run.Cpu)} (search {run.Search.TotalSeconds:F3}, apply {run.Apply.TotalSeconds:F3}, " +
                    $"rebuild {run.Rebuild.TotalSeconds:F3}); {run.ClassNodes} nodes, {run.Classes} classes, total_size {run.TotalSize}, " +
                    $"{run.Iterations} iterations, {run.Stop}");
            }
            var times = runs.Select(r => r.Time.TotalSeconds).Order().ToArray();
            var cpus = runs.Select(r => r.Cpu?.TotalSeconds ?? double.NaN).Order().ToArray();
            Console.WriteLine($"{runs[0].Name}: best {times[0]:F3} s, range {times[0]:F3}–{times[^1]:F3} s; " +
                $"thread CPU best {cpus[0]:F3} s, range {cpus[0]:F3}–{cpus[^1]:F3} s; over {runs.Length} runs");
        }
    }

    /// <summary>Constant-folding data as egg's math analysis keeps it: the value, when known.</summary>
    public readonly record struct Folded(double? Value);

    private static readonly Language MathLanguage = new(
        [
            new("d", 2), new("i", 2), new("+", 2), new("-", 2), new("*", 2), new("/", 2), new("pow", 2),
            new("ln", 1), new("sqrt", 1), new("sin", 1), new("cos", 1),
        ],
        atom => double.TryParse(atom, NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
            ? new ENode("num", n)
            : new ENode("sym", atom));

    private static Condition<Folded> IsNotZero(string v) => (g, _, s) => g[s[v]].Data.Value is not { } c || c != 0;

    private static Condition<Folded> IsConst(string v) => (g, _, s) => g[s[v]].Data.Value is not null;

    private static Condition<Folded> IsSym(string v) => (g, _, s) => g[s[v]].Nodes.Any(n => n.Op == "sym");

    private static Condition<Folded> IsConstOrDistinctVar(string v, string w) =>
        (g, e, s) => g.Find(s[v]) != g.Find(s[w]) && (IsConst(v)(g, e, s) || IsSym(v)(g, e, s));

    private static Rewrite<Folded> Rw(string name, string left, string right, params Condition<Folded>[] conditions) =>
        Rewrite<Folded>.Parse(MathLanguage, name, left, right, conditions);

    /// <summary>egg 0.9.5's tests/math.rs rules, in its order.</summary>
    private static readonly Rewrite<Folded>[] MathRules =
    [
        Rw("comm-add", "(+ ?a ?b)", "(+ ?b ?a)"),
        Rw("comm-mul", "(* ?a ?b)", "(* ?b ?a)"),
        Rw("assoc-add", "(+ ?a (+ ?b ?c))", "(+ (+ ?a ?b) ?c)"),
        Rw("assoc-mul", "(* ?a (* ?b ?c))", "(* (* ?a ?b) ?c)"),
        Rw("sub-canon", "(- ?a ?b)", "(+ ?a (* -1 ?b))"),
        Rw("div-canon", "(/ ?a ?b)", "(* ?a (pow ?b -1))", IsNotZero("?b")),
        Rw("zero-add", "(+ ?a 0)", "?a"),
        Rw("zero-mul", "(* ?a 0)", "0"),
        Rw("one-mul", "(* ?a 1)", "?a"),
        Rw("add-zero", "?a", "(+ ?a 0)"),
        Rw("mul-one", "?a", "(* ?a 1)"),
        Rw("cancel-sub", "(- ?a ?a)", "0"),
        Rw("cancel-div", "(/ ?a ?a)", "1", IsNotZero("?a")),
        Rw("distribute", "(* ?a (+ ?b ?c))", "(+ (* ?a ?b) (* ?a ?c))"),
        Rw("factor", "(+ (* ?a ?b) (* ?a ?c))", "(* ?a (+ ?b ?c))"),
        Rw("pow-mul", "(* (pow ?a ?b) (pow ?a ?c))", "(pow ?a (+ ?b ?c))"),
        Rw("pow0", "(pow ?x 0)", "1", IsNotZero("?x")),
        Rw("pow1", "(pow ?x 1)", "?x"),
        Rw("pow2", "(pow ?x 2)", "(* ?x ?x)"),
        Rw("pow-recip", "(pow ?x -1)", "(/ 1 ?x)", IsNotZero("?x")),
        Rw("recip-mul-div", "(* ?x (/ 1 ?x))", "1", IsNotZero("?x")),
        Rw("d-variable", "(d ?x ?x)", "1", IsSym("?x")),
        Rw("d-constant", "(d ?x ?c)", "0", IsSym("?x"), IsConstOrDistinctVar("?c", "?x")),
        Rw("d-add", "(d ?x (+ ?a ?b))", "(+ (d ?x ?a) (d ?x ?b))"),
        Rw("d-mul", "(d ?x (* ?a ?b))", "(+ (* ?a (d ?x ?b)) (* ?b (d ?x ?a)))"),
        Rw("d-sin", "(d ?x (sin ?x))", "(cos ?x)"),
        Rw("d-cos", "(d ?x (cos ?x))", "(* -1 (sin ?x))"),
        Rw("d-ln", "(d ?x (ln ?x))", "(/ 1 ?x)", IsNotZero("?x")),
        Rw("d-power", "(d ?x (pow ?f ?g))", "(* (pow ?f ?g) (+ (* (d ?x ?f) (/ ?g ?f)) (* (d ?x ?g) (ln ?f))))",
            IsNotZero("?f"), IsNotZero("?g")),
        Rw("i-one", "(i 1 ?x)", "?x"),
        Rw("i-power-const", "(i (pow ?x ?c) ?x)", "(/ (pow ?x (+ ?c 1)) (+ ?c 1))", IsConst("?c")),
        Rw("i-cos", "(i (cos ?x) ?x)", "(sin ?x)"),
        Rw("i-sin", "(i (sin ?x) ?x)", "(* -1 (cos ?x))"),
        Rw("i-sum", "(i (+ ?f ?g) ?x)", "(+ (i ?f ?x) (i ?g ?x))"),
        Rw("i-dif", "(i (- ?f ?g) ?x)", "(- (i ?f ?x) (i ?g ?x))"),
        Rw("i-parts", "(i (* ?a ?b) ?x)", "(- (* ?a (i ?b ?x)) (i (* (d ?x ?a) (i ?b ?x)) ?x))"),
    ];

    /// <summary>
    /// egg's math analysis: a class's data is its value when a node computes one; the class then
    /// gets the constant and is pruned to its leaves.
    /// </summary>
    private sealed class ConstantFolding : IAnalysis<Folded>
    {
        public Folded Make(EGraph<Folded> egraph, ENode node)
        {
            if (node.Op == "num")
            {
                return new Folded((double)node.Payload!);
            }
            if (node.Arity != 2 || egraph[node.Children[0]].Data.Value is not { } a || egraph[node.Children[1]].Data.Value is not { } b)
            {
                return default;
            }
            return new Folded(node.Op switch
            {
                "+" => a + b,
                "-" => a - b,
                "*" => a * b,
                "/" when b != 0 => a / b,
                _ => null,
            });
        }

        public MergeResult Merge(ref Folded into, Folded from)
        {
            if (into.Value is null)
            {
                into = from;
                return new MergeResult(from.Value is not null, false);
            }
            return new MergeResult(false, from.Value is null);
        }

        public void Modify(EGraph<Folded> egraph, EClassId id)
        {
            if (egraph[id].Data.Value is { } value)
            {
                egraph.Union(id, egraph.Add(new ENode("num", value)));
                egraph[id].RemoveNodes(n => !n.IsLeaf);
            }
        }
    }
}
