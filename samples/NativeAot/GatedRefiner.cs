using DyCompile.Runtime;
using DyCompile.Runtime.Nn;

namespace DyCompile.Samples.NativeAot;

/// <summary>Refines an input with a residual layer while it is still small (at most
/// <c>limit</c> times), then classifies it, returning the logits and how many steps it took:
/// a loop on a tensor value, compiled at build time for any batch size.</summary>
[DyCompile(Inputs = ["f32[?,32]", "float", "int"], Factory = nameof(Create))]
public sealed class GatedRefiner : Module
{
    private readonly Linear _step;
    private readonly Linear _head;

    public static GatedRefiner Create() => new(new Random(7));

    public GatedRefiner(Random g)
    {
        _step = RegisterModule("step", new Linear(32, 32, generator: g));
        _head = RegisterModule("head", new Linear(32, 10, generator: g));
    }

    public (Tensor Logits, int Steps) Forward(Tensor x, float threshold, int limit)
    {
        var steps = 0;
        while (steps < limit && x.Abs().Max().Item() < threshold)
        {
            x = _step.Forward(x).Relu() + x;
            steps = steps + 1;
        }
        return (_head.Forward(x), steps);
    }
}
