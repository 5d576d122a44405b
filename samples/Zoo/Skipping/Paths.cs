namespace DyCompile.Zoo.Skipping;

internal static class Paths
{
    /// <summary>"blocks 0 1 4 …": the indices of the blocks that ran.</summary>
    public static string Blocks(bool[] executed) =>
        "blocks " + string.Join(' ', Enumerable.Range(0, executed.Length).Where(i => executed[i]));
}
