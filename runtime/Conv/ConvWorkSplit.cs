namespace DyCompile.Runtime;

/// <summary>How a convolution's tiles are cut into work items: chunks of tiles (as many as the
/// cache budget allows, given by the caller) times parts of the output-channel blocks.</summary>
internal static class ConvWorkSplit
{
    /// <summary>Fewest tiles per chunk that splitting for threads goes down to (a group of the
    /// blocked direct loop, whose inputs are reused from L1 by every channel block).</summary>
    private const int MinTilesPerChunk = 8;

    /// <summary>Starting from chunks of at most <paramref name="tilesPerChunk"/> tiles, with several
    /// threads splits the tiles into smaller chunks (down to <see cref="MinTilesPerChunk"/>) and, if
    /// that is not enough, the output-channel blocks into parts, until there are about three items
    /// per thread (so a core that gets descheduled on a loaded machine does not hold the whole call
    /// up). Tiles first: an item then runs every channel block on its inputs while they are hot,
    /// where a part of the channel blocks would load them again for each part (measured on the
    /// WRN-32-4 layers: 64 → 64 at 32×32 0.57 against 0.72 ms, 128 → 128 at 16×16 0.46 against
    /// 0.82 ms on two cores). The chunks are evened out (43 tiles in chunks of up to 42 are
    /// 22 + 21, not 42 + 1): items are handed out one at a time, and one item several times larger
    /// than the others leaves a core idle while the other finishes it.</summary>
    public static (int TilesPerChunk, int Chunks, int Parts) Split(int tiles, int tilesPerChunk, int channelBlocks, int threads)
    {
        var chunks = Math.Max(1, (tiles + tilesPerChunk - 1) / tilesPerChunk);
        var parts = 1;
        if (threads > 1)
        {
            var wanted = 3 * threads;
            chunks = Math.Max(chunks, Math.Min(wanted, tiles / MinTilesPerChunk));
            parts = Math.Min(channelBlocks, Math.Max(1, (wanted + chunks - 1) / chunks));
        }
        tilesPerChunk = Math.Max(1, (tiles + chunks - 1) / chunks);
        chunks = Math.Max(1, (tiles + tilesPerChunk - 1) / tilesPerChunk);
        return (tilesPerChunk, chunks, parts);
    }
}
