using System.Text;

namespace DyCompile.Backends.Cpu;

/// <summary>An indenting line writer for generated C#.</summary>
public sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _depth;

    public CodeWriter Line(string line = "")
    {
        if (line.Length > 0) _text.Append(' ', 4 * _depth).Append(line);
        _text.Append('\n');
        return this;
    }

    /// <summary>Writes <paramref name="header"/> and an opening brace; dispose to close it.</summary>
    public IDisposable Block(string header)
    {
        if (header.Length > 0) Line(header);
        Line("{");
        _depth++;
        return new Closer(this);
    }

    /// <summary>A label, written one level out so the code around it reads as a block.</summary>
    public CodeWriter Label(string label)
    {
        _depth--;
        Line(label + ":");
        _depth++;
        return this;
    }

    public override string ToString() => _text.ToString();

    private sealed class Closer(CodeWriter writer) : IDisposable
    {
        public void Dispose()
        {
            writer._depth--;
            writer.Line("}");
        }
    }
}
