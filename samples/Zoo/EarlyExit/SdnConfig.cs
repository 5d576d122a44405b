namespace DyCompile.Zoo.EarlyExit;

/// <summary>Configuration of a Shallow-Deep Network. <paramref name="WidthDivisor"/> divides every
/// channel count (1 = the published widths) so tests can run a structurally exact but thin
/// network; <paramref name="Seed"/> fixes every weight.</summary>
public sealed record SdnConfig(int InputSize = 32, int NumClasses = 10, float Threshold = 0.5f, int WidthDivisor = 1, int Seed = 0)
{
    public int Width(int published) => Math.Max(1, published / WidthDivisor);
}
