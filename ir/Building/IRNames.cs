namespace DyCompile.IR;

/// <summary>The names the text form can spell after <c>%</c>, <c>^</c> and <c>@</c>: letters,
/// digits, <c>_</c> and <c>.</c>. Builders reject anything else so every program prints parseably.</summary>
public static class IRNames
{
    public static bool IsValid(string name) =>
        name.Length > 0 && name.All(c => char.IsLetterOrDigit(c) || c is '_' or '.');

    public static string Require(string name, string what) =>
        IsValid(name) ? name : throw new ArgumentException($"{what} name '{name}' must be letters, digits, '_' or '.'");
}
