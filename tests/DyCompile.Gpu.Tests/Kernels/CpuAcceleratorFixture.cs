using System.Runtime.InteropServices;
using DyCompile.Backends.Gpu;
using DyCompile.Backends.Gpu.Kernels;
using DyCompile.IR;
using DyCompile.Runtime;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;

namespace DyCompile.Gpu.Tests.Kernels;

/// <summary>ILGPU's CPU accelerator (256 threads a group, 32 lanes a warp) with the op-kernel
/// library loaded on it, and a way to run one op on it next to its eager kernel.</summary>
public sealed class CpuAcceleratorFixture : IDisposable
{
    public CpuAcceleratorFixture()
    {
        Context = Context.Create(builder => builder.CPU(KernelGroups.CpuDevice()).EnableAlgorithms());
        Accelerator = Context.CreateCPUAccelerator(0);
        Library = new GpuKernelLibrary(Accelerator);
    }

    public Context Context { get; }

    public Accelerator Accelerator { get; }

    public GpuKernelLibrary Library { get; }

    /// <summary>Runs <paramref name="op"/> eagerly and on the accelerator (operands are tensors, or
    /// a long for a host int); returns both result lists.</summary>
    public (IReadOnlyList<Tensor> Eager, IReadOnlyList<Tensor> Device) Run(string op, Attrs attrs, params object[] operands)
    {
        KernelRegistry.TryGet(op, out var binding).ShouldBeTrue(op);
        var eager = binding.Invoke(operands, attrs).Cast<Tensor>().ToArray();
        var values = operands.Select((o, i) => new Value($"v{i}", o is Tensor t ? new TensorType(t.DType, t.ShapeArray()) : IRType.Int, ValueKind.Parameter)).ToArray();
        var resultValues = eager.Select((t, i) => new Value($"r{i}", new TensorType(t.DType, t.ShapeArray()), ValueKind.Result)).ToArray();
        var node = new Node(op, values, attrs, resultValues);

        var buffers = new List<MemoryBuffer1D<byte, Stride1D.Dense>>();
        DeviceTensor Allocate(DType dtype, int[] shape, ReadOnlySpan<byte> bytes)
        {
            var buffer = Accelerator.Allocate1D<byte>(Math.Max(1, bytes.Length));
            if (bytes.Length > 0) buffer.View.SubView(0, bytes.Length).CopyFromCPU(bytes.ToArray());
            buffers.Add(buffer);
            return new DeviceTensor(buffer.View, dtype, shape);
        }
        try
        {
            var deviceOperands = operands.Select(o => o is Tensor t
                ? GpuOperand.Of(Allocate(t.DType, t.ShapeArray(), t.AsBytes()))
                : GpuOperand.HostInt(Convert.ToInt64(o, System.Globalization.CultureInfo.InvariantCulture))).ToArray();
            // Results start as garbage so a kernel that skips an element is caught.
            var deviceResults = eager.Select(t => Allocate(t.DType, t.ShapeArray(), Garbage(t.AsBytes().Length))).ToArray();
            var stream = Accelerator.DefaultStream;
            Library.Launch(stream, node, deviceOperands, deviceResults);
            stream.Synchronize();
            var device = deviceResults.Select(r =>
            {
                var bytes = new byte[r.Bytes.Length];
                if (bytes.Length > 0) r.Bytes.CopyToCPU(bytes);
                return Tensor.FromBytes(r.DType, [.. r.Shape], bytes);
            }).ToArray();
            return (eager, device);
        }
        finally
        {
            foreach (var b in buffers) b.Dispose();
        }
    }

    private static byte[] Garbage(int length)
    {
        var bytes = new byte[length];
        // 0x7F bytes read as a large float, a large int and "true": never a plausible result.
        Array.Fill(bytes, (byte)0x7F);
        return bytes;
    }

    public void Dispose()
    {
        Library.Dispose();
        Accelerator.Dispose();
        Context.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class CpuAcceleratorCollection : ICollectionFixture<CpuAcceleratorFixture>
{
    public const string Name = "ILGPU CPU accelerator";
}

internal static class AssertExtensions
{
    public static void ShouldBeTrue(this bool value, string what) => Assert.True(value, what);
}
