namespace DyCompile.Compiler;

/// <summary>Stable ids of the diagnostics the compiler reports (documented in docs/diagnostics.md).</summary>
public static class DiagnosticIds
{
    // ---- finding the model ----
    public const string SourceErrors = "DYC0001";
    public const string ModelTypeNotFound = "DYC0002";
    public const string MethodNotFound = "DYC0003";
    public const string NotAModel = "DYC0004";
    public const string InputTypesMissing = "DYC0005";
    public const string ModelSourceNotFound = "DYC0006";
    public const string InternalError = "DYC0009";

    // ---- constructs outside the compiled subset ----
    public const string Exceptions = "DYC0101";
    public const string Goto = "DYC0102";
    public const string Lambda = "DYC0103";
    public const string Linq = "DYC0104";
    public const string Unsafe = "DYC0105";
    public const string RefOrOut = "DYC0106";
    public const string Allocation = "DYC0107";
    public const string FieldMutation = "DYC0108";
    public const string UnsupportedStatement = "DYC0109";
    public const string Recursion = "DYC0110";
    public const string UnknownMethod = "DYC0111";
    public const string InputOutput = "DYC0112";
    public const string UnsupportedExpression = "DYC0113";
    public const string MutableFieldRead = "DYC0114";
    public const string UnsupportedType = "DYC0115";
    public const string UnknownParameterName = "DYC0116";

    // ---- values the compiler must know ----
    public const string NotCompileTimeConstant = "DYC0201";
    public const string DynamicModuleIndex = "DYC0202";
    public const string TooManySpecializations = "DYC0203";
    public const string ShapeError = "DYC0204";
    public const string InconsistentReturn = "DYC0205";
    public const string DispatchTypes = "DYC0206";

    // ---- host fallback ----
    public const string HostFallback = "DYC0301";

    // ---- limits of the compiler ----
    public const string NestingTooDeep = "DYC0401";

    // ---- backends ----
    /// <summary>A segment op the chosen GPU target cannot run (no formula, no GPU kernel).</summary>
    public const string GpuUnsupportedOp = "DYC0601";
}
