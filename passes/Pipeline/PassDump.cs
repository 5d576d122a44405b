namespace DyCompile.Passes.Pipeline;

/// <summary>The text of the program after one pass, and the file extension it is written with
/// (<c>txt</c>, <c>cs</c> for generated C#).</summary>
public sealed record PassDump(string Pass, string Text, string Extension = "txt");
