namespace DyCompile.Runtime.Compiled;

/// <summary>Boxed host scalars for the untyped <see cref="IHostProgram.Run"/> without a heap
/// allocation per call: a result equal to the box already in its output slot keeps that box,
/// small ints and both bools come from preallocated boxes, and only a new float or a large int
/// is boxed anew.</summary>
public static class BoxedScalars
{
    private const int SmallMin = -128;
    private const int SmallMax = 1023;

    private static readonly object[] _small = [.. Enumerable.Range(SmallMin, SmallMax - SmallMin + 1).Select(i => (object)i)];
    private static readonly object _true = true;
    private static readonly object _false = false;

    public static object Int(int value, object? previous) =>
        previous is int p && p == value ? previous
        : value is >= SmallMin and <= SmallMax ? _small[value - SmallMin]
        : value;

    public static object Float(float value, object? previous) =>
        previous is float p && p.Equals(value) ? previous : value;

    public static object Bool(bool value) => value ? _true : _false;
}
