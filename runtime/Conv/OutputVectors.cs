using System.Runtime.CompilerServices;

namespace DyCompile.Runtime;

/// <summary>The output plane cut into vectors of up to 8 (or 16) pixels of one row, listed row by row,
/// with, per vector, where it reads in the <see cref="PhaseImage"/>, where it writes in the
/// output plane, and how many lanes it stores. Kernels take the vectors in groups (tiles); a
/// group may span rows, so narrow planes (8×8, 7×7) still fill every register of a tile. The list is
/// rounded up to whole groups with filler vectors that read where vector 0 reads and store nothing.</summary>
internal static class OutputVectors
{
    public const int Lanes = 8;

    /// <summary>Fills <paramref name="table"/> (grown as needed) with three runs of
    /// <c>slots</c> ints — read bases, output offsets, lane counts — and returns slots, the vector
    /// count rounded up to a multiple of <paramref name="group"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Build(in PhaseImage layout, ConvGeometry g, int group, ref int[]? table) =>
        Build(layout, g, group, Lanes, ref table);

    /// <summary><see cref="Build(in PhaseImage, ConvGeometry, int, ref int[])"/> with vectors of
    /// <paramref name="lanes"/> pixels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Build(in PhaseImage layout, ConvGeometry g, int group, int lanes, ref int[]? table)
    {
        var perRow = (g.OutWidth + lanes - 1) / lanes;
        var vectors = g.OutHeight * perRow;
        var slots = (vectors + group - 1) / group * group;
        if (table == null || table.Length < 3 * slots) table = new int[Math.Max(3 * slots, (table?.Length ?? 0) * 3 / 2)];
        for (var v = 0; v < slots; v++)
        {
            var (y, x) = v < vectors ? (v / perRow, v % perRow * lanes) : (0, 0);
            table[v] = layout.OutputBase(y, x);
            table[slots + v] = y * g.OutWidth + x;
            table[2 * slots + v] = v < vectors ? Math.Min(lanes, g.OutWidth - x) : 0;
        }
        return slots;
    }
}
