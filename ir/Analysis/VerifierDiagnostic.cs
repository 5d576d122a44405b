namespace DyCompile.IR;

public enum Severity
{
    Error,
    Warning,
}

/// <summary>What the verifier found wrong; one stable kind per rule.</summary>
public enum VerifyErrorKind
{
    NoBlocks,
    DuplicateBlock,
    DuplicateDefinition,
    UndefinedValue,
    UseBeforeDefinition,
    CrossBlockUse,
    UndeclaredWeight,
    WeightType,
    UnknownOp,
    OperandCount,
    MissingAttribute,
    UnknownAttribute,
    AttributeKind,
    OperandTypes,
    ResultCount,
    ResultType,
    ConstPayload,
    MissingTerminator,
    MisplacedTerminator,
    BranchCondition,
    UnknownBlock,
    EntryTargeted,
    ArgumentCount,
    ArgumentType,
    EntryParameters,
    ReturnArity,
    ReturnType,
    UnreachableBlock,
}

/// <summary>One verifier finding. <see cref="Message"/> names the block and the value or op.</summary>
public sealed record VerifierDiagnostic(VerifyErrorKind Kind, Severity Severity, string? Block, string Message)
{
    public override string ToString() => $"{(Severity == Severity.Error ? "error" : "warning")} [{Kind}] {Message}";
}
