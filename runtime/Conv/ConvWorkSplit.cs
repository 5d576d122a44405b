namespace DyCompile.Runtime;

/// <summary>How a convolution's tiles are cut into work items: chunks of tiles (as many as the
/// cache budget allows, given by the caller) times parts of the output-channel blocks.</summary>
internal static class ConvWorkSplit
{
    /// <summary>Starting from chunks of at most <paramref name="tilesPerChunk"/> tiles, with several
    /// threads splits the output-channel blocks into parts and, if that is not enough, the tiles
    /// into smaller chunks, until there are about three items per thread (so a core that gets
    /// descheduled on a loaded machine does not hold the whole call up). The chunks are evened out
    /// (43 tiles in chunks of up to 42 are 22 + 21, not 42 + 1): items are handed out one at a
    /// time, and one item several times larger than the others leaves a core idle while the
    /// other finishes it.</summary>
    public static (int TilesPerChunk, int Chunks, int Parts) Split(int tiles, int tilesPerChunk, int channelBlocks, int threads)
    {
        var chunks = Math.Max(1, (tiles + tilesPerChunk - 1) / tilesPerChunk);
        var parts = 1;
        if (threads > 1)
        {
            var wanted = 3 * threads;
            parts = Math.Min(channelBlocks, Math.Max(1, (wanted + chunks - 1) / chunks));
            if (chunks * parts < wanted) chunks = Math.Min(tiles, (wanted + parts - 1) / parts);
        }
        tilesPerChunk = Math.Max(1, (tiles + chunks - 1) / chunks);
        chunks = Math.Max(1, (tiles + tilesPerChunk - 1) / tilesPerChunk);
        return (tilesPerChunk, chunks, parts);
    }
}
