namespace DyCompile.IR;

internal enum TokenKind
{
    Identifier,
    ValueRef,
    BlockRef,
    GlobalRef,
    Integer,
    Float,
    Punct,
    End,
}

/// <summary>One lexeme with its 1-based position. For references the text is the bare name.</summary>
internal readonly record struct Token(TokenKind Kind, string Text, int Line, int Column)
{
    public bool Is(string punct) => Kind == TokenKind.Punct && Text == punct;

    public bool IsWord(string word) => Kind == TokenKind.Identifier && Text == word;

    public string Describe() => Kind switch
    {
        TokenKind.Identifier => $"'{Text}'",
        TokenKind.ValueRef => $"value %{Text}",
        TokenKind.BlockRef => $"block ^{Text}",
        TokenKind.GlobalRef => $"weight @{Text}",
        TokenKind.Integer => $"integer {Text}",
        TokenKind.Float => $"number {Text}",
        TokenKind.Punct => $"'{Text}'",
        _ => "end of input",
    };
}
