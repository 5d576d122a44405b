using System.Reflection;
using System.Runtime.CompilerServices;
using DyCompile.Runtime;

namespace DyCompile.IR;

/// <summary>How one <c>[OpKernel]</c> method is called: tensor operands first (a <c>Tensor[]</c>
/// parameter takes the variadic list), then attributes bound by parameter name.</summary>
public sealed class KernelBinding
{
    private readonly Func<object?[], object?> _invoke;

    internal KernelBinding(string op, MethodInfo method)
    {
        Op = op;
        Method = method;
        var parameters = method.GetParameters();
        var operandCount = 0;
        while (operandCount < parameters.Length && parameters[operandCount].ParameterType is var t && (t == typeof(Tensor) || t == typeof(Tensor[])))
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
    /// <c>Tensor[]</c> or tuple result, or the host float of <c>item</c>).</summary>
    public IReadOnlyList<object> Invoke(IReadOnlyList<Tensor> operands, Attrs attrs)
    {
        var args = new object?[OperandParameters.Count + AttributeParameters.Count];
        if (Variadic)
        {
            args[0] = operands.ToArray();
        }
        else
        {
            if (operands.Count != OperandParameters.Count)
                throw new ArgumentException($"{Op} takes {OperandParameters.Count} operand(s), got {operands.Count}");
            for (var i = 0; i < operands.Count; i++) args[i] = operands[i];
        }
        for (var i = 0; i < AttributeParameters.Count; i++)
        {
            var p = AttributeParameters[i];
            var value = attrs[p.Name!] ?? throw new ArgumentException($"{Op} needs attribute '{p.Name}'");
            args[OperandParameters.Count + i] = value.ToClr();
        }
        return Unpack(_invoke(args));
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
