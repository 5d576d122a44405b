using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace DyCompile.Compiler.Lowering;

/// <summary>Folds a binary operator on two compile-time scalars with C# semantics in the
/// operands' type (int wraps, int division truncates, float is IEEE single).</summary>
internal static class ScalarFolding
{
    public static object? Fold(BinaryOperatorKind kind, object left, object right, SpecialType type)
    {
        try
        {
            return type switch
            {
                SpecialType.System_Int32 => Int(kind, System.Convert.ToInt32(left, System.Globalization.CultureInfo.InvariantCulture), System.Convert.ToInt32(right, System.Globalization.CultureInfo.InvariantCulture)),
                SpecialType.System_Single => Float(kind, System.Convert.ToSingle(left, System.Globalization.CultureInfo.InvariantCulture), System.Convert.ToSingle(right, System.Globalization.CultureInfo.InvariantCulture)),
                SpecialType.System_Double => Double(kind, System.Convert.ToDouble(left, System.Globalization.CultureInfo.InvariantCulture), System.Convert.ToDouble(right, System.Globalization.CultureInfo.InvariantCulture)),
                SpecialType.System_Boolean => Bool(kind, (bool)left, (bool)right),
                _ => null,
            };
        }
        catch (DivideByZeroException)
        {
            return null;
        }
    }

    private static object? Int(BinaryOperatorKind kind, int a, int b) => kind switch
    {
        BinaryOperatorKind.Add => unchecked(a + b),
        BinaryOperatorKind.Subtract => unchecked(a - b),
        BinaryOperatorKind.Multiply => unchecked(a * b),
        BinaryOperatorKind.Divide => a / b,
        BinaryOperatorKind.Remainder => a % b,
        _ => Compare(kind, a.CompareTo(b), a == b),
    };

    private static object? Float(BinaryOperatorKind kind, float a, float b) => kind switch
    {
        BinaryOperatorKind.Add => a + b,
        BinaryOperatorKind.Subtract => a - b,
        BinaryOperatorKind.Multiply => a * b,
        BinaryOperatorKind.Divide => a / b,
        BinaryOperatorKind.LessThan => a < b,
        BinaryOperatorKind.LessThanOrEqual => a <= b,
        BinaryOperatorKind.GreaterThan => a > b,
        BinaryOperatorKind.GreaterThanOrEqual => a >= b,
        BinaryOperatorKind.Equals => a == b,
        BinaryOperatorKind.NotEquals => a != b,
        _ => null,
    };

    private static object? Double(BinaryOperatorKind kind, double a, double b) => kind switch
    {
        BinaryOperatorKind.Add => a + b,
        BinaryOperatorKind.Subtract => a - b,
        BinaryOperatorKind.Multiply => a * b,
        BinaryOperatorKind.Divide => a / b,
        BinaryOperatorKind.LessThan => a < b,
        BinaryOperatorKind.LessThanOrEqual => a <= b,
        BinaryOperatorKind.GreaterThan => a > b,
        BinaryOperatorKind.GreaterThanOrEqual => a >= b,
        BinaryOperatorKind.Equals => a == b,
        BinaryOperatorKind.NotEquals => a != b,
        _ => null,
    };

    private static object? Bool(BinaryOperatorKind kind, bool a, bool b) => kind switch
    {
        BinaryOperatorKind.And or BinaryOperatorKind.ConditionalAnd => a && b,
        BinaryOperatorKind.Or or BinaryOperatorKind.ConditionalOr => a || b,
        BinaryOperatorKind.ExclusiveOr or BinaryOperatorKind.NotEquals => a != b,
        BinaryOperatorKind.Equals => a == b,
        _ => null,
    };

    private static object? Compare(BinaryOperatorKind kind, int order, bool equal) => kind switch
    {
        BinaryOperatorKind.LessThan => order < 0,
        BinaryOperatorKind.LessThanOrEqual => order <= 0,
        BinaryOperatorKind.GreaterThan => order > 0,
        BinaryOperatorKind.GreaterThanOrEqual => order >= 0,
        BinaryOperatorKind.Equals => equal,
        BinaryOperatorKind.NotEquals => !equal,
        _ => null,
    };
}
