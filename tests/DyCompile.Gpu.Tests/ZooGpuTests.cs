using System.Runtime.CompilerServices;
using DyCompile.Compiler;
using DyCompile.IR;
using DyCompile.Runtime;
using DyCompile.Zoo;
using DyCompile.Zoo.EarlyExit;
using DyCompile.Zoo.Sequence;
using DyCompile.Zoo.Skipping;

namespace DyCompile.Gpu.Tests;

/// <summary>Every zoo model, at the reduced sizes of the frontend's zoo tests, compiled from its own
/// source for ILGPU's CPU accelerator: the compiled model agrees with its eager forward pass. A
/// model that needs an op with no device implementation fails here with the DYC0601 diagnostic
/// naming the op and the source line, until the op kernel exists.</summary>
[Trait("Category", "Zoo")]
public class ZooGpuTests
{
    private const double Tolerance = 1e-3;

    private static readonly IReadOnlyDictionary<string, Func<ZooModel>> _models = new Dictionary<string, Func<ZooModel>>
    {
        ["mobilenet_sdn"] = () => new MobileNetSdn(new SdnConfig(WidthDivisor: 8, Seed: 1)),
        ["vgg16bn_sdn"] = () => new Vgg16BnSdn(new SdnConfig(WidthDivisor: 16, Seed: 1)),
        ["resnet56_sdn"] = () => new ResNet56Sdn(new SdnConfig(WidthDivisor: 4, Seed: 2)),
        ["wideresnet32_4_sdn"] = () => new WideResNet32x4Sdn(new SdnConfig(Threshold: 0.9f, WidthDivisor: 16, Seed: 1)),
        ["skipnet_ffgate"] = () => new SkipNetFeedForward(new SkipNetConfig(BlocksPerGroup: 3, Width: 4, Seed: 1)),
        ["skipnet_rnngate"] = () => new SkipNetRecurrent(new SkipNetConfig(BlocksPerGroup: 3, Width: 4, Seed: 1)),
        ["blockdrop_resnet110"] = () => new BlockDrop(new SkipNetConfig(BlocksPerGroup: 4, Width: 4, Seed: 1)),
        ["image_captioner"] = () => new ImageCaptioner(new ImageCaptionerConfig(Seed: 1)),
        ["early_exit_transformer"] = () => new EarlyExitTransformer(new EarlyExitTransformerConfig(Threshold: 0.4f, Seed: 1)),
        ["mixture_of_experts"] = () => new MixtureOfExperts(new MixtureOfExpertsConfig(Seed: 1)),
        ["adaptive_computation"] = () => new AdaptiveComputationBlock(new AdaptiveComputationConfig(Seed: 1)),
        ["decoder_generator"] = () => new DecoderGenerator(new DecoderGeneratorConfig(SkipThreshold: 0.15f, Seed: 1)),
    };

    public static TheoryData<string> Names => new(_models.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void CompiledForTheDeviceAgreesWithTheEagerForward(string name)
    {
        var model = _models[name]();
        var random = new Random(42);
        var inputs = Enumerable.Range(0, 3).Select(_ => model.SampleInput(random)).ToList();
        var dump = Path.Combine(Path.GetTempPath(), "dycompile-zoo-gpu-" + Guid.NewGuid().ToString("N"));
        try
        {
            var compiled = DyCompiler.Compile(model, ModelLowering.TypesOf([inputs[0]]), new DyCompilerOptions
            {
                Lowering = new LoweringOptions { Strict = true },
                Jit = new CompileOptions { Target = Target.IlgpuCpu, DumpDirectory = dump },
            });
            Assert.True(compiled.Succeeded, $"{name}:\n{string.Join("\n", compiled.Diagnostics)}");
            using var program = compiled.Program!;
            AssertEveryKernelWasEmitted(dump, program, name);
            AgreesWithEager(model, program, inputs, name);
        }
        finally
        {
            if (Directory.Exists(dump)) Directory.Delete(dump, recursive: true);
        }
    }

    /// <summary>Every distinct segment that launches device work lists its kernels, and each has
    /// PTX (a module with an entry point) and, where ILGPU's OpenCL backend emits it, OpenCL C.</summary>
    private static void AssertEveryKernelWasEmitted(string dump, CompiledProgram program, string name)
    {
        var index = Path.Combine(dump, $"{program.Program.Name}.segments.txt");
        Assert.True(File.Exists(index), $"{name}: no segment kernel index in the dump");
        var lines = File.ReadAllLines(index);
        Assert.Equal(program.Partition.Distinct.Count, lines.Count(l => !l.StartsWith(' ')));
        var files = lines.Where(l => l.StartsWith(' ')).Select(l => l.Trim()).ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
            Assert.True(File.Exists(Path.Combine(dump, file)), $"{name}: {file} is listed but not written");
        var ptx = files.Where(f => f.EndsWith(".ptx", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(ptx);
        Assert.All(ptx, f => Assert.Contains(".entry", File.ReadAllText(Path.Combine(dump, f)), StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith(".cl", StringComparison.Ordinal));
    }

    private static void AgreesWithEager(ZooModel model, CompiledProgram program, IReadOnlyList<Tensor> inputs, string name)
    {
        var forward = model.GetType().GetMethod("Forward", [typeof(Tensor)])!;
        foreach (var x in inputs)
        {
            var eager = Flatten(forward.Invoke(model, [x])!).ToList();
            var actual = program.Run([x]).Outputs;
            Assert.Equal(eager.Count, actual.Count);
            for (var k = 0; k < eager.Count; k++) AssertClose(eager[k], actual[k], $"{name}, result {k}");
        }
    }

    private static IEnumerable<object> Flatten(object result) =>
        result is ITuple tuple ? Enumerable.Range(0, tuple.Length).Select(i => tuple[i]!) : [result];

    private static void AssertClose(object expected, object actual, string where)
    {
        if (expected is not Tensor e)
        {
            Assert.True(expected is float f && actual is float g ? Math.Abs(f - g) <= Tolerance * (1 + Math.Abs(f)) : Equals(expected, actual),
                $"{where}: {actual}, eagerly {expected}");
            return;
        }
        var a = Assert.IsType<Tensor>(actual);
        Assert.True(e.DType == a.DType && e.Shape.SequenceEqual(a.Shape), $"{where}: {a}, eagerly {e}");
        for (var j = 0; j < e.Length; j++)
        {
            double x = e.GetAsDouble(j), y = a.GetAsDouble(j);
            Assert.True(e.DType == DType.Float32 ? Math.Abs(x - y) <= Tolerance * (1 + Math.Abs(x)) : x == y, $"{where} [{j}]: {y}, eagerly {x}");
        }
    }
}
