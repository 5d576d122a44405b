// Quick start: a dynamic C# model (early exits over a ModuleList, plus a loop bounded by a host
// int) compiled twice — ahead of time by the dycompile build step (no compiler at run time), and
// at run time with DyCompiler — both checked against the same model run eagerly on random inputs
// that take different exits; then how the program was partitioned, and the speed at batch 1.
using System.Diagnostics;
using DyCompile;
using DyCompile.Runtime;
using DyCompile.Samples.QuickStart;

const int width = 32;
const int refine = 3;
var model = EarlyExitModel.Create();

// The model's source is read back through this app's PDB (EmbedAllSources in the project).
var example = RandomInput(new Random(1), 1f);
var compilation = DyCompiler.Compile(model, ModelLowering.TypesOf([example, 0.5f, refine]));
foreach (var diagnostic in compilation.Diagnostics) Console.WriteLine(diagnostic);
if (!compilation.Succeeded)
{
    Console.WriteLine("the model did not compile");
    return 1;
}
var compiled = compilation.Program!;
var forward = compiled.AsDelegate<Func<Tensor, float, int, (Tensor Logits, int Exit)>>();
// The build step's form, bound to this instance's weights.
var ahead = model.Compiled<Func<Tensor, float, int, (Tensor Logits, int Exit)>>();

// Agreement: random inputs at several confidence bars, so that different exits are taken.
var rng = new Random(11);
var exitsTaken = new SortedDictionary<int, int>();
var agreed = 0;
var aheadAgreed = 0;
const int trials = 24;
for (var trial = 0; trial < trials; trial++)
{
    var x = RandomInput(rng, (float)(0.5 + rng.NextDouble() * 3));
    var threshold = (float)(0.11 + rng.NextDouble() * 0.12);
    var (eagerLogits, eagerExit) = model.Forward(x, threshold, refine);
    var (logits, exit) = forward(x, threshold, refine);
    var difference = MaxDifference(eagerLogits.Floats.ToArray(), logits.Floats.ToArray());
    var same = exit == eagerExit && difference <= 1e-4f;
    if (same) agreed++;
    else Console.WriteLine($"  trial {trial}: eager exit {eagerExit}, compiled exit {exit}, max difference {difference:g3}");
    var (aheadLogits, aheadExit) = ahead(x, threshold, refine);
    if (aheadExit == eagerExit && MaxDifference(eagerLogits.Floats.ToArray(), aheadLogits.Floats.ToArray()) <= 1e-4f) aheadAgreed++;
    else Console.WriteLine($"  trial {trial}: eager exit {eagerExit}, build-time compiled exit {aheadExit}");
    exitsTaken[eagerExit] = exitsTaken.GetValueOrDefault(eagerExit) + 1;
}
Console.WriteLine($"compiled by the build step: agrees with eager on {aheadAgreed}/{trials} random inputs");
Console.WriteLine($"compiled at run time:       agrees with eager on {agreed}/{trials} random inputs");
Console.WriteLine($"exits taken: {string.Join(", ", exitsTaken.Select(e => $"exit {e.Key} x{e.Value}"))}");

var partition = compiled.Partition;
Console.WriteLine($"partition: {partition.Segments.Count} segment(s), {partition.Distinct.Count} distinct, {partition.Host.Count} host block(s)");

// Speed at batch 1: a fixed input that runs through every block and the refine loop. Both sides
// first run in half-second chunks until their median settles, so .NET's tiered JIT has promoted
// the kernels they call to optimized code (it waits for 30 calls and a quiet spell of about
// 100 ms, longer on a busy machine), then they are timed in alternating rounds so that load on
// the machine falls on both alike.
var benchX = RandomInput(new Random(3), 0.5f);
const float benchThreshold = 0.99f;
object[] inputs = [benchX, benchThreshold, refine];
var outputs = new object[2];
Action eager = () => model.Forward(benchX, benchThreshold, refine);
var session = compiled.OpenSession(); // the allocation-free call: results stay in the session's buffers
Action compiledCall = () => session.RunInto(inputs, outputs);
WarmUp(eager);
WarmUp(compiledCall);
var eagerTimes = new List<double>();
var compiledTimes = new List<double>();
for (var round = 0; round < 10; round++)
{
    Time(eager, 20, eagerTimes);
    Time(compiledCall, 20, compiledTimes);
}
var eagerMs = Median(eagerTimes);
var compiledMs = Median(compiledTimes);
Console.WriteLine($"batch 1, median of 200 calls each: eager {eagerMs * 1000:F1} us, compiled {compiledMs * 1000:F1} us, eager/compiled {eagerMs / compiledMs:F2}x");
return agreed == trials && aheadAgreed == trials ? 0 : 1;

static Tensor RandomInput(Random rng, float scale)
{
    var data = new float[width];
    for (var i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
    return Tensor.FromArray(data, 1, width);
}

static float MaxDifference(float[] a, float[] b)
{
    if (a.Length != b.Length) return float.PositiveInfinity;
    var max = 0f;
    for (var i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
    return max;
}

// Median wall time in milliseconds of one call, after a warm-up.
static void WarmUp(Action call)
{
    var previous = double.MaxValue;
    for (var chunk = 0; chunk < 20; chunk++)
    {
        var times = new List<double>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMilliseconds(500)) Time(call, 1, times);
        var median = Median(times);
        if (chunk > 0 && Math.Abs(median - previous) < 0.1 * previous) return;
        previous = median;
    }
}

static void Time(Action call, int count, List<double> times)
{
    for (var i = 0; i < count; i++)
    {
        var start = Stopwatch.GetTimestamp();
        call();
        times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }
}

static double Median(List<double> times)
{
    times.Sort();
    return times[times.Count / 2];
}
