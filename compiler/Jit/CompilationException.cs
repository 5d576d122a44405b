namespace DyCompile.Compiler.Jit;

/// <summary>A program could not be compiled: it fails verification, asks for a target that does
/// not exist, or the generated code does not build (a code generator bug; the message carries
/// the C# errors).</summary>
public sealed class CompilationException(string message) : Exception(message);
