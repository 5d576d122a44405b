// A dynamic model compiled ahead of time by the build step, run with no compiler in the process:
// the same binary runs under the JIT (`dotnet run`) and as a NativeAOT executable (`dotnet publish`).
// It checks the compiled form against the model run eagerly, at several batch sizes.
using DyCompile.Runtime;
using DyCompile.Samples.NativeAot;

var model = GatedRefiner.Create();
var forward = model.Compiled<Func<Tensor, float, int, (Tensor, int)>>();
var rng = new Random(1);
var agreed = 0;
var stepsSeen = new SortedSet<int>();
const int trials = 24;
for (var trial = 0; trial < trials; trial++)
{
    var batch = 1 + trial % 4;
    var data = new float[batch * 32];
    for (var i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1) * 0.2f;
    var x = Tensor.FromArray(data, batch, 32);
    var threshold = (float)(rng.NextDouble() * 1.2);
    var (eager, eagerSteps) = model.Forward(x, threshold, 6);
    var (compiled, steps) = forward(x, threshold, 6);
    var difference = 0f;
    for (var i = 0; i < eager.Floats.Length; i++) difference = Math.Max(difference, Math.Abs(eager.Floats[i] - compiled.Floats[i]));
    if (steps == eagerSteps && difference <= 1e-4f) agreed++;
    stepsSeen.Add(eagerSteps);
}
Console.WriteLine($"compiled agrees with eager on {agreed}/{trials} inputs (batch 1 to 4; refinement steps taken: {string.Join(", ", stepsSeen)})");
var compilerLoaded = AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name?.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) == true);
Console.WriteLine($"a compiler was loaded: {(compilerLoaded ? "yes" : "no")}");
return agreed == trials ? 0 : 1;
