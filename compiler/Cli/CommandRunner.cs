using DyCompile.Backends.Onnx;
using DyCompile.Compiler;
using DyCompile.Compiler.Jit;
using DyCompile.IR;

namespace DyCompile.Cli;

/// <summary>Runs a command body and turns its outcome into output and an exit code: diagnostics
/// on standard output in the canonical <c>file(line,column): error DYCnnnn: message</c> form
/// (MSBuild and IDEs read it), exit code 1 when any is an error. A user error never shows a stack
/// trace; an internal error prints its message and exits with 2.</summary>
public static class CommandRunner
{
    public const int Success = 0, UserError = 1, InternalError = 2;

    public static int Run(Progress progress, Action<List<Diagnostic>> body)
    {
        var diagnostics = new List<Diagnostic>();
        try
        {
            body(diagnostics);
        }
        catch (CliException e)
        {
            diagnostics.AddRange(e.Diagnostics);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            diagnostics.Add(new Diagnostic(ToolDiagnosticIds.BadInput, DiagnosticSeverity.Error, "dycompile", 1, 1, e.Message));
        }
        catch (Exception e) when (e is CompilationException or OnnxExportException or InterpreterException)
        {
            diagnostics.Add(new Diagnostic(ToolDiagnosticIds.BadProgram, DiagnosticSeverity.Error, "dycompile", 1, 1, e.Message));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            progress.Done();
            Print(diagnostics);
            Console.Error.WriteLine($"dycompile: internal error ({e.GetType().Name}): {e.Message}; please report it with the input");
            return InternalError;
        }
        progress.Done();
        Print(diagnostics);
        return diagnostics.Any(d => d.IsError) ? UserError : Success;
    }

    private static void Print(IEnumerable<Diagnostic> diagnostics)
    {
        foreach (var d in diagnostics) Console.Out.WriteLine(d);
    }

    /// <summary>Parses a file of IR text; a syntax error is a diagnostic at its line and column.</summary>
    public static IRProgram ReadProgram(string path)
    {
        if (!File.Exists(path)) throw new CliException(path, $"no such file '{path}'");
        try
        {
            return IRProgram.Parse(File.ReadAllText(path));
        }
        catch (IRParseException e)
        {
            throw new CliException([new Diagnostic(ToolDiagnosticIds.BadProgram, DiagnosticSeverity.Error, path, e.Line, e.Column, e.Detail)]);
        }
    }

    public static bool IsProgramText(string path) => Path.GetExtension(path).ToLowerInvariant() is ".ir" or ".txt";
}
