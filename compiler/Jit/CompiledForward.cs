using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile;

/// <summary>A compiled program behind a delegate with the model's forward signature, e.g.
/// <c>Func&lt;Tensor, float, int, (Tensor, int)&gt;</c> for
/// <c>(Tensor Logits, int Exit) Forward(Tensor x, float threshold, int steps)</c>: tensors are
/// <see cref="Tensor"/>, host scalars <c>int</c>/<c>float</c>/<c>bool</c>, several results a
/// value tuple. It behaves like the eager method: result tensors are the caller's to keep (copies
/// of the dispatcher's buffers), and it may be called from many threads at once (each call runs on
/// an execution state of its own, <see cref="CompiledProgram.RunInto"/>). For the allocation-free
/// path use a <see cref="CompiledProgram.OpenSession">session</see>.</summary>
public static class CompiledForward
{
    /// <exception cref="ArgumentException">The delegate's parameters or return type do not match
    /// the program's inputs and results; the message gives the signature that would.</exception>
    public static TDelegate AsDelegate<TDelegate>(this CompiledProgram program) where TDelegate : Delegate
    {
        var invoke = typeof(TDelegate).GetMethod("Invoke")!;
        var parameters = invoke.GetParameters();
        var inputs = program.Program.Inputs.Select(i => i.Type).ToArray();
        var results = program.Program.ResultTypes;
        var expected = ClrSignature(inputs, results);
        if (parameters.Length != inputs.Length
            || parameters.Where((p, i) => p.ParameterType != ClrType(inputs[i])).Any()
            || !ReturnMatches(invoke.ReturnType, results))
            throw new ArgumentException($"{typeof(TDelegate).Name} does not match program @{program.Program.Name}: use a delegate of {expected}");

        var arguments = parameters.Select(p => Expression.Parameter(p.ParameterType, p.Name)).ToArray();
        var runner = new Runner(program);
        var outputs = Expression.Variable(typeof(object[]), "outputs");
        var run = Expression.Call(Expression.Constant(runner), typeof(Runner).GetMethod(nameof(Runner.Run))!,
            Expression.NewArrayInit(typeof(object), arguments.Select(a => Expression.Convert(a, typeof(object)))));
        Expression Output(int i) => Expression.Convert(Expression.ArrayIndex(outputs, Expression.Constant(i)), ClrType(results[i]));
        Expression result = results.Length == 1
            ? Output(0)
            : Expression.New(invoke.ReturnType.GetConstructor([.. invoke.ReturnType.GetGenericArguments()])!, Enumerable.Range(0, results.Length).Select(Output));
        var body = Expression.Block([outputs], Expression.Assign(outputs, run), result);
        return Expression.Lambda<TDelegate>(body, arguments).Compile();
    }

    private static bool ReturnMatches(Type type, IReadOnlyList<IRType> results)
    {
        if (results.Count == 1) return type == ClrType(results[0]);
        return type.IsGenericType && type.IsValueType && typeof(ITuple).IsAssignableFrom(type) && results.Count <= 7
            && type.GetGenericArguments().Select(t => t).SequenceEqual(results.Select(ClrType));
    }

    private static Type ClrType(IRType type) => type switch
    {
        TensorType => typeof(Tensor),
        ScalarType { Kind: ScalarKind.Int } => typeof(int),
        ScalarType { Kind: ScalarKind.Float } => typeof(float),
        ScalarType { Kind: ScalarKind.Bool } => typeof(bool),
        _ => throw new ArgumentException($"no .NET type for {type}"),
    };

    private static string ClrSignature(IReadOnlyList<IRType> inputs, IReadOnlyList<IRType> results)
    {
        static string Name(IRType t) => ClrType(t) switch
        {
            var c when c == typeof(int) => "int",
            var c when c == typeof(float) => "float",
            var c when c == typeof(bool) => "bool",
            var c => c.Name,
        };
        var returns = results.Count == 1 ? Name(results[0]) : "(" + string.Join(", ", results.Select(Name)) + ")";
        return $"Func<{string.Join(", ", inputs.Select(Name).Append(returns))}>";
    }

    /// <summary>Runs the program on a pooled execution state; the results are the caller's.</summary>
    private sealed class Runner(CompiledProgram program)
    {
        public object[] Run(object[] inputs)
        {
            var outputs = new object[program.Program.ResultTypes.Length];
            program.RunInto(inputs, outputs);
            return outputs;
        }
    }
}
