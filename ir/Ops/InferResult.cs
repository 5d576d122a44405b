namespace DyCompile.IR;

/// <summary>Result types of an op application, or why there are none.</summary>
public sealed record InferResult(string Op, IReadOnlyList<IRType>? Types, string? ErrorDetail)
{
    public static InferResult Ok(string op, IReadOnlyList<IRType> types) => new(op, types, null);
    public static InferResult Error(string op, string detail) => new(op, null, detail);

    public bool Succeeded => Types is not null;

    /// <summary>The error as one message that names the op.</summary>
    public string? ErrorMessage => ErrorDetail is null ? null : $"{Op}: {ErrorDetail}";

    /// <summary>The result types; throws <see cref="IRTypeException"/> otherwise.</summary>
    public IReadOnlyList<IRType> Unwrap() => Types ?? throw new IRTypeException(Op, ErrorDetail!);
}
