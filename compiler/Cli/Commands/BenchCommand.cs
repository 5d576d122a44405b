using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using DyCompile.Cli.Models;
using DyCompile.Compiler.Jit;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Cli.Commands;

/// <summary><c>dycompile bench</c>: each model run eagerly against its compiled form on one random
/// input: whether they agree, and the median time per call of both, measured in alternating rounds
/// so that load on the machine falls on both alike. The eager call goes through reflection (a
/// fraction of a microsecond, small beside a model's work).</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var options = new CommandOptions();
        var batch = new Option<int>("--batch") { Description = "The size of every '?' dimension of the inputs", DefaultValueFactory = _ => 1 };
        var values = new Option<string[]>("--values")
        {
            Description = "Values of the host scalar parameters, in order (default: int 1, float 0.5, bool false)",
            AllowMultipleArgumentsPerToken = true,
        };
        var calls = new Option<int>("--calls") { Description = "Timed calls of each side", DefaultValueFactory = _ => 200 };
        var command = new Command("bench", "Time a model run eagerly against its compiled form on random inputs");
        options.AddTo(command);
        command.Options.Add(batch);
        command.Options.Add(values);
        command.Options.Add(calls);
        command.SetAction(parse =>
        {
            var progress = options.Progress(parse);
            return CommandRunner.Run(progress, diagnostics =>
            {
                var models = ModelPipeline.Lower(parse.GetValue(options.Input)!, options.Request(parse), progress, diagnostics);
                foreach (var model in models)
                {
                    var program = model.Lowering.Program!;
                    var inputs = Inputs(program, parse.GetValue(batch), parse.GetValue(values) ?? [], model.Spec);
                    progress.Report($"compiling {model.Spec.FullName}");
                    var compiled = JitCompiler.Compile(program, model.Lowering.Weights, new CompileOptions { RecordPath = false }, model.Lowering.Callbacks);
                    var method = model.Spec.Type.GetMethod(model.Spec.Method, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)!;
                    var outputs = new object[program.ResultTypes.Length];
                    object? Eager() => method.Invoke(model.Instance, inputs);
                    void Compiled() => compiled.RunInto(inputs, outputs);

                    Compiled();
                    var agreement = Compare(Eager(), outputs);
                    progress.Report($"timing {model.Spec.FullName}");
                    var count = Math.Max(10, parse.GetValue(calls));
                    var (eagerTimes, compiledTimes) = (new List<double>(), new List<double>());
                    for (var i = 0; i < 20; i++) { Eager(); Compiled(); }
                    for (var round = 0; round < 10; round++)
                    {
                        Time(() => Eager(), count / 10, eagerTimes);
                        Time(Compiled, count / 10, compiledTimes);
                    }
                    progress.Done();
                    var (eagerUs, compiledUs) = (Median(eagerTimes), Median(compiledTimes));
                    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{model.Spec.FullName}.{model.Spec.Method}({string.Join(", ", inputs.Select(Describe))}): {agreement}; median of {eagerTimes.Count} calls: eager {eagerUs:F1} us, compiled {compiledUs:F1} us, eager/compiled {eagerUs / compiledUs:F2}x"));
                }
            });
        });
        return command;
    }

    private static object[] Inputs(IRProgram program, int batch, string[] values, ModelSpec spec)
    {
        var rng = new Random(1);
        var scalar = 0;
        return [.. program.Inputs.Select(input => input.Type switch
        {
            TensorType t => RandomTensor(rng, t, batch),
            ScalarType s => Scalar(s, scalar < values.Length ? values[scalar++] : null, spec),
            _ => throw new CliException(spec.Class.File, $"no random value for input %{input.Name} : {input.Type}"),
        })];
    }

    private static Tensor RandomTensor(Random rng, TensorType type, int batch)
    {
        var shape = type.Shape.Select(d => d == TensorType.Dynamic ? batch : d).ToArray();
        var tensor = Tensor.Zeros(type.DType, shape);
        if (type.DType == DType.Float32)
            for (var i = 0; i < tensor.Floats.Length; i++) tensor.Floats[i] = (float)(rng.NextDouble() * 2 - 1);
        return tensor;
    }

    private static object Scalar(ScalarType type, string? text, ModelSpec spec)
    {
        var invariant = CultureInfo.InvariantCulture;
        try
        {
            return type.Kind switch
            {
                ScalarKind.Int => text is null ? 1 : int.Parse(text, invariant),
                ScalarKind.Float => text is null ? 0.5f : float.Parse(text, invariant),
                _ => text is not null && bool.Parse(text),
            };
        }
        catch (FormatException)
        {
            throw new CliException(spec.Class.File, $"--values: '{text}' is not a {type}");
        }
    }

    private static string Compare(object? eager, object[] compiled)
    {
        var expected = eager is System.Runtime.CompilerServices.ITuple tuple ? Enumerable.Range(0, tuple.Length).Select(i => tuple[i]).ToArray() : [eager];
        var worst = 0f;
        for (var i = 0; i < expected.Length; i++)
        {
            if (expected[i] is Tensor a && compiled[i] is Tensor b && a.Shape.SequenceEqual(b.Shape))
                for (var k = 0; k < a.Floats.Length; k++) worst = Math.Max(worst, Math.Abs(a.Floats[k] - b.Floats[k]));
            else if (!Equals(expected[i], compiled[i])) return $"DISAGREE on result {i} ({Describe(expected[i])} eager, {Describe(compiled[i])} compiled)";
        }
        return string.Create(CultureInfo.InvariantCulture, $"agree (max difference {worst:g3})");
    }

    private static string Describe(object? value) => value switch
    {
        Tensor t => $"{t.DType.ShortName()}{Shapes.Format(t.Shape)}",
        float f => f.ToString(CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? "null",
    };

    private static void Time(Action call, int count, List<double> microseconds)
    {
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            call();
            microseconds.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
