using DyCompile.Runtime.Nn;

namespace DyCompile.Runtime.Tests;

public class NnModuleTests
{
    /// <summary>A small model touching every layer kind, registered in a fixed order.</summary>
    private sealed class TinyNet : Module
    {
        public TinyNet(Random generator)
        {
            Conv = RegisterModule("conv", new Conv2d(1, 2, 3, padding: 1, generator: generator));
            Bn = RegisterModule("bn", new BatchNorm2d(2));
            Layers = RegisterModule("layers", new ModuleList<Linear>([new Linear(8, 4, generator: generator), new Linear(4, 3, bias: false, generator: generator)]));
            Cell = RegisterModule("cell", new LSTMCell(3, 2, generator: generator));
            Embed = RegisterModule("embed", new Embedding(5, 3, generator: generator));
            Norm = RegisterModule("norm", new LayerNorm(2));
        }

        public Conv2d Conv { get; }
        public BatchNorm2d Bn { get; }
        public ModuleList<Linear> Layers { get; }
        public LSTMCell Cell { get; }
        public Embedding Embed { get; }
        public LayerNorm Norm { get; }

        public Tensor Forward(Tensor image, Tensor token)
        {
            var features = Bn.Forward(Conv.Forward(image)).Reshape(1, 8);
            foreach (var layer in Layers) features = layer.Forward(features);
            var (h, _) = Cell.Forward(TensorOps.Add(features, Embed.Forward(token)));
            return Norm.Forward(h);
        }
    }

    private static readonly string[] TinyNetStateNames =
    [
        "conv.weight", "conv.bias",
        "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked",
        "layers.0.weight", "layers.0.bias", "layers.1.weight",
        "cell.weight_ih", "cell.weight_hh", "cell.bias_ih", "cell.bias_hh",
        "embed.weight",
        "norm.weight", "norm.bias",
    ];

    [Fact]
    public void NamesAreDottedInRegistrationOrder()
    {
        var net = new TinyNet(new Random(1));
        Assert.Equal(TinyNetStateNames, net.SaveStateDict().Keys);
        Assert.Equal(TinyNetStateNames.Where(n => !n.StartsWith("bn.running") && !n.EndsWith("num_batches_tracked")), net.NamedParameters().Select(p => p.Name));
        Assert.Equal(new[] { "bn.running_mean", "bn.running_var", "bn.num_batches_tracked" }, net.NamedBuffers().Select(b => b.Name));
        Assert.Equal(new[] { "conv", "bn", "layers", "cell", "embed", "norm" }, net.NamedChildren().Select(c => c.Name));
        Assert.Equal(new[] { 2, 1, 3, 3 }, net.SaveStateDict()["conv.weight"].ShapeArray());
        Assert.Equal(DType.Int64, net.SaveStateDict()["bn.num_batches_tracked"].DType);
    }

    [Fact]
    public void ModuleListIndexesEnumeratesAndNamesByPosition()
    {
        var list = new ModuleList<Linear>();
        list.Add(new Linear(2, 2));
        list.Add(new Linear(2, 3));
        list.Add(new Linear(3, 1));
        Assert.Equal(3, list.Count);
        Assert.Equal(3, list[1].OutFeatures);
        Assert.Equal(new[] { 2, 3, 1 }, list.Select(l => l.OutFeatures));
        Assert.Equal(new[] { "0", "1", "2" }, list.NamedChildren().Select(c => c.Name));
        Assert.Equal(new[] { "0.weight", "0.bias", "1.weight", "1.bias", "2.weight", "2.bias" }, list.NamedParameters().Select(p => p.Name));
        Assert.Throws<ArgumentOutOfRangeException>(() => list[3]);
    }

    [Fact]
    public void StateDictRoundTripsThroughSafeTensors()
    {
        var source = new TinyNet(new Random(1));
        var target = new TinyNet(new Random(2));
        var image = Tensor.FromArray(Enumerable.Range(0, 4).Select(i => i * 0.3f - 0.5f).ToArray(), 1, 1, 2, 2);
        var token = Tensor.FromArray(new long[] { 3 }, 1);
        Assert.NotEqual(source.Forward(image, token).Floats.ToArray(), target.Forward(image, token).Floats.ToArray());

        var bytes = SafeTensors.SaveToBytes(source.SaveStateDict());
        target.LoadStateDict(SafeTensors.Load(bytes));

        foreach (var (name, tensor) in source.SaveStateDict())
        {
            var loaded = target.SaveStateDict()[name];
            Assert.Equal(tensor.ShapeArray(), loaded.ShapeArray());
            Assert.Equal(tensor.AsBytes().ToArray(), loaded.AsBytes().ToArray());
        }
        Assert.Equal(source.Forward(image, token).Floats.ToArray(), target.Forward(image, token).Floats.ToArray());
    }

    [Fact]
    public void LoadStateDictNamesAMissingEntry()
    {
        var net = new TinyNet(new Random(1));
        var state = net.SaveStateDict().Where(kv => kv.Key != "layers.1.weight").ToDictionary();
        var e = Assert.Throws<StateDictException>(() => net.LoadStateDict(state));
        Assert.Contains("'layers.1.weight'", e.Message);
        Assert.Contains("[3, 4]", e.Message);
    }

    [Fact]
    public void LoadStateDictNamesAMisShapedEntryWithBothShapesAndChangesNothing()
    {
        var net = new TinyNet(new Random(1));
        var before = net.SaveStateDict();
        var state = new TinyNet(new Random(2)).SaveStateDict().ToDictionary();
        state["cell.weight_hh"] = Tensor.Zeros(2, 8);
        var e = Assert.Throws<StateDictException>(() => net.LoadStateDict(state));
        Assert.Contains("'cell.weight_hh'", e.Message);
        Assert.Contains("[2, 8]", e.Message);
        Assert.Contains("[8, 2]", e.Message);
        // Entries before the bad one were not applied either.
        Assert.Same(before["conv.weight"], net.SaveStateDict()["conv.weight"]);
    }

    [Fact]
    public void LoadStateDictChecksDTypeAndUnexpectedEntries()
    {
        var net = new TinyNet(new Random(1));
        var state = net.SaveStateDict().ToDictionary();
        state["bn.num_batches_tracked"] = Tensor.Scalar(3f);
        var e = Assert.Throws<StateDictException>(() => net.LoadStateDict(state));
        Assert.Contains("'bn.num_batches_tracked'", e.Message);
        Assert.Contains("f32", e.Message);
        Assert.Contains("i64", e.Message);

        state = net.SaveStateDict().ToDictionary();
        state["head.weight"] = Tensor.Zeros(1);
        state["extra"] = Tensor.Zeros(1);
        e = Assert.Throws<StateDictException>(() => net.LoadStateDict(state));
        Assert.Contains("'extra', 'head.weight'", e.Message);
        net.LoadStateDict(state, strict: false);
    }

    [Fact]
    public void OlderCheckpointsWithoutNumBatchesTrackedLoad()
    {
        var bn = new BatchNorm2d(2);
        var state = bn.SaveStateDict().Where(kv => kv.Key != "num_batches_tracked").ToDictionary();
        state["running_mean"] = Tensor.FromArray(new[] { 1f, 2f }, 2);
        bn.LoadStateDict(state);
        Assert.Equal(new[] { 1f, 2f }, bn.RunningMean.Floats.ToArray());
    }

    private sealed class BadNames : Module
    {
        public BadNames(string first, string second)
        {
            RegisterParameter(first, Tensor.Zeros(1));
            RegisterParameter(second, Tensor.Zeros(1));
        }
    }

    [Fact]
    public void RegistrationRejectsDottedAndDuplicateNames()
    {
        Assert.Throws<ArgumentException>(() => new BadNames("a", "a"));
        Assert.Throws<ArgumentException>(() => new BadNames("a", "b.c"));
        Assert.Throws<ArgumentException>(() => new BadNames("", "b"));
        Assert.Equal(new[] { "a", "b" }, new BadNames("a", "b").NamedParameters().Select(p => p.Name));
    }
}
