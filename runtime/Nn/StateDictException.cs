namespace DyCompile.Runtime.Nn;

/// <summary>A state dict does not fit a module: an entry is missing, unexpected, or has the
/// wrong shape or dtype. The message names the entry and, for a mismatch, both shapes.</summary>
public sealed class StateDictException(string message) : Exception(message);
