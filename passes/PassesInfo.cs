namespace DyCompile.Passes;

internal static class PassesInfo
{
}
