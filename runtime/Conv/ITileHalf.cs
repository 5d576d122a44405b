namespace DyCompile.Runtime;

/// <summary>The pixels in each half of a channel-vector pair tile, as a type, so the tile
/// instantiated over it has the width as a constant: its accumulators, broadcasts and stores for
/// the pixels it lacks are compiled away.</summary>
internal interface ITileHalf
{
    static abstract int Pixels { get; }
}

/// <summary>Halves of 8 pixels (tiles of 16): rows whose width is a multiple of 8, and any other row.</summary>
internal readonly struct HalfOfEight : ITileHalf
{
    public static int Pixels => 8;
}

/// <summary>Halves of 7 pixels (tiles of 14): rows of 14 and 28, which halves of 8 cover with an
/// eighth of their lanes empty.</summary>
internal readonly struct HalfOfSeven : ITileHalf
{
    public static int Pixels => 7;
}
