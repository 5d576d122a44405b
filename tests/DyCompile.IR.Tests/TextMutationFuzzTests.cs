using System.Text.RegularExpressions;

namespace DyCompile.IR.Tests;

/// <summary>Thousands of mutations of printed programs: the parser either reads a program or
/// throws <see cref="IRParseException"/> with a position inside the text; the verifier never
/// throws on what the parser accepts; a program that verifies prints and parses back.</summary>
public partial class TextMutationFuzzTests
{
    private static readonly string[] HugeNumbers =
    [
        "0", "-1", "2147483647", "-2147483648", "2147483648", "4294967296", "9007199254740993", "9223372036854775807",
        "9223372036854775808", "99999999999999999999", "1e38", "3.5e38", "1e999", "-1e999", "1e-999", "1.5", "nan", "-inf",
        new string('9', 300),
    ];

    private static readonly string[] NonAsciiDigits = ["\u0663", "\uFF11", "\u0966", "\u07C0", "\u17E2", "\U0001D7D9"];

    private static readonly string[] Insertions = ["%", "^", "@", "(", ")", "{", "}", "[", "]", ",", ":", "=", "->", "?", "-", ".", "e", "\n", " ", "const", "return", "jump", "tensor<", "<", ">", "//", "\u00e9", "\0"];

    /// <summary>Printed programs covering every kernel op's attributes and the host ops, loops and branches.</summary>
    private static List<string> ValidTexts()
    {
        var texts = Enumerable.Range(0, 12).Select(seed => RandomPrograms.Generate(seed, 8 + seed * 3).ToString()).ToList();
        var k = 0;
        foreach (var c in KernelSamples.All())
        {
            var pb = new ProgramBuilder("k" + k++);
            var operands = c.OperandTypes.Select((t, i) => pb.Input("a" + i, t)).ToArray();
            var results = pb.Entry.Ops(c.Op, operands, c.Attrs);
            var scalar = pb.Entry.Const(new TensorType(Runtime.DType.Int64, [2]), [3, -4]);
            pb.Returns([.. results.Select(r => r.Type), scalar.Type]);
            pb.Entry.Return([.. results, scalar]);
            texts.Add(pb.Build().ToString());
        }
        return texts;
    }

    [GeneratedRegex(@"-?\d+(\.\d+)?(e[+-]?\d+)?")]
    private static partial Regex Number();

    [GeneratedRegex(@"\d")]
    private static partial Regex Digit();

    private static string ReplaceRandom(Random rng, Regex pattern, string text, Func<string, string> replacement)
    {
        var matches = pattern.Matches(text);
        if (matches.Count == 0) return text;
        var m = matches[rng.Next(matches.Count)];
        return string.Concat(text.AsSpan(0, m.Index), replacement(m.Value), text.AsSpan(m.Index + m.Length));
    }

    private static string Mutate(Random rng, string text)
    {
        if (text.Length == 0) return Insertions[rng.Next(Insertions.Length)];
        var at = rng.Next(text.Length);
        switch (rng.Next(12))
        {
            case 0: // a changed character
                return string.Concat(text.AsSpan(0, at), ((char)rng.Next(32, 127)).ToString(), text.AsSpan(at + 1));
            case 1: // truncation
                return text[..at];
            case 2: // an inserted token
                return text.Insert(at, Insertions[rng.Next(Insertions.Length)]);
            case 3: // a deleted run
                return text.Remove(at, Math.Min(text.Length - at, rng.Next(1, 12)));
            case 4 or 5: // a swapped digit
                return ReplaceRandom(rng, Digit(), text, _ => ((char)('0' + rng.Next(10))).ToString());
            case 6: // a non-ASCII digit in a number
                return ReplaceRandom(rng, Digit(), text, d => rng.Next(2) == 0 ? NonAsciiDigits[rng.Next(NonAsciiDigits.Length)] : d + NonAsciiDigits[rng.Next(NonAsciiDigits.Length)]);
            case 7 or 8 or 9: // a huge or special number in place of any number: sizes, attributes, literals
                return ReplaceRandom(rng, Number(), text, _ => HugeNumbers[rng.Next(HugeNumbers.Length)]);
            default: // a duplicated or dropped line
            {
                var lines = text.Split('\n').ToList();
                var i = rng.Next(lines.Count);
                if (rng.Next(2) == 0) lines.Insert(rng.Next(lines.Count), lines[i]);
                else lines.RemoveAt(i);
                return string.Join('\n', lines);
            }
        }
    }

    [Fact]
    public void MutatedTextParsesOrFailsWithAPositionedParseError()
    {
        var rng = new Random(14_05);
        var texts = ValidTexts();
        int parsed = 0, verified = 0, rejected = 0;
        var undocumented = new List<string>();
        for (var trial = 0; trial < 5000; trial++)
        {
            var text = texts[trial % texts.Count];
            for (var edits = rng.Next(10) < 7 ? 1 : 2; edits > 0; edits--) text = Mutate(rng, text);
            IRProgram program;
            try
            {
                program = IRParser.Parse(text);
            }
            catch (IRParseException e)
            {
                var lines = text.Split('\n');
                Assert.InRange(e.Line, 1, lines.Length);
                Assert.InRange(e.Column, 1, lines[e.Line - 1].Length + 1);
                Assert.False(string.IsNullOrWhiteSpace(e.Detail));
                rejected++;
                continue;
            }
            catch (Exception e)
            {
                Record(undocumented, "parse", e, text);
                continue;
            }
            parsed++;
            try
            {
                if (Verifier.Errors(program).Count > 0) continue;
                verified++;
                var printed = program.ToString();
                Assert.Equal(printed, IRParser.Parse(printed).ToString());
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                Record(undocumented, "verify or print", e, text);
            }
        }
        Assert.True(undocumented.Count == 0, $"{undocumented.Count} undocumented exception(s):\n{string.Join("\n", undocumented.Take(6))}");
        Assert.True(rejected > 1000 && parsed > 400 && verified > 200, $"rejected {rejected}, parsed {parsed}, verified {verified}: the mutations should reach every outcome");
    }

    private static void Record(List<string> found, string stage, Exception e, string text)
    {
        var frame = e.StackTrace?.Split('\n').FirstOrDefault()?.Trim();
        found.Add(found.Count < 6 ? $"{stage}: {e.GetType().Name}: {e.Message}\n  {frame}\n  in: {(text.Length <= 600 ? text : text[..600] + "…")}" : e.GetType().Name);
    }
}
