namespace DyCompile.IR;

/// <summary>Version of the IR text form; printed files carry it so old dumps are recognized.</summary>
public static class IRVersion
{
    public const int TextFormat = 1;
}
