using System.Reflection;
using System.Text.Json;
using DyCompile;
using DyCompile.Compiler.Jit;
using DyCompile.Runtime;
using DyCompile.Zoo;

namespace DyCompile.DeviceCheck;

/// <summary>What the check measured for one zoo model. Latencies in milliseconds; null when not
/// measured (with the reason in <see cref="Notes"/>).</summary>
internal sealed class ZooResult(ZooCase c)
{
    public ZooCase Case { get; } = c;
    public int Inputs { get; set; }
    public int Matching { get; set; }
    public string? Failure { get; set; }
    public double? EagerCpuBatch1 { get; set; }
    public double? CompiledBatch1 { get; set; }
    public double? EagerCpuBatch16 { get; set; }
    public double? CompiledBatch16 { get; set; }
    public List<string> Notes { get; } = [];
    public bool Equivalent => Failure is null && Inputs > 0 && Matching == Inputs;
}

/// <summary>Each zoo model compiled for the device ≡ its eager C# forward on the CPU, on inputs
/// that take different paths; then batch-1 and batch-16 latency of both.</summary>
internal static class ZooCheck
{
    private const int InputCount = 4;

    /// <summary>The inputs of a case: batch-1 draws (different paths first) and one batch of 16.</summary>
    public static (Tensor[] Batch1, Tensor Batch16) Inputs(ZooModel model)
    {
        var random = new Random(1);
        var chosen = new List<(Tensor Input, string Path)>();
        var rest = new List<Tensor>();
        for (var draw = 0; draw < 3 * InputCount && chosen.Count < InputCount; draw++)
        {
            var input = model.SampleInput(random);
            var path = model.Run(input).Path;
            if (chosen.All(p => p.Path != path)) chosen.Add((input, path));
            else rest.Add(input);
        }
        var batch1 = chosen.Select(p => p.Input).Concat(rest).Take(InputCount).ToArray();
        var batch16 = TensorOps.Concat([.. Enumerable.Range(0, 16).Select(_ => model.SampleInput(random))], 0);
        return (batch1, batch16);
    }

    public static ZooResult Run(ZooCase c, string target, bool measure)
    {
        var result = new ZooResult(c);
        var model = c.Create();
        var forward = model.GetType().GetMethod("Forward", [typeof(Tensor)])!;
        var (batch1, batch16) = Inputs(model);
        object? Eager(Tensor x) => forward.Invoke(model, BindingFlags.DoNotWrapExceptions, null, [x], null);
        var options = new DyCompilerOptions { Jit = new CompileOptions { Target = target, RecordPath = false } };

        CompiledProgram? compiled;
        try
        {
            var compilation = DyCompiler.Compile(model, ModelLowering.TypesOf([batch1[0]]), options);
            compiled = compilation.Program;
            if (compiled is null)
            {
                result.Failure = "does not lower: " + string.Join("; ", compilation.Diagnostics.Where(d => d.IsError).Select(d => $"{d.Id} {d.Message}"));
                return result;
            }
        }
        catch (Exception e)
        {
            result.Failure = $"does not compile for {target}: {e.GetType().Name}: {e.Message}";
            return result;
        }

        using (compiled)
        {
            foreach (var x in batch1)
            {
                result.Inputs++;
                try
                {
                    var difference = Outputs.Difference(Outputs.Flatten(Eager(x)), Outputs.Flatten(compiled.Run([x]).Outputs));
                    if (difference is null) result.Matching++;
                    else result.Notes.Add($"input {result.Inputs}: {difference}");
                }
                catch (Exception e)
                {
                    result.Notes.Add($"input {result.Inputs}: {e.GetType().Name}: {e.Message}");
                }
            }
            if (!measure || !result.Equivalent) return result;
            result.EagerCpuBatch1 = Latency.MedianMilliseconds(() => Eager(batch1[0]), 2, 10);
            result.CompiledBatch1 = Latency.MedianMilliseconds(() => compiled.Run([batch1[0]]), 3, 20);
        }

        try
        {
            Eager(batch16);
        }
        catch (Exception e)
        {
            result.Notes.Add($"batch 16: the model runs one sample at a time ({e.GetType().Name})");
            return result;
        }
        try
        {
            using var compiled16 = DyCompiler.Compile(model, ModelLowering.TypesOf([batch16]), options).Program
                ?? throw new InvalidOperationException("batch 16 does not lower");
            var difference = Outputs.Difference(Outputs.Flatten(Eager(batch16)), Outputs.Flatten(compiled16.Run([batch16]).Outputs));
            if (difference is not null)
            {
                result.Notes.Add($"batch 16: {difference}");
                return result;
            }
            result.EagerCpuBatch16 = Latency.MedianMilliseconds(() => Eager(batch16), 1, 5);
            result.CompiledBatch16 = Latency.MedianMilliseconds(() => compiled16.Run([batch16]), 2, 10);
        }
        catch (Exception e)
        {
            result.Notes.Add($"batch 16: {e.GetType().Name}: {e.Message}");
        }
        return result;
    }

    /// <summary>Writes what torch_zoo.py reads for each model it rebuilds: the state dict
    /// (<c>KEY.safetensors</c>), the inputs and the eager outputs (<c>KEY.inputs.safetensors</c>:
    /// b1_0…, b16, and their first output as b1_0.out…) and the configuration (<c>KEY.json</c>).</summary>
    public static void Export(IEnumerable<ZooCase> cases, string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (var c in cases.Where(c => c.TorchConfig is not null))
        {
            var model = c.Create();
            var forward = model.GetType().GetMethod("Forward", [typeof(Tensor)])!;
            SafeTensors.Save(Path.Combine(directory, c.Key + ".safetensors"), model.SaveStateDict());
            var (batch1, batch16) = Inputs(model);
            var tensors = new Dictionary<string, Tensor>();
            var paths = new Dictionary<string, string>();
            void Add(string name, Tensor x)
            {
                tensors[name] = x;
                try
                {
                    var output = forward.Invoke(model, BindingFlags.DoNotWrapExceptions, null, [x], null);
                    if (output is System.Runtime.CompilerServices.ITuple { Length: > 0 } t && t[0] is Tensor first) tensors[name + ".out"] = first;
                    paths[name] = model.Run(x).Path;
                }
                catch (Exception e) when (name == "b16")
                {
                    paths[name] = $"batch-1 model ({e.GetType().Name})";
                }
            }
            for (var i = 0; i < batch1.Length; i++) Add($"b1_{i}", batch1[i]);
            Add("b16", batch16);
            SafeTensors.Save(Path.Combine(directory, c.Key + ".inputs.safetensors"), tensors);
            var config = new Dictionary<string, object>(c.TorchConfig!) { ["paths"] = paths };
            File.WriteAllText(Path.Combine(directory, c.Key + ".json"), JsonSerializer.Serialize(config, new JsonSerializerOptions { WriteIndented = true }));
        }
    }
}
