using DyCompile.Compiler;
using DyCompile.Runtime.Nn;

namespace DyCompile.Cli.Models;

/// <summary>The front half every model command shares: load the input, find its models, make an
/// instance of each and lower its forward method. Every problem becomes a diagnostic.</summary>
public static class ModelPipeline
{
    public static IReadOnlyList<LoweredModel> Lower(string input, ModelRequest request, Progress progress, List<Diagnostic> diagnostics)
    {
        progress.Report($"loading {Path.GetFileName(input)}");
        var assembly = ModelAssembly.Load(input, request, progress);
        var specs = assembly.Models(request, diagnostics);
        if (specs.Count == 0 && diagnostics.Count == 0 && request.Names.Count == 0)
            progress.Report($"{Path.GetFileName(input)} has no [DyCompile] class");
        var lowered = new List<LoweredModel>();
        foreach (var spec in specs)
        {
            progress.Report($"lowering {spec.FullName}.{spec.Method}");
            if (ModelAssembly.Instantiate(spec, diagnostics) is not { } instance) continue;
            if (instance is not Module module)
            {
                diagnostics.Add(spec.Error(DiagnosticIds.NotAModel, $"'{spec.Type.Name}' does not derive from DyCompile.Runtime.Nn.Module; a model is a Module subclass marked [DyCompile]", atAttribute: false));
                continue;
            }
            var result = ModelLowering.Lower(assembly.Source, spec.FullName, spec.Method, module,
                new LoweringOptions { InputTypes = spec.InputTypes, Strict = spec.Strict, FileName = spec.Class.File });
            diagnostics.AddRange(result.Diagnostics);
            if (result.Succeeded) lowered.Add(new LoweredModel(spec, module, result));
        }
        return lowered;
    }
}
