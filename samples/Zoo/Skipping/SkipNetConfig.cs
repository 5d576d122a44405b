namespace DyCompile.Zoo.Skipping;

/// <summary>Configuration of the block-skipping ResNets. <paramref name="BlocksPerGroup"/> blocks
/// in each of the 3 groups (SkipNet's ResNet-38: 6; BlockDrop's ResNet-110: 18) and the base width
/// (16 published) may be reduced for fast tests; the structure stays the same.</summary>
public sealed record SkipNetConfig(int InputSize = 32, int NumClasses = 10, int BlocksPerGroup = 6, int Width = 16, int Seed = 0);
