namespace DyCompile.Cli;

/// <summary>Progress of long work (loading, lowering, optimizing, generating) on standard error: one
/// line that is rewritten in place on a terminal, plain lines when redirected (as in a build log),
/// nothing when quiet.</summary>
public sealed class Progress(bool quiet)
{
    private readonly bool _terminal = !Console.IsErrorRedirected;
    private int _width;

    public void Report(string step)
    {
        if (quiet) return;
        if (_terminal)
        {
            var line = "dycompile: " + step;
            Console.Error.Write("\r" + line.PadRight(_width));
            _width = line.Length;
        }
        else Console.Error.WriteLine("dycompile: " + step);
    }

    /// <summary>Ends the in-place line so what follows starts on a fresh one.</summary>
    public void Done()
    {
        if (quiet || !_terminal || _width == 0) return;
        Console.Error.Write("\r" + new string(' ', _width) + "\r");
        _width = 0;
    }
}
