using System;
using DyCompile.Runtime;
using DyCompile.Runtime.Nn;

namespace DyCompile.Samples.QuickStart;

/// <summary>An early-exit classifier: each block is a residual linear layer with relu and an exit head;
/// the model returns as soon as an exit head's top softmax probability reaches the threshold.
/// An input no head is confident about is refined by a shared layer at most <c>refine</c>
/// times before the last head answers. Returns the logits and the exit taken
/// (0-based block index, or the number of blocks for the final head).
/// The build step compiles it ahead of time for a batch of one (the attribute says with which
/// inputs and how to make an instance); the app also compiles it at run time with DyCompiler.</summary>
[DyCompile(Inputs = ["f32[1,32]", "float", "int"], Factory = nameof(Create))]
public sealed class EarlyExitModel : Module
{
    private readonly ModuleList<Linear> _blocks;
    private readonly ModuleList<Linear> _exits;
    private readonly Linear _refine;

    /// <summary>The instance the build step compiles (and the app runs): fixed seed, default sizes.</summary>
    public static EarlyExitModel Create() => new(new Random(7));

    public EarlyExitModel(Random g, int width = 32, int classes = 10, int depth = 4)
    {
        var blocks = new Linear[depth];
        var exits = new Linear[depth];
        for (var i = 0; i < depth; i++)
        {
            blocks[i] = new Linear(width, width, generator: g);
            exits[i] = new Linear(width, classes, generator: g);
        }
        _blocks = RegisterModule("blocks", new ModuleList<Linear>(blocks));
        _exits = RegisterModule("exits", new ModuleList<Linear>(exits));
        _refine = RegisterModule("refine", new Linear(width, width, generator: g));
    }

    public (Tensor, int) Forward(Tensor x, float threshold, int refine)
    {
        var depth = 0;
        foreach (var block in _blocks)
        {
            x = block.Forward(x).Relu() + x;
            var logits = _exits[depth].Forward(x);
            if (logits.Softmax(-1).Max().Item() >= threshold) return (logits, depth);
            depth++;
        }
        var i = 0;
        while (i < refine)
        {
            x = _refine.Forward(x).Relu() + x;
            i = i + 1;
        }
        return (_exits[depth - 1].Forward(x), depth);
    }
}
