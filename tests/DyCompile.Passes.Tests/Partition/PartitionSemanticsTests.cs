using DyCompile.IR;
using DyCompile.Passes.Partition;
using DyCompile.Runtime;

namespace DyCompile.Passes.Tests.Partition;

/// <summary>The partition changes how a program runs, never what it computes: the simplified
/// program (merged chains, if-converted branches) agrees with the original under the
/// interpreter, and every segment graph is a well-formed static graph.</summary>
public class PartitionSemanticsTests
{
    public static TheoryData<string> Samples => new()
    {
        PartitionPrograms.EarlyExit, PartitionPrograms.LoopWithBreak, PartitionPrograms.NestedBranches,
        PartitionPrograms.RepeatedLayer, PartitionPrograms.CheapBranch,
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void SimplifiedProgramComputesTheSameAsTheOriginal(string text)
    {
        var program = IRProgram.Parse(text);
        var partition = Partitioner.Partition(program);
        var rng = new Random(7);
        var weights = program.Weights.ToDictionary(w => w.Name, w => RandomTensor(rng, (TensorType)w.Type));
        var interpreter = new Interpreter();
        for (var run = 0; run < 16; run++)
        {
            var inputs = program.Inputs.Select(i => i.Type switch
            {
                TensorType t => (object)RandomTensor(rng, t),
                ScalarType { Kind: ScalarKind.Int } => rng.Next(0, 5),
                _ => (object)(float)(rng.NextDouble() * 2 - 1),
            }).ToList();
            var expected = interpreter.Run(program, inputs, weights).Outputs;
            var actual = interpreter.Run(partition.Simplified, inputs, weights).Outputs;
            for (var i = 0; i < expected.Count; i++)
            {
                if (expected[i] is Tensor e)
                    Assert.Equal(e.ToFloatArray(), ((Tensor)actual[i]).ToFloatArray());
                else
                    Assert.Equal(expected[i], actual[i]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void EverySegmentIsAVerifiedStaticGraph(string text)
    {
        var partition = Partitioner.Partition(IRProgram.Parse(text));
        foreach (var segment in partition.Segments)
        {
            Assert.Empty(Verifier.Errors(segment.Graph.ToProgram()));
            Assert.Empty(Verifier.Errors(segment.Distinct.Graph.ToProgram()));
            Assert.DoesNotContain(segment.Graph.Nodes, Partitioner.IsHostOp);
        }
    }

    [Fact]
    public void IfConversionRespectsTheCostBudget()
    {
        var program = IRProgram.Parse(PartitionPrograms.CheapBranch);
        Assert.Single(Partitioner.Partition(program).Host);
        Assert.Equal(4, Partitioner.Partition(program, new PartitionOptions { IfConversionFlopBudget = 5 }).Host.Count);
        Assert.Equal(4, Partitioner.Partition(program, new PartitionOptions { IfConversion = false }).Host.Count);
    }

    [Fact]
    public void SegmentsThatDifferOnlyInNamesAndWeightsShareOneDistinctSegment()
    {
        var a = new Graph("a", [new Value("p", IRType.F32(2), ValueKind.Parameter)], [], [], []);
        var x = new Value("x", IRType.F32(2), ValueKind.Parameter);
        var y = new Value("y", IRType.F32(2), ValueKind.Parameter);
        var w1 = new Value("w1", IRType.F32(2), ValueKind.Weight);
        var w2 = new Value("w2", IRType.F32(2), ValueKind.Weight);
        Graph Layer(Value input, Value weight, string name)
        {
            var sum = new Value(name + "_s", IRType.F32(2), ValueKind.Result);
            var act = new Value(name + "_a", IRType.F32(2), ValueKind.Result);
            return new Graph(name, [input], [weight], [new Node("add", [input, weight], null, [sum]), new Node("tanh", [sum], null, [act])], [act]);
        }
        var k1 = StructuralHash.Key(StructuralHash.Canonicalize(Layer(x, w1, "one")));
        var k2 = StructuralHash.Key(StructuralHash.Canonicalize(Layer(y, w2, "two")));
        Assert.Equal(k1, k2);
        Assert.Equal(StructuralHash.Hex(k1), StructuralHash.Hex(k2));
        Assert.NotEqual(k1, StructuralHash.Key(StructuralHash.Canonicalize(a)));
    }

    [Fact]
    public void DotListsEveryHostBlockAndEdge()
    {
        var dot = Partitioner.Partition(IRProgram.Parse(PartitionPrograms.LoopWithBreak)).ToDot();
        Assert.StartsWith("digraph \"loop_break\" {", dot);
        foreach (var edge in new[] { "\"entry\" -> \"header\"", "\"header\" -> \"body\" [label=\"%more\"]", "\"header\" -> \"done\"", "\"body\" -> \"done\" [label=\"%big\"]", "\"body\" -> \"header\"" })
            Assert.Contains(edge, dot);
        Assert.Contains("call s0 = d0", dot);
    }

    private static Tensor RandomTensor(Random rng, TensorType t) =>
        Tensor.FromArray(Enumerable.Range(0, (int)t.ElementCount).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray(), [.. t.Shape]);
}
