using DyCompile.Backends.Gpu;
using DyCompile.Compiler.Jit;
using DyCompile.IR;
using DyCompile.Runtime;
using ILGPU;
using ILGPU.Runtime.CPU;

namespace DyCompile.Gpu.Tests;

/// <summary>Calls that take and return device tensors, for callers that chain programs: one
/// program's result feeds the next with no copy through the host, results belong to the caller
/// and outlive later calls, and inputs of the wrong kind are rejected with a clear exception.</summary>
public class DeviceTensorApiTests
{
    private const string Affine = """
        program @affine(%x: tensor<f32, [1]>) -> (tensor<f32, [1]>) {
          weight @w : tensor<f32, [1]>
        ^entry(%x: tensor<f32, [1]>):
          %m = mul(%x, @w)
          %a = add(%m, %x)
          %t = tanh(%a)
          return %t
        }
        """;

    private static readonly Dictionary<string, Tensor> AffineWeights = new() { ["w"] = Tensor.FromArray([-0.75f], 1) };
    private static readonly Dictionary<string, Tensor> GrowWeights = new() { ["rate"] = Tensor.FromArray([0.5f], 1) };

    [Fact]
    public void ChainedProgramsKeepTheirTensorsOnTheDeviceAndAgreeWithTheInterpreter()
    {
        var affine = IRProgram.Parse(Affine);
        var grow = IRProgram.Parse(GpuSamplePrograms.GrowUntil);
        using var first = GpuCompile.Compile(affine, AffineWeights);
        using var second = GpuCompile.Compile(grow, GrowWeights);
        var x = Tensor.FromArray([0.3f], 1);
        using var input = GpuTensor.Upload(first.Device!, x);

        var (uploads, downloads) = (GpuTransfers.Uploads, GpuTransfers.Downloads);
        var middle = new object[1];
        first.RunOnDevice([input], middle);
        var final = new object[2];
        second.RunOnDevice([middle[0], 4f], final);
        Assert.Equal(uploads, GpuTransfers.Uploads);      // the weights went up when the programs were compiled
        Assert.Equal(downloads, GpuTransfers.Downloads);  // nothing came back between or after the programs
        Assert.IsType<GpuTensor>(middle[0]);

        using var result = Assert.IsType<GpuTensor>(final[0]);
        var host = result.Download();
        Assert.Equal(downloads + 1, GpuTransfers.Downloads);

        var interpreter = new Interpreter();
        var a = interpreter.Run(affine, [x], AffineWeights).Outputs[0];
        var expected = interpreter.Run(grow, [a, 4f], GrowWeights).Outputs;
        Close((Tensor)expected[0], host);
        Assert.Equal(expected[1], final[1]);
        Close(x, input.Download());                        // a device input is read, never written
        ((GpuTensor)middle[0]).Dispose();
    }

    [Fact]
    public void DeviceCallsAgreeWithHostCalls()
    {
        var grow = IRProgram.Parse(GpuSamplePrograms.GrowUntil);
        using var compiled = GpuCompile.Compile(grow, GrowWeights);
        var inputs = new object[] { Tensor.FromArray([0.2f], 1), 5f };
        var onHost = compiled.Run(inputs).Outputs;

        var uploads = GpuTransfers.Uploads;
        var outputs = new object[2];
        compiled.RunOnDevice(inputs, outputs);           // a host tensor input is uploaded
        Assert.Equal(uploads + 1, GpuTransfers.Uploads);
        using var result = (GpuTensor)outputs[0];
        Close((Tensor)onHost[0], result.Download());
        Assert.Equal(onHost[1], outputs[1]);
    }

    [Fact]
    public void AResultStaysValidAcrossLaterCallsAndAHandedBackResultIsReused()
    {
        var affine = IRProgram.Parse(Affine);
        using var compiled = GpuCompile.Compile(affine, AffineWeights);
        var device = compiled.Device!;
        var interpreter = new Interpreter();
        Tensor Expected(float x) => (Tensor)interpreter.Run(affine, [Tensor.FromArray([x], 1)], AffineWeights).Outputs[0];

        var kept = new object[1];
        compiled.RunOnDevice([Tensor.FromArray([0.5f], 1)], kept);
        var later = new object[1];
        compiled.RunOnDevice([Tensor.FromArray([-2f], 1)], later);
        compiled.RunOnDevice([Tensor.FromArray([1.5f], 1)], later);
        using var keptResult = (GpuTensor)kept[0];
        Close(Expected(0.5f), keptResult.Download());    // not overwritten by the calls after it

        var reused = (GpuTensor)later[0];
        var allocations = GpuTransfers.Allocations;
        compiled.RunOnDevice([Tensor.FromArray([0.25f], 1)], later);
        Assert.Same(reused, later[0]);
        Assert.Equal(allocations, GpuTransfers.Allocations);
        Close(Expected(0.25f), reused.Download());
        Assert.Same(device, reused.Device);
        reused.Dispose();

        compiled.RunOnDevice([Tensor.FromArray([0.25f], 1)], later);  // a disposed destination is replaced
        Assert.NotSame(reused, later[0]);
        ((GpuTensor)later[0]).Dispose();
    }

    [Fact]
    public void ADeviceTensorOfTheWrongShapeOrDTypeIsRejected()
    {
        using var compiled = GpuCompile.Compile(IRProgram.Parse(Affine), AffineWeights);
        using var wide = GpuTensor.Upload(compiled.Device!, Tensor.FromArray([1f, 2f], 2));
        var shape = Assert.Throws<ArgumentException>(() => compiled.RunOnDevice([wide], new object[1]));
        Assert.Contains("%x", shape.Message);
        Assert.Contains("device tensor<f32, [2]>", shape.Message);

        using var ints = GpuTensor.Upload(compiled.Device!, Tensor.FromArray([1], 1));
        var dtype = Assert.Throws<ArgumentException>(() => compiled.RunOnDevice([ints.Tensor], new object[1]));
        Assert.Contains("device tensor<i32, [1]>", dtype.Message);
    }

    [Fact]
    public void ADeviceTensorOfAnotherAcceleratorIsRejected()
    {
        using var compiled = GpuCompile.Compile(IRProgram.Parse(Affine), AffineWeights);
        using var context = Context.Create(builder => builder.CPU());
        using var other = context.CreateCPUAccelerator(0);
        using var buffer = other.Allocate1D<byte>(4);
        var foreign = new DeviceTensor(buffer.View, DType.Float32, [1]);
        var error = Assert.Throws<ArgumentException>(() => compiled.RunOnDevice([foreign], new object[1]));
        Assert.Contains("another accelerator", error.Message, StringComparison.Ordinal);
        Assert.Contains("input 0", error.Message);
    }

    [Fact]
    public void ADisposedDeviceTensorIsRejected()
    {
        using var compiled = GpuCompile.Compile(IRProgram.Parse(Affine), AffineWeights);
        var gone = GpuTensor.Upload(compiled.Device!, Tensor.FromArray([1f], 1));
        gone.Dispose();
        Assert.Throws<ObjectDisposedException>(() => compiled.RunOnDevice([gone], new object[1]));
        Assert.Throws<ObjectDisposedException>(() => gone.Download());
    }

    [Fact]
    public void AProgramForTheCpuHasNoDeviceCalls()
    {
        using var compiled = JitCompiler.Compile(IRProgram.Parse(Affine), AffineWeights, new CompileOptions());
        Assert.Null(compiled.Device);
        Assert.Throws<InvalidOperationException>(() => compiled.RunOnDevice([Tensor.FromArray([1f], 1)], new object[1]));
    }

    private static void Close(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.DType, actual.DType);
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        var (e, a) = (expected.Floats.ToArray(), actual.Floats.ToArray());
        for (var i = 0; i < e.Length; i++) Assert.True(Math.Abs(e[i] - a[i]) <= 1e-5f * Math.Max(1f, Math.Abs(e[i])), $"element {i}: {a[i]}, expected {e[i]}");
    }
}
