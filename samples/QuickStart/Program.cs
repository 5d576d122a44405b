// Quick start: build a dynamic program (a loop with an early exit) with the IR builder,
// verify it, print its text form, read the text back, and run it with the reference
// interpreter on a few inputs, showing the results and the path of blocks taken.
using DyCompile.IR;
using DyCompile.Runtime;
using IRProgram = DyCompile.IR.Program;

var program = BuildEarlyExitNetwork();

var findings = Verifier.Verify(program);
foreach (var finding in findings) Console.WriteLine(finding);
if (findings.Any(f => f.Severity == Severity.Error)) return 1;
Console.WriteLine($"verified @{program.Name}: {program.Blocks.Length} blocks, no errors\n");

var text = IRPrinter.Print(program);
Console.WriteLine(text);
var reparsed = IRParser.Parse(text);
if (!StructuralEquality.AreEqual(program, reparsed) || IRPrinter.Print(reparsed) != text)
{
    Console.WriteLine("the text form did not read back to the same program");
    return 1;
}

var weights = RandomWeights(seed: 7);
var interpreter = new Interpreter();
var inputs = new (string Name, Tensor X, float Threshold)[]
{
    ("strong input, low bar", Input(seed: 1, scale: 2f), 0.5f),
    ("input A, bar 0.90", Input(seed: 1, scale: 1f), 0.9f),
    ("input A, bar 0.97", Input(seed: 1, scale: 1f), 0.97f),
    ("weak input, bar 0.97", Input(seed: 2, scale: 0.2f), 0.97f),
};
const int maxPasses = 6;
foreach (var (name, x, threshold) in inputs)
{
    RunResult run;
    try
    {
        run = interpreter.Run(program, [x, threshold, maxPasses], weights);
    }
    catch (InterpreterException e)
    {
        Console.WriteLine($"{name}: the run failed: {e.Message}");
        return 1;
    }
    var logits = (Tensor)run.Outputs[0];
    Console.WriteLine($"{name}: threshold {threshold}, at most {maxPasses} passes");
    Console.WriteLine($"  logits   {logits}");
    Console.WriteLine($"  passes   {run.Outputs[1]}, exited early: {run.Outputs[2]}");
    Console.WriteLine($"  path     {string.Join(" -> ", run.Path.Select(b => "^" + b))}  ({run.Steps} steps)");
}
return 0;

// A weight-tied early-exit network: each pass applies one layer and a classifier head, and
// stops as soon as the head's top probability reaches the threshold, or after `limit` passes.
static IRProgram BuildEarlyExitNetwork()
{
    var hidden = IRType.F32(1, 8);
    var logitsType = IRType.F32(1, 4);
    var pb = new ProgramBuilder("early_exit_net");
    var x = pb.Input("x", hidden);
    var threshold = pb.Input("threshold", IRType.Float);
    var limit = pb.Input("limit", IRType.Int);
    var w = pb.Weight("w", IRType.F32(8, 8));
    var b = pb.Weight("b", IRType.F32(8));
    var headW = pb.Weight("head_w", IRType.F32(4, 8));
    var headB = pb.Weight("head_b", IRType.F32(4));

    var layer = pb.Block("layer");
    var h = layer.Parameter("h", hidden);
    var i = layer.Parameter("i", IRType.Int);
    var thr = layer.Parameter("thr", IRType.Float);
    var lim = layer.Parameter("lim", IRType.Int);

    var check = pb.Block("check");
    var early = pb.Block("early");
    var exhausted = pb.Block("exhausted");

    pb.Entry.Jump(layer, x, pb.Entry.Const(0, "zero"), threshold, limit);

    var h2 = layer.Relu(layer.Linear(h, w, b));
    var logits = layer.Linear(h2, headW, headB);
    var confidence = layer.Item(layer.Max(layer.Softmax(logits, -1), []));
    var i2 = layer.Host("add", i, layer.Const(1, "one"));
    var confident = layer.Host("ge", confidence, thr);
    layer.Branch(confident, early, [logits, i2], check, [h2, logits, i2, thr, lim]);

    var (h3, l3, i3, thr3, lim3) = (check.Parameter("h3", hidden), check.Parameter("l3", logitsType),
        check.Parameter("i3", IRType.Int), check.Parameter("thr3", IRType.Float), check.Parameter("lim3", IRType.Int));
    check.Branch(check.Host("ge", i3, lim3), exhausted, [l3, i3], layer, [h3, i3, thr3, lim3]);

    early.Return(early.Parameter("le", logitsType), early.Parameter("de", IRType.Int), early.Const(true, "yes"));
    exhausted.Return(exhausted.Parameter("lx", logitsType), exhausted.Parameter("dx", IRType.Int), exhausted.Const(false, "no"));
    return pb.Build();
}

static Tensor Uniform(Random rng, float scale, params int[] shape)
{
    var data = new float[shape.Aggregate(1, (n, d) => n * d)];
    for (var k = 0; k < data.Length; k++) data[k] = ((float)rng.NextDouble() * 2 - 1) * scale;
    return Tensor.FromArray(data, shape);
}

static Tensor Input(int seed, float scale) => Uniform(new Random(seed), scale, 1, 8);

static Dictionary<string, Tensor> RandomWeights(int seed)
{
    var rng = new Random(seed);
    // Close to 1.4 x identity, so activations and the head's confidence grow pass after pass.
    var w = Uniform(rng, 0.1f, 8, 8);
    for (var k = 0; k < 8; k++) w.Floats[k * 8 + k] += 1.4f;
    return new()
    {
        ["w"] = w,
        ["b"] = Uniform(rng, 0.1f, 8),
        ["head_w"] = Uniform(rng, 1.5f, 4, 8),
        ["head_b"] = Uniform(rng, 0.3f, 4),
    };
}
