using DyCompile.Backends.Gpu;
using DyCompile.Compiler.Jit;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Gpu.Tests;

/// <summary>Choosing a target: the GPU targets exist, a missing device is a clear error naming the
/// target and what was found, and the dump folder holds every rendered kernel.</summary>
public class TargetTests
{
    private const string Tiny = """
        program @tiny(%x: tensor<f32, [3]>) -> (tensor<f32, [3]>) {
        ^entry(%x: tensor<f32, [3]>):
          %y = tanh(%x)
          %z = mul(%y, %x)
          %b = gt(%z, %x)
          %w = where(%b, %z, %x)
          return %w
        }
        """;

    [Fact]
    public void TheGpuTargetsAreSupported()
    {
        Assert.Contains(Target.Cuda, JitCompiler.SupportedTargets);
        Assert.Contains(Target.OpenCL, JitCompiler.SupportedTargets);
        Assert.Contains(Target.IlgpuCpu, JitCompiler.SupportedTargets);
        var e = Assert.Throws<CompilationException>(() => JitCompiler.Compile(IRProgram.Parse(Tiny), null, new CompileOptions { Target = "tpu" }));
        Assert.Contains("ilgpu-cpu", e.Message);
    }

    [Theory]
    [InlineData(Target.Cuda, "CUDA")]
    [InlineData(Target.OpenCL, "OpenCL")]
    public void AMissingDeviceNamesTheTargetAndTheDevicesFound(string target, string kind)
    {
        var found = GpuDevice.FoundDevices();
        var options = new CompileOptions { Target = target };
        if (found.Any(d => d.StartsWith(kind, StringComparison.OrdinalIgnoreCase)))
        {
            // This machine has the device: the program must compile and run there.
            using var compiled = JitCompiler.Compile(IRProgram.Parse(Tiny), null, options);
            var x = Tensor.FromArray([0.5f, -1f, 2f], 3);
            Assert.Null(Compiler.Tests.Jit.Agreement.Compare(new Interpreter().Run(compiled.Program, [x]), compiled.Run([x]), compiled.Partition));
            return;
        }
        var e = Assert.Throws<GpuDeviceNotFoundException>(() => JitCompiler.Compile(IRProgram.Parse(Tiny), null, options));
        Assert.Contains($"\"{target}\"", e.Message);
        Assert.Contains("CPU", e.Message); // ILGPU's CPU accelerator is always found
        Assert.NotEmpty(e.Found);
    }

    [Fact]
    public void TheDumpFolderHoldsEveryRenderedKernel()
    {
        var dir = Path.Combine(Path.GetTempPath(), "dycompile-gpu-dump-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var compiled = JitCompiler.Compile(IRProgram.Parse(Tiny), null, GpuCompile.Options with { DumpDirectory = dir });
            var kernels = Directory.GetFiles(dir, "tiny.kernel.*.cs");
            Assert.NotEmpty(kernels);
            Assert.Single(Directory.GetFiles(dir, "tiny.*.csharp.cs"));
            // Each kernel file is the class the program loaded (its text builds: the program ran from it).
            var x = Tensor.FromArray([0.5f, -1f, 2f], 3);
            Assert.Null(Compiler.Tests.Jit.Agreement.Compare(new Interpreter().Run(compiled.Program, [x]), compiled.Run([x]), compiled.Partition));
            foreach (var file in kernels)
                Assert.Contains(Path.GetFileNameWithoutExtension(file).Split('.')[^1], compiled.Generated.Source);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void EqualKernelsOfDifferentSegmentsAreOneClass()
    {
        const string twice = """
            program @twice(%x: tensor<f32, [4]>, %n: int) -> (tensor<f32, [4]>) {
            ^entry(%x: tensor<f32, [4]>, %n: int):
              %a = tanh(%x)
              %b = mul(%a, %x)
              %e = sigmoid(%b)
              %g0 = add(%e, %x)
              %gi = cast(%g0) {dtype = i32}
              %g = cast(%gi) {dtype = f32}
              %zero = const 0 : int
              jump ^head(%g, %zero, %n)
            ^head(%h: tensor<f32, [4]>, %i: int, %hn: int):
              %more = host.lt(%i, %hn)
              branch %more, ^body(%h, %i, %hn), ^done(%h)
            ^body(%l: tensor<f32, [4]>, %li: int, %ln: int):
              %la = tanh(%l)
              %lb = mul(%la, %l)
              %le = sigmoid(%lb)
              %lg = add(%le, %l)
              %one = const 1 : int
              %li2 = host.add(%li, %one)
              jump ^head(%lg, %li2, %ln)
            ^done(%r: tensor<f32, [4]>):
              %rs = neg(%r)
              return %rs
            }
            """;
        var program = IRProgram.Parse(twice);
        using var compiled = GpuCompile.Compile(program, null);
        var plan = GpuProgramPlan.Create(compiled.Planned);
        var launched = plan.Segments.Values.SelectMany(s => s.Steps).OfType<ElementwiseStep>().ToList();
        Assert.True(launched.Count > plan.Kernels.Count, $"{launched.Count} launches, {plan.Kernels.Count} distinct kernels\n{plan.Describe()}");
        foreach (var n in new[] { 0, 3 })
        {
            object[] inputs = [Tensor.FromArray([0.5f, -1f, 2f, 0.25f], 4), n];
            Assert.Null(Compiler.Tests.Jit.Agreement.Compare(new Interpreter().Run(program, inputs), compiled.Run(inputs), compiled.Partition));
        }
    }
}
