using System.Globalization;

namespace DyCompile.IR;

/// <summary>Splits IR text into tokens. <c>//</c> starts a comment that runs to the end of the line.</summary>
internal static class Lexer
{
    public static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        int i = 0, line = 1, lineStart = 0;
        while (true)
        {
            while (i < text.Length)
            {
                var c = text[i];
                if (c == '\n') { i++; line++; lineStart = i; }
                else if (char.IsWhiteSpace(c)) i++;
                else if (c == '/' && i + 1 < text.Length && text[i + 1] == '/')
                    while (i < text.Length && text[i] != '\n') i++;
                else break;
            }
            var column = i - lineStart + 1;
            if (i >= text.Length)
            {
                tokens.Add(new Token(TokenKind.End, "", line, column));
                return tokens;
            }
            var start = i;
            var ch = text[i];
            if (ch is '%' or '^' or '@')
            {
                i++;
                while (i < text.Length && IsNameChar(text[i])) i++;
                if (i == start + 1)
                    throw new IRParseException(line, column, $"expected a name after '{ch}', found {Found(text, i)}");
                var kind = ch == '%' ? TokenKind.ValueRef : ch == '^' ? TokenKind.BlockRef : TokenKind.GlobalRef;
                tokens.Add(new Token(kind, text[(start + 1)..i], line, column));
            }
            else if (char.IsLetter(ch) || ch == '_')
            {
                while (i < text.Length && (IsNameChar(text[i]))) i++;
                tokens.Add(new Token(TokenKind.Identifier, text[start..i], line, column));
            }
            else if (char.IsAsciiDigit(ch) || (ch == '-' && i + 1 < text.Length && (char.IsAsciiDigit(text[i + 1]) || text.AsSpan(i + 1).StartsWith("inf"))))
            {
                if (text.AsSpan(i).StartsWith("-inf"))
                {
                    i += 4;
                    tokens.Add(new Token(TokenKind.Float, "-inf", line, column));
                    continue;
                }
                i++;
                var isFloat = false;
                while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
                if (i < text.Length && text[i] == '.')
                {
                    isFloat = true;
                    i++;
                    while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
                }
                if (i < text.Length && text[i] is 'e' or 'E')
                {
                    isFloat = true;
                    i++;
                    if (i < text.Length && text[i] is '+' or '-') i++;
                    var digits = i;
                    while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
                    if (i == digits) throw new IRParseException(line, column, $"expected exponent digits in a number, found {Found(text, i)}");
                }
                if (i < text.Length && IsNonAsciiDigit(text, i))
                    throw NonAsciiDigit(text, i, line, lineStart);
                tokens.Add(new Token(isFloat ? TokenKind.Float : TokenKind.Integer, text[start..i], line, column));
            }
            else if (ch == '-' && i + 1 < text.Length && text[i + 1] == '>')
            {
                i += 2;
                tokens.Add(new Token(TokenKind.Punct, "->", line, column));
            }
            else if ("(){}[]<>,:=?".Contains(ch))
            {
                i++;
                tokens.Add(new Token(TokenKind.Punct, ch.ToString(), line, column));
            }
            else if (IsNonAsciiDigit(text, i))
            {
                throw NonAsciiDigit(text, i, line, lineStart);
            }
            else
            {
                throw new IRParseException(line, column, $"expected a token, found unexpected character {Describe(text, i)}");
            }
        }
    }

    private static bool IsNameChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '.';

    /// <summary>Numbers are ASCII: a digit of another script ('٣', fullwidth '１') is not part of
    /// one, and is named as such rather than left to number parsing.</summary>
    private static bool IsNonAsciiDigit(string text, int i) =>
        char.IsSurrogatePair(text, i)
            ? CharUnicodeInfo.GetUnicodeCategory(text, i) == UnicodeCategory.DecimalDigitNumber
            : char.IsDigit(text[i]) && !char.IsAsciiDigit(text[i]);

    private static IRParseException NonAsciiDigit(string text, int i, int line, int lineStart) =>
        new(line, i - lineStart + 1, $"expected an ASCII digit 0-9 in a number, found the non-ASCII digit {Describe(text, i)}");

    /// <summary>A character as it reads, with its code point when it may not print plainly.</summary>
    private static string Describe(string text, int i)
    {
        var codePoint = char.IsSurrogatePair(text, i) ? char.ConvertToUtf32(text, i) : text[i];
        var glyph = char.IsSurrogatePair(text, i) ? text.Substring(i, 2) : text[i].ToString();
        return codePoint is >= 0x20 and < 0x7F ? $"'{glyph}'" : char.IsControl(text[i]) ? $"U+{codePoint:X4}" : $"'{glyph}' (U+{codePoint:X4})";
    }

    private static string Found(string text, int i) => i < text.Length ? Describe(text, i) : "end of input";
}
