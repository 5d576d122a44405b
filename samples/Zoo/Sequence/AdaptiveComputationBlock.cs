using DyCompile.Runtime;
using DyCompile.Runtime.Nn;

namespace DyCompile.Zoo.Sequence;

/// <summary>Configuration of the adaptive computation module.</summary>
public sealed record AdaptiveComputationConfig(int Tokens = 6, int Dim = 16, int LearnerHidden = 8, int Learners = 4, int Seed = 0);

/// <summary>An Adaptive Computation Module (Wójcik et al., 2024) in a residual block: the layer is
/// split into N small learners whose outputs add up; a gating network picks, per token, how many
/// of them (1…N, in order) that token runs. Input and output are [1, tokens, dim].</summary>
public sealed class AdaptiveComputationBlock : ZooModel
{
    private readonly AdaptiveComputationConfig _config;

    public AdaptiveComputationBlock(AdaptiveComputationConfig? config = null)
    {
        _config = config ?? new AdaptiveComputationConfig();
        var random = new Random(_config.Seed);
        Norm = RegisterModule("norm", new LayerNorm(_config.Dim));
        Gate = RegisterModule("gate", new Linear(_config.Dim, _config.Learners, generator: random));
        Learners = RegisterModule("learners", new ModuleList<Layers.FeedForward>());
        for (var i = 0; i < _config.Learners; i++) Learners.Add(new Layers.FeedForward(_config.Dim, _config.LearnerHidden, random));
    }

    public LayerNorm Norm { get; }

    /// <summary>Scores the choices "run 1 learner" … "run N learners".</summary>
    public Linear Gate { get; }

    public ModuleList<Layers.FeedForward> Learners { get; }

    /// <summary>The block output and, per token, how many learners ran ([tokens] i64).</summary>
    public (Tensor Output, Tensor LearnersRun) Forward(Tensor x)
    {
        var tokens = x.Dim(1);
        var outputs = Tensor.Zeros(0, _config.Dim);
        var counts = Tensor.Zeros(DType.Int64, 0);
        for (var t = 0; t < tokens; t++)
        {
            var token = x.Narrow(1, t, 1).Reshape(1, _config.Dim);
            var normed = Norm.Forward(token);
            var choice = Gate.Forward(normed).ArgMax(1); // [1]: choice c runs c + 1 learners
            var count = (int)choice.Item() + 1;
            var sum = token;
            for (var j = 0; j < count; j++) sum = sum + Learners[j].Forward(normed);
            outputs = TensorOps.Concat([outputs, sum], 0);
            counts = TensorOps.Concat([counts, choice + Tensor.Scalar(1L)], 0);
        }
        return (outputs.Reshape(1, tokens, _config.Dim), counts);
    }

    public override Tensor SampleInput(Random random)
    {
        var x = Tensor.Zeros(1, _config.Tokens, _config.Dim);
        foreach (ref var v in x.Floats) v = ZooInputs.Normal(random);
        return x;
    }

    public override ZooRun Run(Tensor input)
    {
        var (output, counts) = Forward(input);
        return new ZooRun(output, "learners " + string.Join(' ', counts.Longs.ToArray()));
    }
}
