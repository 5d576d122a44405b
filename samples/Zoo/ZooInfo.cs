namespace DyCompile.Zoo;

internal static class ZooInfo
{
}
