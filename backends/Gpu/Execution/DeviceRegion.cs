namespace DyCompile.Backends.Gpu;

/// <summary>Which bytes of which device allocation a tensor's storage is: the host program keeps
/// one for every tensor it places (views inherit their operand's), to choose output buffers that
/// no live tensor uses.</summary>
internal sealed record DeviceRegion(object Allocation, long Offset, long Bytes)
{
    public bool Overlaps(DeviceRegion other) =>
        ReferenceEquals(Allocation, other.Allocation) && Bytes > 0 && other.Bytes > 0
        && Offset < other.Offset + other.Bytes && other.Offset < Offset + Bytes;
}
