namespace DyCompile.Backends.Gpu;

/// <summary>One operand of a node at launch time: a device tensor, or a host int (the
/// <c>long</c> kernel parameters of the catalog, such as narrow's start).</summary>
public readonly struct GpuOperand
{
    private readonly DeviceTensor? _tensor;

    private GpuOperand(DeviceTensor? tensor, long hostInt)
    {
        _tensor = tensor;
        HostIntValue = hostInt;
    }

    public static GpuOperand Of(DeviceTensor tensor) => new(tensor ?? throw new ArgumentNullException(nameof(tensor)), 0);

    public static GpuOperand HostInt(long value) => new(null, value);

    public static implicit operator GpuOperand(DeviceTensor tensor) => Of(tensor);

    public bool IsTensor => _tensor is not null;

    public DeviceTensor Tensor => _tensor ?? throw new InvalidOperationException("this operand is a host int, not a tensor");

    public long HostIntValue { get; }

    public override string ToString() => _tensor?.ToString() ?? $"host int {HostIntValue}";
}
