namespace DyCompile.IR;

/// <summary>A program could not run to completion: bad inputs, a failing kernel, a missing
/// weight, or the step limit was reached. The message names the block and the instruction.</summary>
public sealed class InterpreterException(string message, Exception? inner = null) : Exception(message, inner);
