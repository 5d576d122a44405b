using System.Globalization;
using System.Reflection;
using DyCompile.IR;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace DyCompile.Compiler.Lowering;

/// <summary>A statement the compiler could not lower, run eagerly when the program reaches it
/// (non-strict mode): the program calls it through <c>host.call</c> with the run-time values of
/// the locals it reads; everything else (the model, compile-time locals) is bound when lowering.
/// It evaluates the statement's operation tree by reflection — calls, field and property
/// reads and writes, object creation, scalar arithmetic and string interpolation.</summary>
internal sealed class EagerRegion
{
    private readonly IOperation _statement;
    private readonly object? _self;
    private readonly Dictionary<object, object?> _known;
    private readonly IReadOnlyList<object> _dynamicSlots;

    private EagerRegion(IOperation statement, object? self, Dictionary<object, object?> known, IReadOnlyList<object> dynamicSlots)
    {
        _statement = statement;
        _self = self;
        _known = known;
        _dynamicSlots = dynamicSlots;
    }

    /// <summary>Whether <paramref name="statement"/> can run as a region: it assigns no local (the
    /// program would not see the new value) and holds only what the evaluator runs.</summary>
    public static bool CanRun(IOperation statement) => statement.DescendantsAndSelf().All(op => op switch
    {
        ISimpleAssignmentOperation a => a.Target is IFieldReferenceOperation or IPropertyReferenceOperation,
        ICompoundAssignmentOperation a => a.Target is IFieldReferenceOperation or IPropertyReferenceOperation,
        IIncrementOrDecrementOperation i => i.Target is IFieldReferenceOperation or IPropertyReferenceOperation,
        IExpressionStatementOperation or IInvocationOperation or IArgumentOperation or IFieldReferenceOperation
            or IPropertyReferenceOperation or IInstanceReferenceOperation or ILocalReferenceOperation or IParameterReferenceOperation
            or IFlowCaptureReferenceOperation or ILiteralOperation or IConversionOperation or IBinaryOperation or IUnaryOperation
            or IParenthesizedOperation or IObjectCreationOperation or IInterpolatedStringOperation or IInterpolatedStringTextOperation
            or IInterpolationOperation or IDefaultValueOperation => true,
        _ => op.ConstantValue.HasValue,
    });

    /// <summary>The fields and properties the statement assigns.</summary>
    public static IReadOnlyList<IOperation> Writes(IOperation statement) => statement.DescendantsAndSelf()
        .Select(op => op switch
        {
            ISimpleAssignmentOperation a => a.Target,
            ICompoundAssignmentOperation a => a.Target,
            IIncrementOrDecrementOperation i => i.Target,
            _ => null,
        })
        .Where(t => t is IFieldReferenceOperation or IPropertyReferenceOperation).ToList()!;

    /// <summary>The slots (locals, parameters, captures) the statement reads.</summary>
    public static IReadOnlyList<object> Reads(IOperation statement) => statement.DescendantsAndSelf()
        .Select(op => op switch
        {
            ILocalReferenceOperation l => (object?)l.Local,
            IParameterReferenceOperation p => p.Parameter,
            IFlowCaptureReferenceOperation c => c.Id,
            _ => null,
        })
        .Where(s => s is not null).Distinct().ToList()!;

    /// <summary>Adds the region to the program's <paramref name="callbacks"/> and returns its number;
    /// the program passes the values of <paramref name="dynamicSlots"/> in order.</summary>
    public static int Register(Runtime.Compiled.HostCallbacks callbacks, string symbol, IOperation statement, object? self, Dictionary<object, object?> known, IReadOnlyList<object> dynamicSlots)
    {
        var region = new EagerRegion(statement, self, known, dynamicSlots);
        return callbacks.Add(symbol, region.Run);
    }

    private void Run(IReadOnlyList<object> arguments)
    {
        var env = new Dictionary<object, object?>(_known);
        for (var i = 0; i < _dynamicSlots.Count; i++) env[_dynamicSlots[i]] = arguments[i];
        Eval(_statement, env);
    }

    private object? Eval(IOperation op, Dictionary<object, object?> env)
    {
        if (op.ConstantValue.HasValue) return op.ConstantValue.Value;
        switch (op)
        {
            case IExpressionStatementOperation s: return Eval(s.Operation, env);
            case IParenthesizedOperation p: return Eval(p.Operand, env);
            case ILocalReferenceOperation l: return env[l.Local];
            case IParameterReferenceOperation p: return env[p.Parameter];
            case IFlowCaptureReferenceOperation c: return env[c.Id];
            case IInstanceReferenceOperation: return _self;
            case IDefaultValueOperation: return null;
            case IFieldReferenceOperation f:
                {
                    var (info, target) = Field(f, env);
                    return info.GetValue(target);
                }
            case IPropertyReferenceOperation p:
                {
                    var (info, target) = Property(p, env);
                    return info.GetValue(target, [.. p.Arguments.Select(a => Eval(a.Value, env))]);
                }
            case IConversionOperation c:
                return Convert(Eval(c.Operand, env), c.Type);
            case IUnaryOperation u:
                {
                    var v = Eval(u.Operand, env);
                    if (u.OperatorMethod is { } m) return Call(m, null, [v]);
                    return u.OperatorKind switch
                    {
                        UnaryOperatorKind.Minus => v switch { int i => -i, float f => -f, double d => -d, _ => v },
                        UnaryOperatorKind.Not => !(bool)v!,
                        _ => v,
                    };
                }
            case IBinaryOperation b:
                {
                    var l = Eval(b.LeftOperand, env);
                    var r = Eval(b.RightOperand, env);
                    if (b.OperatorMethod is { } m) return Call(m, null, [l, r]);
                    if (b.LeftOperand.Type?.SpecialType == SpecialType.System_String || b.RightOperand.Type?.SpecialType == SpecialType.System_String)
                        return Format(l) + Format(r);
                    return ScalarFolding.Fold(b.OperatorKind, l!, r!, b.LeftOperand.Type!.SpecialType);
                }
            case IInterpolatedStringOperation s:
                return string.Concat(s.Parts.Select(part => part switch
                {
                    IInterpolatedStringTextOperation t => (string?)Eval(t.Text, env),
                    IInterpolationOperation i => Format(Eval(i.Expression, env), i.FormatString is null ? null : (string?)Eval(i.FormatString, env)),
                    _ => "",
                }));
            case IInvocationOperation i:
                {
                    var target = i.Instance is null ? null : Eval(i.Instance, env);
                    var args = i.Arguments.OrderBy(a => a.Parameter!.Ordinal).Select(a => Eval(a.Value, env)).ToArray();
                    return Call(i.TargetMethod, target, args);
                }
            case IObjectCreationOperation o:
                {
                    var type = TypeOf(o.Type!);
                    var args = o.Arguments.OrderBy(a => a.Parameter!.Ordinal).Select(a => Eval(a.Value, env)).ToArray();
                    var ctor = type.GetConstructors().First(c => Matches(c.GetParameters(), o.Constructor!.Parameters));
                    return ctor.Invoke(args);
                }
            case ISimpleAssignmentOperation a:
                {
                    var v = Eval(a.Value, env);
                    Store(a.Target, v, env);
                    return v;
                }
            case ICompoundAssignmentOperation a:
                {
                    var old = Eval(a.Target, env);
                    var r = Eval(a.Value, env);
                    var v = a.OperatorMethod is { } m ? Call(m, null, [old, r]) : ScalarFolding.Fold(a.OperatorKind, old!, r!, a.Target.Type!.SpecialType);
                    Store(a.Target, v, env);
                    return v;
                }
            case IIncrementOrDecrementOperation inc:
                {
                    var old = Eval(inc.Target, env);
                    var v = ScalarFolding.Fold(inc.Kind == OperationKind.Increment ? BinaryOperatorKind.Add : BinaryOperatorKind.Subtract, old!, 1, inc.Target.Type!.SpecialType);
                    Store(inc.Target, v, env);
                    return inc.IsPostfix ? old : v;
                }
            default:
                throw new InvalidOperationException($"'{op.Syntax}' cannot run eagerly");
        }
    }

    private void Store(IOperation target, object? value, Dictionary<object, object?> env)
    {
        switch (target)
        {
            case IFieldReferenceOperation f:
                {
                    var (info, owner) = Field(f, env);
                    info.SetValue(owner, value);
                    break;
                }
            case IPropertyReferenceOperation p:
                {
                    var (info, owner) = Property(p, env);
                    info.SetValue(owner, value);
                    break;
                }
        }
    }

    private (FieldInfo, object?) Field(IFieldReferenceOperation f, Dictionary<object, object?> env)
    {
        var owner = f.Instance is null ? null : Eval(f.Instance, env);
        var type = owner?.GetType() ?? TypeOf(f.Field.ContainingType);
        for (var t = type; t is not null; t = t.BaseType)
            if (t.GetField(f.Field.Name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly) is { } info)
                return (info, owner);
        throw new InvalidOperationException($"field {f.Field.Name} not found");
    }

    private (PropertyInfo, object?) Property(IPropertyReferenceOperation p, Dictionary<object, object?> env)
    {
        var owner = p.Instance is null ? null : Eval(p.Instance, env);
        var type = owner?.GetType() ?? TypeOf(p.Property.ContainingType);
        var name = p.Property.IsIndexer ? p.Property.MetadataName : p.Property.Name;
        var info = type.GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static)
            .First(i => i.Name == name && i.GetIndexParameters().Length == p.Arguments.Length);
        return (info, owner);
    }

    private static object? Call(IMethodSymbol method, object? target, object?[] args)
    {
        var type = target?.GetType() ?? TypeOf(method.ContainingType);
        var candidates = type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static)
            .Where(m => m.Name == method.MetadataName && Matches(m.GetParameters(), method.Parameters));
        var info = candidates.First();
        return info.Invoke(target, BindingFlags.DoNotWrapExceptions, null, args, CultureInfo.InvariantCulture);
    }

    private static bool Matches(ParameterInfo[] parameters, System.Collections.Immutable.ImmutableArray<IParameterSymbol> symbols) =>
        parameters.Length == symbols.Length && parameters.Zip(symbols).All(p => p.First.ParameterType.Name == p.Second.Type.MetadataName || p.Second.Type.TypeKind == TypeKind.TypeParameter);

    private static Type TypeOf(ITypeSymbol symbol)
    {
        if (symbol is IArrayTypeSymbol array) return TypeOf(array.ElementType).MakeArrayType();
        var name = symbol.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() + "." + symbol.MetadataName : symbol.MetadataName;
        if (symbol.ContainingType is { } outer) name = TypeOf(outer).FullName + "+" + symbol.MetadataName;
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
            if (assembly.GetType(name) is { } t) return t;
        throw new InvalidOperationException($"type {name} is not loaded");
    }

    private static object? Convert(object? value, ITypeSymbol? type) => (value, type?.SpecialType) switch
    {
        (float f, SpecialType.System_Int32) => (int)f,
        (double d, SpecialType.System_Int32) => (int)d,
        (IConvertible c, SpecialType.System_Int32) when value is not string => System.Convert.ToInt32(c, CultureInfo.InvariantCulture),
        (IConvertible c, SpecialType.System_Single) when value is not string => System.Convert.ToSingle(c, CultureInfo.InvariantCulture),
        (IConvertible c, SpecialType.System_Double) when value is not string => value is float f ? (double)f : System.Convert.ToDouble(c, CultureInfo.InvariantCulture),
        _ => value,
    };

    private static string Format(object? value, string? format = null) => value switch
    {
        null => "",
        IFormattable f => f.ToString(format, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
