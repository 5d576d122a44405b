namespace DyCompile.Passes.Partition;

/// <summary>Knobs of the partition pass.</summary>
public sealed record PartitionOptions
{
    /// <summary>If-conversion runs both sides of a branch unconditionally, so each side may cost
    /// at most this many estimated operations (catalog cost rules, dynamic dimensions counted as 1).
    /// The default admits a few elementwise ops on tensors of a few hundred elements: cheaper than a
    /// host round trip for the branch scalar.</summary>
    public long IfConversionFlopBudget { get; init; } = 4096;

    /// <summary>Turn if-conversion off (every branch stays a host decision).</summary>
    public bool IfConversion { get; init; } = true;
}
