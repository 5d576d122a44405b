using System.Reflection;
using System.Runtime.CompilerServices;
using DyCompile.Runtime;

namespace DyCompile.IR;

/// <summary>How one <c>[OpKernel]</c> method is called: operands first — tensors (a <c>Tensor[]</c>
/// parameter takes the variadic list) and host ints, which a kernel takes as <c>long</c> (an
/// attribute is never a <c>long</c>, so the type tells them apart) — then attributes bound by
/// parameter name.</summary>
public sealed class KernelBinding
{
    private readonly Func<object?[], object?> _invoke;

    internal KernelBinding(string op, MethodInfo method)
    {
        Op = op;
        Method = method;
        var parameters = method.GetParameters();
        var operandCount = 0;
        while (operandCount < parameters.Length && parameters[operandCount].ParameterType is var t && (t == typeof(Tensor) || t == typeof(Tensor[]) || t == typeof(long)))
            operandCount++;
        OperandParameters = parameters[..operandCount];
        AttributeParameters = parameters[operandCount..];
        Variadic = OperandParameters.Count == 1 && OperandParameters[0].ParameterType == typeof(Tensor[]);
        _invoke = args => method.Invoke(null, BindingFlags.DoNotWrapExceptions, null, args, null);
    }

    public string Op { get; }

    public MethodInfo Method { get; }

    public IReadOnlyList<ParameterInfo> OperandParameters { get; }

    /// <summary>The attribute parameters; their names are the attribute names.</summary>
    public IReadOnlyList<ParameterInfo> AttributeParameters { get; }

    public bool Variadic { get; }

    /// <summary>Calls the kernel and returns its results as a list (a tensor, the tensors of a
    /// <c>Tensor[]</c> or tuple result, or the host float of <c>item</c>). Operands are tensors
    /// and, for a <c>long</c> parameter, host ints.</summary>
    public IReadOnlyList<object> Invoke(IReadOnlyList<object> operands, Attrs attrs)
    {
        var args = new object?[OperandParameters.Count + AttributeParameters.Count];
        if (Variadic)
        {
            args[0] = operands.Cast<Tensor>().ToArray();
        }
        else
        {
            if (operands.Count != OperandParameters.Count)
                throw new ArgumentException($"{Op} takes {OperandParameters.Count} operand(s), got {operands.Count}");
            for (var i = 0; i < operands.Count; i++) args[i] = Operand(i, operands[i]);
        }
        for (var i = 0; i < AttributeParameters.Count; i++)
        {
            var p = AttributeParameters[i];
            var value = attrs[p.Name!] ?? throw new ArgumentException($"{Op} needs attribute '{p.Name}'");
            args[OperandParameters.Count + i] = value.ToClr();
        }
        return Unpack(_invoke(args));
    }

    private object Operand(int i, object value)
    {
        var p = OperandParameters[i];
        if (p.ParameterType == typeof(long))
            return value is int or long ? System.Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)
                : throw new ArgumentException($"{Op}: operand '{p.Name}' must be a host int, got {value.GetType().Name}");
        return value as Tensor ?? throw new ArgumentException($"{Op}: operand '{p.Name}' must be a tensor, got {value.GetType().Name}");
    }

    private IReadOnlyList<object> Unpack(object? result) => result switch
    {
        Tensor t => [t],
        Tensor[] ts => ts,
        ITuple tuple => Enumerable.Range(0, tuple.Length).Select(i => tuple[i] ?? throw new InvalidOperationException($"{Op} returned a null element")).ToArray(),
        float f => [f],
        int i => [i],
        bool b => [b],
        _ => throw new InvalidOperationException($"{Op} returned an unsupported value {result?.GetType().Name ?? "null"}"),
    };
}
