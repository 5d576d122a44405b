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
            else if (char.IsDigit(ch) || (ch == '-' && i + 1 < text.Length && (char.IsDigit(text[i + 1]) || text.AsSpan(i + 1).StartsWith("inf"))))
            {
                if (text.AsSpan(i).StartsWith("-inf"))
                {
                    i += 4;
                    tokens.Add(new Token(TokenKind.Float, "-inf", line, column));
                    continue;
                }
                i++;
                var isFloat = false;
                while (i < text.Length && char.IsDigit(text[i])) i++;
                if (i < text.Length && text[i] == '.')
                {
                    isFloat = true;
                    i++;
                    while (i < text.Length && char.IsDigit(text[i])) i++;
                }
                if (i < text.Length && text[i] is 'e' or 'E')
                {
                    isFloat = true;
                    i++;
                    if (i < text.Length && text[i] is '+' or '-') i++;
                    var digits = i;
                    while (i < text.Length && char.IsDigit(text[i])) i++;
                    if (i == digits) throw new IRParseException(line, column, $"expected exponent digits in a number, found {Found(text, i)}");
                }
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
            else
            {
                throw new IRParseException(line, column, $"expected a token, found unexpected character '{ch}'");
            }
        }
    }

    private static bool IsNameChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '.';

    private static string Found(string text, int i) => i < text.Length ? $"'{text[i]}'" : "end of input";
}
