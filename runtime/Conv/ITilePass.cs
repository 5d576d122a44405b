namespace DyCompile.Runtime;

/// <summary>One pass of <see cref="ChannelVectorTile256"/> over a tile's pixels, as a type, so the
/// pass instantiated over it has its first pixel and its width as constants: every broadcast is one
/// load at a fixed offset and the accumulators of the pixels it lacks are compiled away. A tile of
/// 16 pixels runs 6 + 6 + 4, one of 14 runs 6 + 4 + 4.</summary>
internal interface ITilePass
{
    /// <summary>The tile pixel the pass starts at.</summary>
    static abstract int First { get; }

    /// <summary>Pixels of the pass: 6 or 4.</summary>
    static abstract int Count { get; }
}

/// <summary>Pixels 0..5 of a tile.</summary>
internal readonly struct SixFrom0 : ITilePass
{
    public static int First => 0;
    public static int Count => 6;
}

/// <summary>Pixels 6..11 of a tile of 16.</summary>
internal readonly struct SixFrom6 : ITilePass
{
    public static int First => 6;
    public static int Count => 6;
}

/// <summary>Pixels 12..15 of a tile of 16.</summary>
internal readonly struct FourFrom12 : ITilePass
{
    public static int First => 12;
    public static int Count => 4;
}

/// <summary>Pixels 6..9 of a tile of 14.</summary>
internal readonly struct FourFrom6 : ITilePass
{
    public static int First => 6;
    public static int Count => 4;
}

/// <summary>Pixels 10..13 of a tile of 14.</summary>
internal readonly struct FourFrom10 : ITilePass
{
    public static int First => 10;
    public static int Count => 4;
}
