using DyCompile.Runtime;
using FsCheck.Xunit;

namespace DyCompile.IR.Tests;

/// <summary><c>narrow</c>: a slice whose start is a host int of the program. The interpreter runs
/// it as the eager <see cref="Tensor.Narrow"/>, fails where that fails, and a loop over the start
/// reads every row.</summary>
public class NarrowOpTests
{
    private const string OneNarrow = """
        program @rows(%x: tensor<f32, [2, 5, 3]>, %t: int) -> (tensor<f32, [2, 2, 3]>) {
        ^entry(%x: tensor<f32, [2, 5, 3]>, %t: int):
          %r = narrow(%x, %t) {dim = 1, length = 2} : tensor<f32, [2, 2, 3]>
          return %r
        }
        """;

    // Sums the rows of %x one at a time: the start is the loop counter.
    private const string RowSum = """
        program @rowsum(%x: tensor<f32, [4, 3]>) -> (tensor<f32, [1, 3]>) {
        ^entry(%x: tensor<f32, [4, 3]>):
          %zero = const 0 : int
          %acc = const [0, 0, 0] : tensor<f32, [1, 3]>
          jump ^head(%x, %acc, %zero)
        ^head(%x1: tensor<f32, [4, 3]>, %a: tensor<f32, [1, 3]>, %t: int):
          %n = const 4 : int
          %more = host.lt(%t, %n)
          branch %more, ^body(%x1, %a, %t), ^done(%a)
        ^body(%x2: tensor<f32, [4, 3]>, %a2: tensor<f32, [1, 3]>, %t2: int):
          %row = narrow(%x2, %t2) {dim = 0, length = 1} : tensor<f32, [1, 3]>
          %a3 = add(%a2, %row) : tensor<f32, [1, 3]>
          %one = const 1 : int
          %t3 = host.add(%t2, %one)
          jump ^head(%x2, %a3, %t3)
        ^done(%r: tensor<f32, [1, 3]>):
          return %r
        }
        """;

    private static Tensor Random(int seed, params int[] shape)
    {
        var rng = new Random(seed);
        var x = Tensor.Zeros(shape);
        foreach (ref var v in x.Floats) v = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    [Property(MaxTest = 60)]
    public void InterpreterAgreesWithEagerNarrowOrFailsAsItFails(int seed, sbyte rawStart)
    {
        var x = Random(seed, 2, 5, 3);
        var start = rawStart % 9;
        var program = IRParser.Parse(OneNarrow);
        Assert.Empty(Verifier.Verify(program));
        Tensor expected;
        try
        {
            expected = x.Narrow(1, start, 2);
        }
        catch (TensorOpException eager)
        {
            var e = Assert.Throws<InterpreterException>(() => new Interpreter().Run(program, [x, start]));
            var inner = Assert.IsType<TensorOpException>(e.InnerException);
            Assert.Equal(eager.Message, inner.Message);
            return;
        }
        var actual = (Tensor)new Interpreter().Run(program, [x, start]).Outputs[0];
        Assert.Equal(expected.ShapeArray(), actual.ShapeArray());
        Assert.Equal(expected.Floats.ToArray(), actual.Floats.ToArray());
    }

    [Fact]
    public void OutOfRangeStartFailsWithTheEagerMessage()
    {
        var x = Random(1, 2, 5, 3);
        var program = IRParser.Parse(OneNarrow);
        var e = Assert.Throws<InterpreterException>(() => new Interpreter().Run(program, [x, 4]));
        Assert.Equal("narrow: narrow of start 4 and length 2 does not fit dimension 1 of size 5", e.InnerException!.Message);
        Assert.Equal(Assert.Throws<TensorOpException>(() => x.Narrow(1, 4, 2)).Message, e.InnerException.Message);
    }

    [Fact]
    public void ALoopOverTheStartReadsEveryRow()
    {
        var x = Random(2, 4, 3);
        var program = IRParser.Parse(RowSum);
        Assert.Empty(Verifier.Verify(program));
        var sum = (Tensor)new Interpreter().Run(program, [x]).Outputs[0];
        var expected = Enumerable.Range(0, 3).Select(c => Enumerable.Range(0, 4).Aggregate(0f, (s, r) => s + x.Floats[r * 3 + c])).ToArray();
        Assert.Equal(expected, sum.Floats.ToArray());
    }

    [Fact]
    public void TextFormRoundTrips()
    {
        var printed = IRPrinter.Print(IRParser.Parse(RowSum));
        Assert.Contains("narrow(%x2, %t2) {dim = 0, length = 1}", printed, StringComparison.Ordinal);
        Assert.Equal(printed, IRPrinter.Print(IRParser.Parse(printed)));
    }

    [Theory]
    [InlineData("%f", "operand 'start' must be int")]
    [InlineData("%y", "operand 'start' must be a host scalar")]
    public void StartMustBeAHostInt(string start, string message)
    {
        var text = $$"""
            program @bad(%x: tensor<f32, [4, 3]>, %f: float, %y: tensor<i64, []>) -> (tensor<f32, [1, 3]>) {
            ^entry(%x: tensor<f32, [4, 3]>, %f: float, %y: tensor<i64, []>):
              %r = narrow(%x, {{start}}) {dim = 0, length = 1} : tensor<f32, [1, 3]>
              return %r
            }
            """;
        var problems = Verifier.Verify(IRParser.Parse(text));
        Assert.Contains(problems, p => p.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void ALengthLongerThanTheDimensionIsATypeError()
    {
        var result = OpCatalog.Infer("narrow", [IRType.F32(4, 3), IRType.Int], new Attrs { { "dim", 0 }, { "length", 5 } });
        Assert.False(result.Succeeded);
        Assert.Contains("length 5 does not fit dimension 0", result.ErrorMessage, StringComparison.Ordinal);
        var ok = OpCatalog.Infer("narrow", [IRType.F32(4, TensorType.Dynamic), IRType.Int], new Attrs { { "dim", -1 }, { "length", 7 } });
        Assert.Equal(IRType.F32(4, 7), ok.Unwrap()[0]);
    }

    [Property(MaxTest = 60)]
    public void NarrowIntoWritesWhatNarrowReturns(int seed)
    {
        var rng = new Random(seed);
        var shape = Enumerable.Range(0, rng.Next(1, 4)).Select(_ => rng.Next(1, 5)).ToArray();
        var dim = rng.Next(shape.Length);
        var length = rng.Next(shape[dim] + 1);
        var from = rng.Next(shape[dim] - length + 1);
        var start = rng.Next(2) == 0 ? from : from - shape[dim]; // a negative start counts from the end
        var x = Tensor.FromArray(Enumerable.Range(0, shape.Aggregate(1, (n, d) => n * d)).Select(i => (long)(i * 31 + seed)).ToArray(), shape);
        var expected = TensorOps.Narrow(x, start, dim, length);
        var destination = Tensor.Zeros(DType.Int64, expected.ShapeArray());
        TensorOps.NarrowInto(x, start, dim, length, destination);
        Assert.Equal(expected.Longs.ToArray(), destination.Longs.ToArray());
        Assert.Equal(x.Narrow(dim, start, length).Longs.ToArray(), expected.Longs.ToArray());
    }
}
