using System.Text;
using DyCompile.Backends.Onnx;
using DyCompile.IR;
using DyCompile.Runtime;
using DyCompile.Backends.Onnx.Proto;

namespace DyCompile.Backends.Tests;

/// <summary>Branches whose sides meet again only on some paths — the inner side may return early —
/// as in an unrolled loop whose steps can stop the model: the code after the meeting block is
/// exported once, not once per side (which doubles the model at every step), and ONNX Runtime
/// still agrees with the interpreter on every path.</summary>
public class PartialJoinExportTests
{
    /// <summary><paramref name="stages"/> steps; in step i, if the state's sum exceeds a_i a second
    /// test may return at once (sum > b_i), else the step goes on with relu; otherwise with tanh.
    /// Both sides of the outer test reach the next step, but the test's post-dominator is the return.</summary>
    private static IRProgram Stages(int stages)
    {
        var text = new StringBuilder();
        text.AppendLine("program @stages(%x: tensor<f32, [4]>) -> (tensor<f32, [4]>, int) {");
        text.AppendLine("^entry(%x: tensor<f32, [4]>):");
        text.AppendLine("  jump ^s0(%x)");
        for (var i = 0; i < stages; i++)
        {
            var next = i + 1 < stages ? $"^s{i + 1}" : "^last";
            text.AppendLine($$"""
                ^s{{i}}(%h{{i}}: tensor<f32, [4]>):
                  %sum{{i}} = sum(%h{{i}}) {dims = [], keepdim = false} : tensor<f32, []>
                  %v{{i}} = item(%sum{{i}}) : float
                  %a{{i}} = const {{(i % 3 - 1) * 0.4:0.0}} : float
                  %c{{i}} = host.gt(%v{{i}}, %a{{i}}) : bool
                  %t{{i}} = tanh(%h{{i}}) : tensor<f32, [4]>
                  branch %c{{i}}, ^inner{{i}}(%h{{i}}, %v{{i}}), {{next}}(%t{{i}})
                ^inner{{i}}(%g{{i}}: tensor<f32, [4]>, %w{{i}}: float):
                  %b{{i}} = const {{1.2 + 0.1 * i:0.0}} : float
                  %d{{i}} = host.gt(%w{{i}}, %b{{i}}) : bool
                  %r{{i}} = relu(%g{{i}}) : tensor<f32, [4]>
                  %k{{i}} = const [0.7, -0.3, 0.5, -0.9] : tensor<f32, [4]>
                  %m{{i}} = add(%r{{i}}, %k{{i}}) : tensor<f32, [4]>
                  %n{{i}} = const {{i}} : int
                  branch %d{{i}}, ^stop(%g{{i}}, %n{{i}}), {{next}}(%m{{i}})
                """);
        }
        text.AppendLine($$"""
            ^last(%z: tensor<f32, [4]>):
              %all = const {{stages}} : int
              jump ^stop(%z, %all)
            ^stop(%out: tensor<f32, [4]>, %at: int):
              return %out, %at
            }
            """);
        return IRProgram.Parse(text.ToString());
    }

    private static int CountNodes(GraphProto graph) =>
        graph.Node.Sum(n => 1 + n.Attribute.Where(a => a.G is not null).Sum(a => CountNodes(a.G)));

    [Fact]
    public void TheCodeAfterAPartialMeetingIsExportedOnce()
    {
        int Size(int stages) => CountNodes(OnnxExporter.Export(Stages(stages), new Dictionary<string, Tensor>()).Graph);
        var (four, eight, sixteen) = (Size(4), Size(8), Size(16));
        // Linear in the steps: eight more steps add twice what four more add (give or take the
        // ends); copying the rest per side would double the size with every step.
        Assert.InRange(sixteen - eight, 2 * (eight - four) - 10, 2 * (eight - four) + 10);
        Assert.True(sixteen < 16 * 150, $"{sixteen} nodes for 16 steps ({four} for 4, {eight} for 8)");
    }

    [Fact]
    public void EveryPathAgreesWithTheInterpreter()
    {
        var program = Stages(6);
        var paths = ControlFlowExportTests.RunMany(program, new Dictionary<string, Tensor>(), g => [g.Normal(4)], count: 24);
        var stops = paths.Select(p => p.Count(b => b.StartsWith("inner", StringComparison.Ordinal)) * 100 + p.Count).Distinct().Count();
        Assert.True(stops >= 4, $"only {stops} distinct paths");
        Assert.Contains(paths, p => p.Contains("last"));
        Assert.Contains(paths, p => !p.Contains("last"));
    }
}
