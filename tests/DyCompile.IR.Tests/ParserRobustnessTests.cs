using FsCheck.Xunit;

namespace DyCompile.IR.Tests;

public class ParserRobustnessTests
{
    private static readonly string[] Insertions = ["%", "^", "@", "(", ")", "{", "}", "[", "]", ",", ":", "=", "->", "?", "-", "1", "1.5", "x", "\n", " ", "const", "return", "jump", "tensor<", "<", ">"];

    /// <summary>Damaged text either still parses or fails with a positioned parse error; the
    /// parser never crashes with another exception.</summary>
    [Property(MaxTest = 300)]
    public void DamagedTextFailsOnlyWithParseErrors(int seed, byte edits)
    {
        var rng = new Random(seed);
        var text = RandomPrograms.Generate(seed, 12).ToString();
        for (var k = 0; k < 1 + edits % 4; k++)
        {
            var at = rng.Next(text.Length);
            text = rng.Next(3) switch
            {
                0 => text.Remove(at, Math.Min(text.Length - at, rng.Next(1, 6))),
                1 => text.Insert(at, Insertions[rng.Next(Insertions.Length)]),
                _ => text.Remove(at, 1).Insert(at, Insertions[rng.Next(Insertions.Length)]),
            };
        }
        try
        {
            IRParser.Parse(text);
        }
        catch (IRParseException e)
        {
            var lines = text.Split('\n');
            Assert.InRange(e.Line, 1, lines.Length);
            Assert.InRange(e.Column, 1, lines[e.Line - 1].Length + 1);
            Assert.False(string.IsNullOrWhiteSpace(e.Detail));
        }
    }
}
