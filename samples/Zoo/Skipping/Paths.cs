using DyCompile.Runtime;

namespace DyCompile.Zoo.Skipping;

internal static class Paths
{
    /// <summary>"blocks 0 1 4 …": the indices of the blocks that ran, from a mask of any dtype
    /// (non-zero: ran) whose elements are the blocks in order.</summary>
    public static string Blocks(Tensor executed) =>
        "blocks " + string.Join(' ', Enumerable.Range(0, executed.Length).Where(i => executed.GetAsDouble(i) != 0));
}
