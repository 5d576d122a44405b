using DyCompile.Runtime;
using DyCompile.Runtime.Nn;
using DyCompile.Zoo.Layers;

namespace DyCompile.Zoo.Sequence;

/// <summary>Configuration of the mixture-of-experts layer.</summary>
public sealed record MixtureOfExpertsConfig(int Tokens = 6, int Dim = 16, int Hidden = 32, int Experts = 4, int TopK = 2, int Seed = 0);

/// <summary>A sparse mixture-of-experts feed-forward layer with top-k routing per token (as in
/// Switch/Mixtral): a router scores the experts for each token, the k best run on that token,
/// and their outputs are summed with the softmax of their router scores as weights. Input and
/// output are [1, tokens, dim].</summary>
public sealed class MixtureOfExperts : ZooModel
{
    private readonly MixtureOfExpertsConfig _config;

    public MixtureOfExperts(MixtureOfExpertsConfig? config = null)
    {
        _config = config ?? new MixtureOfExpertsConfig();
        var random = new Random(_config.Seed);
        Router = RegisterModule("router", new Linear(_config.Dim, _config.Experts, bias: false, generator: random));
        Experts = RegisterModule("experts", new ModuleList<FeedForward>());
        for (var e = 0; e < _config.Experts; e++) Experts.Add(new FeedForward(_config.Dim, _config.Hidden, random));
    }

    public Linear Router { get; }

    public ModuleList<FeedForward> Experts { get; }

    /// <summary>The mixed outputs and the routes: [tokens, k] i64, row t the experts token t ran
    /// (best first).</summary>
    public (Tensor Output, Tensor Routes) Forward(Tensor x)
    {
        var tokens = x.Dim(1);
        var outputs = Tensor.Zeros(0, _config.Dim);
        var routes = Tensor.Zeros(DType.Int64, 0, _config.TopK);
        for (var t = 0; t < tokens; t++)
        {
            var token = x.Narrow(1, t, 1).Reshape(1, _config.Dim);
            var (scores, chosen) = TensorOps.TopK(Router.Forward(token), _config.TopK, 1, true);
            var weights = scores.Softmax(1);
            var mixed = Tensor.Zeros(1, _config.Dim);
            for (var j = 0; j < _config.TopK; j++)
            {
                var expert = (int)chosen.Narrow(1, j, 1).Item();
                mixed = mixed + weights.Narrow(1, j, 1) * Experts[expert].Forward(token);
            }
            outputs = TensorOps.Concat([outputs, mixed], 0);
            routes = TensorOps.Concat([routes, chosen], 0);
        }
        return (outputs.Reshape(1, tokens, _config.Dim), routes);
    }

    public override Tensor SampleInput(Random random)
    {
        var x = Tensor.Zeros(1, _config.Tokens, _config.Dim);
        foreach (ref var v in x.Floats) v = ZooInputs.Normal(random);
        return x;
    }

    public override ZooRun Run(Tensor input)
    {
        var (output, routes) = Forward(input);
        var k = routes.Dim(1);
        var perToken = Enumerable.Range(0, routes.Dim(0)).Select(t => string.Join(',', routes.Longs.Slice(t * k, k).ToArray()));
        return new ZooRun(output, "experts " + string.Join(" | ", perToken));
    }
}
