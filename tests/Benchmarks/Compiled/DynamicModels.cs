using System;
using DyCompile.Runtime;
using DyCompile.Runtime.Nn;

namespace DyCompile.Benchmarks.Compiled;

/// <summary>Applies a shared residual layer until the head's top softmax probability reaches the
/// threshold, at most <c>limit</c> times; returns the logits and the number of steps.</summary>
[DyCompile]
public sealed class UntilConfidentModel : Module
{
    private readonly Linear _step;
    private readonly Linear _head;

    public UntilConfidentModel(Random g, int width = 32, int classes = 10)
    {
        _step = RegisterModule("step", new Linear(width, width, generator: g));
        _head = RegisterModule("head", new Linear(width, classes, generator: g));
    }

    public (Tensor, int) Forward(Tensor x, float threshold, int limit)
    {
        var steps = 0;
        var logits = _head.Forward(x);
        while (steps < limit && logits.Softmax(-1).Max().Item() < threshold)
        {
            x = _step.Forward(x).Relu() + x;
            logits = _head.Forward(x);
            steps = steps + 1;
        }
        return (logits, steps);
    }
}

/// <summary>Runs each layer of a ModuleList only while the activations' mean stays under the
/// gate; returns the result and the number of layers used.</summary>
[DyCompile]
public sealed class LayerSkipModel : Module
{
    private readonly ModuleList<Linear> _layers;

    public LayerSkipModel(Random g, int width = 32, int depth = 6)
    {
        var layers = new Linear[depth];
        for (var i = 0; i < depth; i++) layers[i] = new Linear(width, width, generator: g);
        _layers = RegisterModule("layers", new ModuleList<Linear>(layers));
    }

    public (Tensor, int) Forward(Tensor x, float gate)
    {
        var used = 0;
        for (var i = 0; i < _layers.Count; i++)
        {
            if (x.Mean().Item() > gate) continue;
            x = _layers[i].Forward(x).Tanh() + x;
            used++;
        }
        return (x, used);
    }
}
