using System.Globalization;

namespace DyCompile.Benchmarks;

/// <summary>A command line the benchmarks cannot run: the program prints the message and exits
/// with status 2, without a stack trace.</summary>
internal sealed class UsageError(string message) : Exception(message)
{
    /// <summary>The positive integer <paramref name="text"/> given to <paramref name="option"/>.</summary>
    public static int PositiveInt(string option, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new UsageError($"{option} {text}: expected a positive whole number");
}
