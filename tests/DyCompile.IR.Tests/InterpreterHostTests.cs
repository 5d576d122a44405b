using DyCompile.Runtime;

namespace DyCompile.IR.Tests;

/// <summary>The interpreter on host-scalar control flow, constants and the scalar bridges.</summary>
public class InterpreterHostTests
{
    // Collatz steps of %n, giving up (early exit) after %limit steps.
    private const string Collatz = """
        program @collatz(%n: int, %limit: int) -> (int, bool) {
        ^entry(%n: int, %limit: int):
          %zero = const 0 : int
          jump ^check(%n, %zero, %limit)
        ^check(%v: int, %steps: int, %lim: int):
          %one = const 1 : int
          %done = host.le(%v, %one)
          branch %done, ^finished(%steps), ^budget(%v, %steps, %lim)
        ^budget(%v2: int, %s2: int, %l2: int):
          %over = host.ge(%s2, %l2)
          branch %over, ^gave_up(%s2), ^step(%v2, %s2, %l2)
        ^step(%v3: int, %s3: int, %l3: int):
          %two = const 2 : int
          %half = host.div(%v3, %two)
          %back = host.mul(%half, %two)
          %even = host.eq(%back, %v3)
          %three = const 3 : int
          %one3 = const 1 : int
          %tripled = host.mul(%v3, %three)
          %odd_next = host.add(%tripled, %one3)
          %next = host.select(%even, %half, %odd_next)
          %s4 = host.add(%s3, %one3)
          jump ^check(%next, %s4, %l3)
        ^finished(%r: int):
          %no = const false : bool
          return %r, %no
        ^gave_up(%g: int):
          %yes = const true : bool
          return %g, %yes
        }
        """;

    private static (int Steps, bool GaveUp, List<string> Path) CollatzInCSharp(int n, int limit)
    {
        var path = new List<string> { "entry" };
        int v = n, steps = 0;
        while (true)
        {
            path.Add("check");
            if (v <= 1) { path.Add("finished"); return (steps, false, path); }
            path.Add("budget");
            if (steps >= limit) { path.Add("gave_up"); return (steps, true, path); }
            path.Add("step");
            v = v % 2 == 0 ? v / 2 : 3 * v + 1;
            steps++;
        }
    }

    [Fact]
    public void DataDependentLoopWithEarlyExitAgreesWithCSharp()
    {
        var program = IRParser.Parse(Collatz);
        Assert.Empty(Verifier.Verify(program));
        var interpreter = new Interpreter();
        var paths = new HashSet<string>();
        foreach (var (n, limit) in new[] { (1, 5), (6, 100), (6, 3), (27, 200), (27, 50), (97, 1000), (7, 16), (7, 17) })
        {
            var (steps, gaveUp, path) = CollatzInCSharp(n, limit);
            var run = interpreter.Run(program, [n, limit]);
            Assert.Equal([steps, gaveUp], run.Outputs);
            Assert.Equal(path, run.Path);
            paths.Add(path[^1]);
        }
        Assert.Equal(["finished", "gave_up"], paths.Order());
    }

    [Fact]
    public void StepLimitStopsANonTerminatingLoop()
    {
        const string spin = """
            program @spin(%n: int) -> (int) {
            ^entry(%n: int):
              jump ^loop(%n)
            ^loop(%i: int):
              %one = const 1 : int
              %j = host.add(%i, %one)
              jump ^loop(%j)
            }
            """;
        var e = Assert.Throws<InterpreterException>(() => new Interpreter(new InterpreterOptions { StepLimit = 1000 }).Run(IRParser.Parse(spin), [0]));
        Assert.Equal("step limit of 1000 reached in ^loop of @spin; the program may not terminate (raise InterpreterOptions.StepLimit if it should)", e.Message);
    }

    [Fact]
    public void ConstantsItemAndFromScalarBridgeHostAndTensors()
    {
        const string text = """
            program @bridge(%f: float) -> (float, tensor<f32, []>, int, tensor<i64, [2]>) {
            ^entry(%f: float):
              %t = const [2.5] : tensor<f32, [1, 1]>
              %v = item(%t)
              %sum = host.add(%v, %f)
              %s = tensor.from_scalar(%sum)
              %i = host.to_int(%sum)
              %l = const [4, -9] : tensor<i64, [2]>
              return %sum, %s, %i, %l
            }
            """;
        var run = new Interpreter().Run(IRParser.Parse(text), [1.25f]);
        Assert.Equal(3.75f, run.Outputs[0]);
        var s = Assert.IsType<Tensor>(run.Outputs[1]);
        Assert.Equal((DType.Float32, 0, 3.75f), (s.DType, s.Rank, s.Floats[0]));
        Assert.Equal(3, run.Outputs[2]);
        Assert.Equal([4L, -9L], Assert.IsType<Tensor>(run.Outputs[3]).Longs.ToArray());
        Assert.Equal(["entry"], run.Path);
        Assert.Equal(7, run.Steps);
    }

    [Fact]
    public void RunsAGraph()
    {
        var gb = new GraphBuilder("g");
        var x = gb.Input("x", IRType.Float);
        var c = gb.Const(IRType.F32(1), [0.5]);
        var doubled = gb.Host("mul", gb.Item(c), x);
        var g = gb.Build(doubled, gb.Host("lt", doubled, x));
        Assert.Equal([3f, true], new Interpreter().Run(g, [6f]));
    }

    [Fact]
    public void InputsAndWeightsAreChecked()
    {
        var pb = new ProgramBuilder("p");
        var x = pb.Input("x", IRType.F32(2));
        var w = pb.Weight("w", IRType.F32(2));
        pb.Entry.Return(x, w);
        var p = pb.Build();
        var interpreter = new Interpreter();
        var wrongInput = Assert.Throws<InterpreterException>(() => interpreter.Run(p, [Tensor.Zeros(3)], new Dictionary<string, Tensor> { ["w"] = Tensor.Zeros(2) }));
        Assert.Equal("program @p: input %x must be tensor<f32, [2]>, got tensor<f32, [3]>", wrongInput.Message);
        var missing = Assert.Throws<InterpreterException>(() => interpreter.Run(p, [Tensor.Zeros(2)]));
        Assert.Equal("weight @w : tensor<f32, [2]> was not supplied", missing.Message);
        var count = Assert.Throws<InterpreterException>(() => interpreter.Run(p, [Tensor.Zeros(2), 1]));
        Assert.Equal("program @p takes 1 input(s), 2 given", count.Message);
        var run = interpreter.Run(p, [Tensor.Zeros(2)], new Dictionary<string, Tensor> { ["w"] = Tensor.Full(7f, 2) });
        Assert.Equal([7f, 7f], ((Tensor)run.Outputs[1]).Floats.ToArray());
    }

    [Fact]
    public void KernelAndHostFailuresNameTheBlockAndNode()
    {
        var pb = new ProgramBuilder("p");
        var n = pb.Input("n", IRType.Int);
        var t = pb.Entry.Const(IRType.F32(2), [1, 2], "t");
        pb.Entry.Raw("item", [t], null, [IRType.Float], ["v"]);
        pb.Entry.Return(n);
        var e = Assert.Throws<InterpreterException>(() => new Interpreter().Run(pb.Build(), [1]));
        Assert.Equal("^entry: '%v = item(%t) : float' failed: item: needs a tensor with one element, got shape [2]", e.Message);

        var zero = IRParser.Parse("program @z(%n: int) -> (int) {\n^entry(%n: int):\n  %c = const 0 : int\n  %q = host.div(%n, %c)\n  return %q\n}");
        var e2 = Assert.Throws<InterpreterException>(() => new Interpreter().Run(zero, [5]));
        Assert.StartsWith("^entry: '%q = host.div(%n, %c) : int' failed: ", e2.Message);
    }

    [Fact]
    public void PathRecordingCanBeTurnedOff()
    {
        var run = new Interpreter(new InterpreterOptions { RecordPath = false }).Run(IRParser.Parse(Collatz), [6, 100]);
        Assert.Empty(run.Path);
        Assert.Equal(8, run.Outputs[0]);
    }
}
