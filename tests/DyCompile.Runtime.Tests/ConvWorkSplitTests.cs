using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DyCompile.Runtime.Tests;

/// <summary>How a convolution's tiles and channel blocks are cut into work items.</summary>
public class ConvWorkSplitTests
{
    /// <summary>The chunks cover every tile once, no chunk is above the cache budget the caller
    /// gave, there are as many parts as channel blocks at most, and the chunks are even: the last is
    /// no smaller than the others by more than one tile per chunk (items are handed out one at a
    /// time, and a 42 + 1 split leaves a core idle while the other runs the 42).</summary>
    [Property(MaxTest = 300)]
    public Property ChunksCoverTheTilesEvenly() =>
        Prop.ForAll(
            Gen.Choose(1, 3000).ToArbitrary(),
            Gen.Choose(1, 400).ToArbitrary(),
            Gen.Choose(1, 4).Two().ToArbitrary(), // a channel-block seed, threads
            (tiles, budget, rest) =>
            {
                var (blockSeed, threads) = rest;
                var blocks = blockSeed * 7;
                var tilesPerChunk = Math.Min(budget, tiles);
                var (size, chunks, parts) = ConvWorkSplit.Split(tiles, tilesPerChunk, blocks, threads);
                var last = tiles - (chunks - 1) * size;
                return (size <= tilesPerChunk && last >= 1 && last <= size && last >= size - chunks
                        && parts >= 1 && parts <= blocks && (threads > 1 || parts == 1))
                    .Label($"tiles {tiles}, budget {tilesPerChunk}, blocks {blocks}, threads {threads}: {chunks} chunks of {size} (last {last}), {parts} parts");
            });

    [Fact]
    public void TwoThreadsGetSeveralItemsOfEvenSize()
    {
        // WRN-32-4's 64 → 64 layer at 32×32: 43 tiles whose slab fits in one chunk of 42.
        var (size, chunks, parts) = ConvWorkSplit.Split(43, 42, 16, 2);
        Assert.True(chunks * parts >= 6, $"{chunks} chunks × {parts} parts");
        Assert.True(43 - (chunks - 1) * size >= size - chunks, $"{chunks} chunks of {size}");
    }
}
