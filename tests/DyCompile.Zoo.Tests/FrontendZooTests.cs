using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using DyCompile.Backends.Host;
using DyCompile.Backends.Onnx;
using DyCompile.Compiler.Jit;
using DyCompile.Passes.Partition;
using DyCompile.Passes.Pipeline;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using DyCompile.Compiler;
using DyCompile.IR;
using DyCompile.Runtime;
using DyCompile.Zoo.EarlyExit;
using DyCompile.Zoo.Sequence;
using DyCompile.Zoo.Skipping;
using Microsoft.ML.OnnxRuntime;
using TensorElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;
using Xunit.Abstractions;

namespace DyCompile.Zoo.Tests;

/// <summary>Every zoo model lowered by the C# frontend (strict) from its own source, then run four
/// ways on inputs that take different paths: the C# forward pass eagerly (the reference), the
/// lowered program in the interpreter, its ONNX export in ONNX Runtime, and the program compiled
/// by <see cref="DyCompiler"/>. The values that state the path (exit indices, executed-block masks,
/// routes, token ids) must agree exactly, the f32 outputs within a tolerance.</summary>
public class FrontendZooTests(ITestOutputHelper output)
{
    private const int InputCount = 10;

    /// <summary>Same kernels, same order of operations: only fused or re-expanded composites
    /// (the LSTM cell) may round differently.</summary>
    private const double InterpreterTolerance = 1e-5;

    private const double OnnxTolerance = 1e-3;

    private const double CompiledTolerance = 1e-4;

    private static readonly ConcurrentDictionary<string, Lazy<Case>> _cases = new();

    /// <summary>Every zoo model, shallower or thinner than in <see cref="TestModels"/> where that
    /// keeps the generated programs (one copy of an unrolled block per block) quick to compile;
    /// each structure stays exact.</summary>
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
    public void LoweredProgramAgreesWithTheEagerForwardInTheInterpreter(string name)
    {
        var c = Lowered(name);
        var interpreter = new Interpreter(new InterpreterOptions { Callbacks = c.Lowering.Callbacks });
        for (var i = 0; i < c.Inputs.Count; i++)
        {
            var run = interpreter.Run(c.Program, [c.Inputs[i]], c.Lowering.Weights);
            AssertSame(c.Eager[i], [.. run.Outputs.Select(Observed.Of)], InterpreterTolerance, $"{name}, input {i} ({c.Paths[i]}), interpreter");
        }
        foreach (var group in c.Paths.GroupBy(p => p)) output.WriteLine($"{group.Count()} × {group.Key}");
        Assert.True(c.Paths.Distinct().Count() >= 2, $"{name} took one path on every input: {c.Paths[0]}");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void OnnxExportAgreesWithTheEagerForwardInOnnxRuntime(string name)
    {
        var c = Lowered(name);
        using var session = new InferenceSession(OnnxExporter.ExportBytes(c.Program, c.Lowering.Weights, c.Lowering.Callbacks));
        var outputNames = session.OutputNames.ToArray();
        Assert.Equal(c.Program.ResultTypes.Length, outputNames.Length);
        for (var i = 0; i < c.Inputs.Count; i++)
        {
            using var input = OrtInput(c.Inputs[i]);
            using var options = new RunOptions();
            using var results = session.Run(options, [session.InputNames[0]], [input], outputNames);
            var actual = results.Select((r, k) => Observed.Of(r, c.Program.ResultTypes[k])).ToList();
            AssertSame(c.Eager[i], actual, OnnxTolerance, $"{name}, input {i} ({c.Paths[i]}), ONNX Runtime");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void CompiledModelAgreesWithTheEagerForward(string name)
    {
        var c = Lowered(name);
        var compiled = DyCompiler.Compile(c.Model, ZooSource.Compilation, ModelLowering.TypesOf([c.Inputs[0]]),
            new DyCompilerOptions { Lowering = new LoweringOptions { Strict = true } });
        Assert.True(compiled.Succeeded, string.Join("\n", compiled.Diagnostics));
        for (var i = 0; i < c.Inputs.Count; i++)
        {
            var run = compiled.Program!.Run([c.Inputs[i]]);
            AssertSame(c.Eager[i], [.. run.Outputs.Select(Observed.Of)], CompiledTolerance, $"{name}, input {i} ({c.Paths[i]}), compiled");
        }
    }

    /// <summary>The C# generated for the model builds against the framework and DyCompile.Runtime
    /// alone, and the assembly it builds references nothing else: a NativeAOT app runs compiled
    /// models with no compiler, IR or backend assembly on board.</summary>
    [Theory]
    [MemberData(nameof(Names))]
    public void GeneratedCodeBuildsAgainstTheRuntimeAlone(string name)
    {
        var c = Lowered(name);
        var (_, generated) = PassPipeline.Compile(c.Program, new PartitionOptions(), new CSharpCodeGenerator("DyCompile.Generated.RuntimeOnly"));
        var compilation = CSharpCompilation.Create($"RuntimeOnly_{name}",
            [CSharpSyntaxTree.ParseText(ProgramGenerator.Usings + generated.Source, new CSharpParseOptions(LanguageVersion.Latest))],
            MetadataReferences.ForGeneratedCode(typeof(Tensor).Assembly),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Disable));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).Take(10)));
        image.Position = 0;
        using var pe = new PEReader(image);
        var metadata = pe.GetMetadataReader();
        var references = metadata.AssemblyReferences.Select(h => metadata.GetString(metadata.GetAssemblyReference(h).Name)).ToList();
        Assert.Contains("DyCompile.Runtime", references);
        Assert.All(references, r => Assert.True(r == "DyCompile.Runtime" || r.StartsWith("System.", StringComparison.Ordinal) || r is "System" or "netstandard",
            $"the generated code of {name} references {r}"));
    }

    /// <summary>The model, its inputs and eager results, and its lowering (which must succeed).</summary>
    private static Case Lowered(string name)
    {
        var c = _cases.GetOrAdd(name, n => new Lazy<Case>(() => Case.Create(n))).Value;
        Assert.True(c.Lowering.Succeeded, $"{name} does not lower:\n{string.Join("\n", c.Lowering.Diagnostics)}");
        return c;
    }

    private static OrtValue OrtInput(Tensor x)
    {
        var shape = x.ShapeArray().Select(d => (long)d).ToArray();
        return x.DType switch
        {
            DType.Float32 => OrtValue.CreateTensorValueFromMemory(x.Floats.ToArray(), shape),
            DType.Int64 => OrtValue.CreateTensorValueFromMemory(x.Longs.ToArray(), shape),
            _ => throw new NotSupportedException($"zoo input of dtype {x.DType}"),
        };
    }

    private static void AssertSame(IReadOnlyList<Observed> expected, IReadOnlyList<Observed> actual, double tolerance, string where)
    {
        Assert.True(expected.Count == actual.Count, $"{where}: {actual.Count} results, {expected.Count} eagerly");
        for (var k = 0; k < expected.Count; k++)
        {
            var (e, a) = (expected[k], actual[k]);
            Assert.True(e.Kind == a.Kind && e.Shape.SequenceEqual(a.Shape),
                $"{where}, result {k}: {a.Kind} {Shapes.Format(a.Shape)}, eagerly {e.Kind} {Shapes.Format(e.Shape)} ({a.Describe()} vs {e.Describe()})");
            for (var j = 0; j < e.Values.Length; j++)
            {
                var close = e.IsFloat
                    ? Math.Abs(e.Values[j] - a.Values[j]) <= tolerance * (1 + Math.Abs(e.Values[j]))
                    : e.Values[j] == a.Values[j];
                Assert.True(close, $"{where}, result {k} [{j}]: {a.Values[j]}, eagerly {e.Values[j]} ({a.Describe()} vs {e.Describe()})");
            }
        }
    }

    private sealed record Case(ZooModel Model, LoweringResult Lowering, IReadOnlyList<Tensor> Inputs, IReadOnlyList<IReadOnlyList<Observed>> Eager, IReadOnlyList<string> Paths)
    {
        public IRProgram Program => Lowering.Program!;

        public static Case Create(string name)
        {
            var model = _models[name]();
            var random = new Random(42);
            var inputs = Enumerable.Range(0, InputCount).Select(_ => model.SampleInput(random)).ToList();
            var forward = model.GetType().GetMethod("Forward", [typeof(Tensor)])!;
            var eager = inputs.Select(x => Flatten(forward.Invoke(model, [x])!).Select(Observed.Of).ToList()).ToList<IReadOnlyList<Observed>>();
            var paths = inputs.Select(x => model.Run(x).Path).ToList();
            var lowering = ModelLowering.Lower(ZooSource.Compilation, model.GetType().FullName!, "Forward", model,
                new LoweringOptions { InputTypes = ModelLowering.TypesOf([inputs[0]]), Strict = true });
            return new Case(model, lowering, inputs, eager, paths);
        }

        private static IEnumerable<object> Flatten(object result) =>
            result is ITuple tuple ? Enumerable.Range(0, tuple.Length).Select(i => tuple[i]!) : [result];
    }

    /// <summary>A result reduced to what the comparison needs: its kind (a dtype or a host scalar
    /// type), shape and values.</summary>
    private sealed record Observed(string Kind, int[] Shape, double[] Values)
    {
        public bool IsFloat => Kind is "f32" or "float";

        public static Observed Of(object value) => value switch
        {
            Tensor t => new(t.DType.ShortName(), t.ShapeArray(), [.. Enumerable.Range(0, t.Length).Select(t.GetAsDouble)]),
            int i => new("int", [], [i]),
            float f => new("float", [], [f]),
            bool b => new("bool", [], [b ? 1 : 0]),
            _ => throw new NotSupportedException($"result of type {value.GetType().Name}"),
        };

        public static Observed Of(OrtValue value, IRType type)
        {
            var info = value.GetTensorTypeAndShape();
            var shape = info.Shape.Select(d => (int)d).ToArray();
            double[] values = info.ElementDataType switch
            {
                TensorElementType.Float => [.. value.GetTensorDataAsSpan<float>().ToArray().Select(v => (double)v)],
                TensorElementType.Int64 => [.. value.GetTensorDataAsSpan<long>().ToArray().Select(v => (double)v)],
                TensorElementType.Int32 => [.. value.GetTensorDataAsSpan<int>().ToArray().Select(v => (double)v)],
                TensorElementType.Bool => [.. value.GetTensorDataAsSpan<bool>().ToArray().Select(v => v ? 1.0 : 0.0)],
                var other => throw new NotSupportedException($"ONNX Runtime result of type {other}"),
            };
            return type switch
            {
                ScalarType { Kind: ScalarKind.Int } => new("int", [], values),
                ScalarType { Kind: ScalarKind.Float } => new("float", [], values),
                ScalarType { Kind: ScalarKind.Bool } => new("bool", [], values),
                _ => new(OrtKind(info.ElementDataType), shape, values),
            };
        }

        private static string OrtKind(TensorElementType type) => type switch
        {
            TensorElementType.Float => DType.Float32.ShortName(),
            TensorElementType.Int64 => DType.Int64.ShortName(),
            TensorElementType.Int32 => DType.Int32.ShortName(),
            TensorElementType.Bool => DType.Bool.ShortName(),
            _ => type.ToString(),
        };

        public string Describe() =>
            Values.Length <= 16 ? $"[{string.Join(", ", Values)}]" : $"[{string.Join(", ", Values.Take(16))}, …]";
    }
}
