using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using DyCompile.IR;
using DyCompile.Runtime;
using DyCompile.Runtime.Nn;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace DyCompile.Compiler.Lowering;

/// <summary>Calls: a method's meaning by what it is — a tensor op (<c>[OpKernel]</c>/<c>[LowersTo]</c>),
/// a built-in module's Forward, a <c>List&lt;Tensor&gt;</c> method, an enumerator step, host math,
/// a tensor factory, or a method with source, which is inlined.</summary>
internal sealed class CallLowerer(MethodLowerer lowerer)
{
    private LoweringState State => lowerer.State;
    private EmissionContext Context => lowerer.Context;
    private ValueEmitter Values => lowerer.Values;
    private ExpressionLowerer Expressions => lowerer.Expressions;
    private InlineLowerer Inliner => lowerer.Inliner;
    private DispatchLowerer Dispatcher => lowerer.Dispatcher;

    internal AbstractValue Invoke(IInvocationOperation op)
    {
        var method = op.TargetMethod;
        var receiver = op.Instance is null ? null : Expressions.Eval(op.Instance);
        if (receiver is not null) Context.InFlight.Add(receiver);
        var args = new List<(IParameterSymbol, AbstractValue)>();
        var mark = Context.InFlight.Count;
        foreach (var a in op.Arguments)
        {
            if (a.Parameter?.RefKind is RefKind.Ref or RefKind.Out)
                throw State.Fail(DiagnosticIds.RefOrOut, a, "ref and out arguments cannot compile; return the values (a tuple for several)");
            var v = Expressions.Eval(a.Value);
            args.Add((a.Parameter!, v));
            Context.InFlight.Add(v);
        }
        Context.InFlight.RemoveRange(mark, Context.InFlight.Count - mark);
        if (receiver is not null) Context.InFlight.RemoveAt(Context.InFlight.Count - 1);
        args.Sort((x, y) => x.Item1.Ordinal.CompareTo(y.Item1.Ordinal));
        return CallMethod(method, receiver, args, op);
    }

    internal AbstractValue CallMethod(IMethodSymbol method, AbstractValue? receiver, List<(IParameterSymbol Parameter, AbstractValue Value)> args, IOperation at)
    {
        if (receiver is DispatchValue picked)
            return Dispatcher.Dispatch(method, picked, args, at);
        // 'base.Forward(x)' is not virtual: it runs the base class's body.
        if (receiver is StaticValue { Object: { } known } && !method.IsStatic && at is not IInvocationOperation { IsVirtual: false })
            method = Devirtualize(method, known, at);
        if (receiver is StaticValue { Object: null } nothing && !method.IsStatic)
            throw Values.NullUse(nothing, at is IInvocationOperation { Instance: { } instance } ? instance : at);
        if (method.Name is "Get" or "GetOrNull" && method.ContainingType.ToDisplayString() == "DyCompile.Runtime.Nn.Module")
            return RegisteredTensor(method, receiver, args, at);
        var op = OpOf(method);
        if (op is not null && receiver is StaticValue { Object: Module module })
            return ModuleOp(op, module, args, at);
        if (op is not null)
            return TensorOp(op, method, receiver, args, at);
        if (receiver is TupleValue list && ExpressionLowerer.IsTensorList(method.ContainingType))
            return ListCall(method, list, args, at);
        if (receiver is StaticValue { Object: LSTMCell cell } && method.Name == "Forward")
            return LstmCellExpansion.Expand(Values, cell, args.Select(a => a.Value).ToList(), at);
        if (receiver is StaticValue { Object: StaticEnumerator e })
            return method.Name switch
            {
                "MoveNext" => AdvanceEnumerator(e, at),
                "Dispose" => StaticValue.Null,
                _ => throw State.Fail(DiagnosticIds.UnknownMethod, at, $"'{method.Name}' on an enumerator cannot compile; use foreach"),
            };
        if (method.Name == "GetEnumerator" && receiver is StaticValue { Object: System.Collections.IEnumerable items })
            return new StaticValue(new StaticEnumerator([.. items.Cast<object?>()], -1));
        // An array of constants (new[] { 1f, 2f }) unrolls like a module list.
        if (method.Name == "GetEnumerator" && receiver is TupleValue { Items: var constants } && constants.All(c => c is StaticValue))
            return new StaticValue(new StaticEnumerator([.. constants.Select(c => ((StaticValue)c).Object)], -1));
        if (method.Name == "GetEnumerator" && receiver is TupleValue)
            throw State.Fail(DiagnosticIds.UnsupportedStatement, at,
                "foreach over an array that holds run-time tensors cannot compile; index it in a counted loop instead ('for (var i = 0; i < items.Length; i++) … items[i]' unrolls), or keep modules in a ModuleList");
        if (method.DeclaringSyntaxReferences.Length > 0 && !method.IsAbstract && method.MethodKind == MethodKind.Ordinary)
            return Inliner.Inline(method, receiver, args, at);
        if (receiver is DynamicValue { Value.Type: TensorType t } && method.Name == "Dim" && args is [(_, StaticValue { Object: int axis })])
        {
            var a = axis < 0 ? axis + t.Rank : axis;
            if (a >= 0 && a < t.Rank && t.Shape[a] != TensorType.Dynamic) return new StaticValue(t.Shape[a]);
            if (a < 0 || a >= t.Rank)
                throw State.Fail(DiagnosticIds.ShapeError, at, $"'{at.Syntax}' reads dimension {axis} of {t}, which has {t.Rank} dimension(s)");
            // The size may be dynamic only because a loop-carried tensor was widened: unrolling the
            // loop by its counter gives every iteration static sizes, which the rest of the body
            // can use as attributes. Once those counters were kept known, the size is read at run time.
            var unroll = State.WidenedLoopCounters.Where(c => !State.Plan.KeepsKnown(c.Method, c.Slot)).ToList();
            if (unroll.Count > 0)
                throw new RestartException(MethodLowerer.MakeDiagnostic(DiagnosticIds.NotCompileTimeConstant, DiagnosticSeverity.Error, at.Syntax,
                    $"dimension {axis} of {t} changes from one iteration to the next"), RestartRequest.Keeping([.. unroll]));
            return new DynamicValue(Values.Host("dim", receiver is DynamicValue d ? d.Value : throw new InvalidOperationException(), Context.Block.Const(a)));
        }
        if (method.ContainingType.ToDisplayString() is "System.Math" or "System.MathF"
            || method.IsStatic && method.ContainingType.SpecialType is SpecialType.System_Single or SpecialType.System_Double && method.Name is "IsNaN" or "IsInfinity" or "IsFinite")
            return MathCall(method, args, at);
        if (method.IsStatic && method.ContainingType.ToDisplayString() == "DyCompile.Runtime.Tensor" && method.Name is "Zeros" or "Full" or "Scalar")
            return TensorFactory(method, args, at);
        throw UnknownMethod(method, at);
    }

    /// <summary>The method a virtual, abstract or interface call runs on <paramref name="instance"/>: the
    /// instance is known at compile time, so its own type decides, as it does when the model runs
    /// (each element of a <c>ModuleList&lt;ExpertBase&gt;</c> calls its own override).</summary>
    private IMethodSymbol Devirtualize(IMethodSymbol method, object instance, IOperation at)
    {
        var isInterface = method.ContainingType.TypeKind == TypeKind.Interface;
        if (!isInterface && !method.IsVirtual && !method.IsAbstract && !method.IsOverride) return method;
        var runtimeType = instance.GetType();
        if (runtimeType.IsGenericType || runtimeType.FullName is not { } fullName) return method;
        var type = State.Compilation.GetTypeByMetadataName(fullName);
        if (type is null) return method;
        if (isInterface)
            return type.FindImplementationForInterfaceMember(method) as IMethodSymbol ?? method;
        var target = method.OriginalDefinition;
        for (var t = type; t is not null; t = t.BaseType)
            foreach (var candidate in t.GetMembers(method.Name).OfType<IMethodSymbol>())
                for (var m = candidate; m is not null; m = m.OverriddenMethod)
                    if (SymbolEqualityComparer.Default.Equals(m.OriginalDefinition, target))
                        return candidate.IsAbstract
                            ? throw State.Fail(DiagnosticIds.UnknownMethod, at, $"'{method.Name}' is abstract in {runtimeType.Name}; give the module's class a body for it")
                            : candidate;
        return method;
    }

    /// <summary>A <c>List&lt;Tensor&gt;</c> held in a local: its items are known at compile time (each a
    /// tensor of the program), so <c>Add</c> gives the local a list one item longer. A list grown in a
    /// loop needs the loop unrolled (each step has one more item): the loop's counters are asked to
    /// stay known; a loop whose trip count is known only at run time cannot grow a list.</summary>
    private AbstractValue ListCall(IMethodSymbol method, TupleValue list, List<(IParameterSymbol Parameter, AbstractValue Value)> args, IOperation at)
    {
        switch (method.Name)
        {
            case "ToArray":
                return list;
            case "Add" or "Clear" when at is IInvocationOperation { Instance: ILocalReferenceOperation local }:
                if (method.Name == "Add")
                {
                    var counters = Context.Slots.Values.OfType<DynamicValue>().Where(d => d.Value.Type == IRType.Int)
                        .SelectMany(d => State.OriginsOf(Context.Use(d.Value))).Where(o => !State.Plan.KeepsKnown(o.Method, o.Slot)).ToHashSet();
                    if (counters.Count > 0)
                        throw new RestartException(MethodLowerer.MakeDiagnostic(DiagnosticIds.NotCompileTimeConstant, DiagnosticSeverity.Error, at.Syntax, ListInLoopMessage(local.Local.Name)),
                            RestartRequest.Keeping([.. counters]));
                }
                // Each item is a copy of the loop body: a list this long means the loop has no bound
                // the compiler can unroll to (it would run out of blocks, slowly).
                if (method.Name == "Add" && list.Items.Length >= MaxListItems)
                    throw State.Fail(DiagnosticIds.NotCompileTimeConstant, at, ListInLoopMessage(local.Local.Name));
                Context.Slots[local.Local] = method.Name == "Add" ? new TupleValue([.. list.Items, args[0].Value]) : new TupleValue([]);
                State.ListsGrown = true;
                return StaticValue.Null;
            case "Add" or "Clear":
                throw State.Fail(DiagnosticIds.UnsupportedExpression, at, $"'{at.Syntax}' changes a list that is not a local; keep the List<Tensor> in a local of the forward method");
            default:
                throw State.Fail(DiagnosticIds.UnknownMethod, at,
                    $"List<Tensor>.{method.Name} cannot compile; a list of tensors supports Add, Clear, Count, [i] with an index known at compile time, ToArray() and [.. list] (e.g. TensorOps.Concat([.. list], 0))");
        }
    }

    /// <summary>The most items a list of tensors holds: every item is one unrolled copy of the loop
    /// body, with one block parameter per item at each copy's head.</summary>
    internal const int MaxListItems = 64;

    private static string ListInLoopMessage(string name) =>
        $"'{name}' grows in a loop whose number of steps is known only at run time (or past {MaxListItems} items), and a program cannot hold a list of varying length; "
        + "bound the loop by a constant or a module list (it then unrolls), or collect into one tensor: 'acc = TensorOps.Concat([acc, step], 0)' starting from an empty tensor such as Tensor.Zeros(0, 4)";

    /// <summary><c>Get("name")</c> / <c>GetOrNull("name")</c> with a compile-time name: the module's own
    /// registered parameter or buffer, a weight under its state-dict name.</summary>
    private AbstractValue RegisteredTensor(IMethodSymbol method, AbstractValue? receiver, List<(IParameterSymbol Parameter, AbstractValue Value)> args, IOperation at)
    {
        if (receiver is not StaticValue { Object: Module module })
            throw State.Fail(DiagnosticIds.UnsupportedExpression, at, $"'{at.Syntax}' must be called on the model or a submodule known at compile time");
        if (args is not [(_, StaticValue { Object: string name })])
            throw State.Fail(DiagnosticIds.NotCompileTimeConstant, at, $"the name in '{at.Syntax}' must be known at compile time: a string literal, a const or a readonly field");
        var getOrNull = typeof(Module).GetMethod("GetOrNull", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!;
        var tensor = (Tensor?)getOrNull.Invoke(module, [name]);
        if (tensor is not null) return new StaticValue(tensor);
        if (method.Name == "GetOrNull") return StaticValue.Null;
        var known = module.NamedParameters().Concat(module.NamedBuffers()).Select(p => p.Name).Where(n => !n.Contains('.', StringComparison.Ordinal)).ToList();
        throw State.Fail(DiagnosticIds.UnknownParameterName, at,
            $"{module.GetType().Name} has no parameter or buffer '{name}' (it registers {(known.Count == 0 ? "none" : string.Join(", ", known.Select(n => $"'{n}'")))}); use a name passed to RegisterParameter or RegisterBuffer");
    }

    private LoweringException UnknownMethod(IMethodSymbol method, IOperation at)
    {
        var type = method.ContainingType?.ToDisplayString() ?? "";
        var ns = method.ContainingNamespace?.ToDisplayString() ?? "";
        if (ns.StartsWith("System.Linq", StringComparison.Ordinal))
            return State.Fail(DiagnosticIds.Linq, at, $"LINQ ('{method.Name}') cannot compile; write a foreach or for loop");
        if (type is "System.Console" or "System.Diagnostics.Debug" or "System.Diagnostics.Trace" || ns.StartsWith("System.IO", StringComparison.Ordinal) || ns.StartsWith("System.Net", StringComparison.Ordinal))
            return State.Fail(DiagnosticIds.InputOutput, at, $"I/O ('{type}.{method.Name}') cannot compile; move it out of the forward method, or leave it to the eager host fallback (non-strict mode)");
        return State.Fail(DiagnosticIds.UnknownMethod, at,
            $"'{type}.{method.Name}' is not a tensor op (no [OpKernel]/[LowersTo]), a module's Forward, or a method of the model with source; call a supported op or write a helper method in the model");
    }

    private AbstractValue AdvanceEnumerator(StaticEnumerator e, IOperation at)
    {
        var next = e with { Index = e.Index + 1 };
        // The enumerator lives in a flow capture (foreach) or a local: replace it there.
        var slot = Context.Slots.FirstOrDefault(kv => kv.Value is StaticValue { Object: var o } && ReferenceEquals(o, e)).Key
            ?? throw State.Fail(DiagnosticIds.UnsupportedStatement, at, "enumerators can only be used by foreach");
        Context.Slots[slot] = new StaticValue(next);
        return new StaticValue(next.Index < next.Items.Count);
    }

    /// <summary><c>Tensor.Zeros</c>, <c>Full</c>, <c>Scalar</c>: constants when the arguments are
    /// known; a run-time float becomes <c>tensor.from_scalar</c> (expanded for <c>Full</c>).</summary>
    private AbstractValue TensorFactory(IMethodSymbol method, List<(IParameterSymbol Parameter, AbstractValue Value)> args, IOperation at)
    {
        if (args.All(a => a.Value is StaticValue))
        {
            var info = typeof(Tensor).GetMethods().First(m => m.Name == method.Name && m.GetParameters().Select(p => p.ParameterType.Name)
                .SequenceEqual(method.Parameters.Select(p => p.Type is IArrayTypeSymbol a ? a.ElementType.MetadataName + "[]" : p.Type.MetadataName)));
            try
            {
                return new StaticValue(new CompileTimeTensor((Tensor)info.Invoke(null, [.. args.Select(a => ((StaticValue)a.Value).Object)])!));
            }
            catch (System.Reflection.TargetInvocationException e)
            {
                throw State.Fail(DiagnosticIds.ShapeError, at, $"'{at.Syntax}' fails: {e.InnerException?.Message}");
            }
        }
        if (method.Name is "Scalar" or "Full" && args[0].Value is DynamicValue { Value.Type: ScalarType } && method.Parameters[0].Type.SpecialType == SpecialType.System_Single)
        {
            var scalar = Context.Block.FromScalar(Values.HostScalar(args[0].Value, ScalarKind.Float, at));
            if (method.Name == "Scalar") return new DynamicValue(scalar);
            if (args[1].Value is not StaticValue { Object: int[] shape })
                throw State.Fail(DiagnosticIds.NotCompileTimeConstant, at, $"the shape of '{at.Syntax}' must be known at compile time");
            return new DynamicValue(Values.Emit("expand", [scalar], new Attrs { { "shape", shape } }, at));
        }
        if (args.Any(a => a.Value is DynamicValue { Value.Type: ScalarType { Kind: ScalarKind.Int } } || a.Value is TupleValue))
            throw State.Fail(DiagnosticIds.NotCompileTimeConstant, at,
                $"'{at.Syntax}' creates a tensor whose size is known only at run time (such as x.Dim(0) of a dynamic dimension), and the IR gives every created tensor a size known at compile time; "
                + "derive it from a tensor that has that size instead ('x * 0f' gives zeros shaped like x, 'x.Narrow(1, 0, 1) * 0f' one column of them), or give the input a static shape");
        throw State.Fail(DiagnosticIds.NotCompileTimeConstant, at, $"'{at.Syntax}' needs arguments known at compile time (a run-time float value is allowed for Scalar and Full)");
    }

    /// <summary>The host op of each <c>Math</c>/<c>MathF</c> function (and <c>float.IsNaN</c> …) on run-time scalars.</summary>
    private static readonly Dictionary<string, string> HostMath = new()
    {
        ["Min"] = "min", ["Max"] = "max", ["Abs"] = "abs", ["Sqrt"] = "sqrt", ["Exp"] = "exp", ["Log"] = "log",
        ["Round"] = "round", ["Floor"] = "floor", ["Ceiling"] = "ceil", ["Pow"] = "pow",
        ["IsNaN"] = "isnan", ["IsInfinity"] = "isinf", ["IsFinite"] = "isfinite",
    };

    private AbstractValue MathCall(IMethodSymbol method, List<(IParameterSymbol Parameter, AbstractValue Value)> args, IOperation at)
    {
        if (args.All(a => a.Value is StaticValue { Object: int or float or double }))
        {
            var type = method.ContainingType.SpecialType switch
            {
                SpecialType.System_Single => typeof(float),
                SpecialType.System_Double => typeof(double),
                _ => Type.GetType(method.ContainingType.ToDisplayString())!,
            };
            var info = type.GetMethods().FirstOrDefault(m => m.Name == method.Name && m.GetParameters().Select(p => p.ParameterType.Name)
                .SequenceEqual(method.Parameters.Select(p => p.Type.MetadataName)));
            if (info is not null) return new StaticValue(info.Invoke(null, [.. args.Select(a => ((StaticValue)a.Value).Object)]));
        }
        var parameterTypes = method.Parameters.Select(p => p.Type.SpecialType).ToList();
        var arity = method.Name is "Min" or "Max" or "Pow" ? 2 : 1;
        var numeric = parameterTypes.All(t => t is SpecialType.System_Int32 or SpecialType.System_Single or SpecialType.System_Double);
        if (!HostMath.TryGetValue(method.Name, out var op) || args.Count != arity || !numeric
            || parameterTypes.Contains(SpecialType.System_Int32) && method.Name is not ("Min" or "Max" or "Abs"))
            throw State.Fail(DiagnosticIds.UnknownMethod, at,
                $"{method.ContainingType.Name}.{method.Name}({string.Join(", ", method.Parameters.Select(p => p.Type.ToDisplayString()))}) on run-time values cannot compile; "
                + "host scalars support + - * / % and comparisons, Math/MathF Min, Max, Abs, Sqrt, Exp, Log, Pow, Round (one argument), Floor, Ceiling, and float.IsNaN, IsInfinity, IsFinite; use tensor ops for the rest");
        if (parameterTypes.Contains(SpecialType.System_Double))
            State.Warn(DiagnosticIds.UnsupportedType, at, $"{method.ContainingType.Name}.{method.Name} on a run-time double runs in float (the IR's host float is 32-bit), so results may differ from the eager double computation; call MathF.{method.Name} on a float");
        var kind = parameterTypes[0] == SpecialType.System_Int32 ? ScalarKind.Int : ScalarKind.Float;
        var operands = args.Select(a => Values.HostScalar(a.Value, kind, at)).ToArray();
        if (op == "isfinite")
            return new DynamicValue(Values.Host("not", Values.Host("or", Values.Host("isnan", operands), Values.Host("isinf", operands))));
        return new DynamicValue(Values.Host(op, operands));
    }

    /// <summary>The op a method means: its <c>[LowersTo]</c> or <c>[OpKernel]</c> attribute.</summary>
    internal static string? OpOf(IMethodSymbol method)
    {
        foreach (var attribute in method.GetAttributes())
        {
            var name = attribute.AttributeClass?.ToDisplayString();
            if (name is "DyCompile.Runtime.LowersToAttribute" or "DyCompile.Runtime.OpKernelAttribute"
                && attribute.ConstructorArguments is [{ Value: string op }])
                return op;
        }
        return null;
    }

    private AbstractValue TensorOp(string op, IMethodSymbol method, AbstractValue? receiver, List<(IParameterSymbol Parameter, AbstractValue Value)> args, IOperation at)
    {
        if (!KernelRegistry.TryGet(op, out var kernel))
            throw State.Fail(DiagnosticIds.UnknownMethod, at, $"'{method.Name}' lowers to op '{op}', which has no kernel in the runtime");
        var operands = new List<AbstractValue>();
        var attrValues = new Dictionary<string, AbstractValue>();
        if (receiver is not null) operands.Add(receiver);
        var attrNames = kernel.AttributeParameters.Select(p => p.Name!).ToHashSet();
        foreach (var (parameter, value) in args)
        {
            if (attrNames.Contains(parameter.Name)) attrValues[parameter.Name] = value;
            else operands.Add(value);
        }
        // Slice's bounds decide the size of its result, so they stay attributes; only Narrow, whose
        // length fixes the size, takes a start known at run time.
        if (op == "slice" && !args.Any(a => a.Parameter.Name == "length"))
            foreach (var bound in new[] { "start", "end" })
                if (attrValues.TryGetValue(bound, out var value) && value is DynamicValue runTime)
                    throw Values.NeedStatic(runTime.Value, DiagnosticIds.NotCompileTimeConstant, at,
                        $"'{bound}' of '{at.Syntax}' must be known at compile time (the bounds decide the size of the result); for a start known only at run time and a fixed length, use x.Narrow(dim, start, length)");
        // Narrow is slice with a length: end = start + length.
        if (op == "slice" && args.Any(a => a.Parameter.Name == "length"))
        {
            var length = args.First(a => a.Parameter.Name == "length").Value;
            // A start known only at run time (a loop counter) becomes the operand of narrow, so the
            // loop stays one loop instead of unrolling to make the start an attribute.
            if (attrValues["start"] is DynamicValue { Value.Type: ScalarType { Kind: ScalarKind.Int } } runTimeStart)
                return new DynamicValue(Values.Emit("narrow", [Values.TensorOperand(operands[0], at), Context.Use(runTimeStart.Value)],
                    new Attrs { { "dim", StaticInt(attrValues["dim"], at) }, { "length", StaticInt(length, at) } }, at));
            var start = StaticInt(attrValues["start"], at);
            var dim = StaticInt(attrValues["dim"], at);
            if (start < 0)
            {
                var t = (TensorType)Values.TensorOperand(operands[0], at).Type;
                var d = dim < 0 ? dim + t.Rank : dim;
                if (d < 0 || d >= t.Rank)
                    throw State.Fail(DiagnosticIds.ShapeError, at, $"'{at.Syntax}' narrows dimension {dim} of {t}, which has {t.Rank} dimension(s)");
                if (t.Shape[d] == TensorType.Dynamic)
                {
                    // A start counted from the end of a dimension known only at run time: start + size.
                    var input = Values.TensorOperand(operands[0], at);
                    var fromEnd = Values.Host("add", Context.Block.Const(start), Values.Host("dim", input, Context.Block.Const(d)));
                    return new DynamicValue(Values.Emit("narrow", [input, fromEnd], new Attrs { { "dim", dim }, { "length", StaticInt(length, at) } }, at));
                }
                start += t.Shape[d];
                attrValues["start"] = new StaticValue(start);
            }
            attrValues["end"] = new StaticValue(start + StaticInt(length, at));
            attrValues["step"] = new StaticValue(1);
            operands.RemoveAll(o => ReferenceEquals(o, length));
        }
        return EmitKernel(op, kernel, operands, attrValues, at);
    }

    internal AbstractValue EmitKernel(string op, KernelBinding kernel, List<AbstractValue> operands, Dictionary<string, AbstractValue> attrValues, IOperation at)
    {
        var values = new List<Value>();
        foreach (var o in operands)
        {
            if (o is TupleValue t && kernel.Variadic) values.AddRange(t.Items.Select(i => Values.TensorOperand(i, at)));
            else values.Add(Values.TensorOperand(o, at));
        }
        if (kernel.Variadic && values.Count == 0)
            throw State.Fail(DiagnosticIds.ShapeError, at,
                $"'{at.Syntax}' gets no tensors on a path the program can take (a list filled by a loop that may run zero times, or whose number of steps is known only at run time); "
                + "bound the loop by a constant or a module list, or collect into one tensor: 'acc = TensorOps.Concat([acc, step], 0)' starting from an empty tensor such as Tensor.Zeros(0, 4)");
        var attrs = new Attrs();
        foreach (var p in kernel.AttributeParameters)
        {
            if (attrValues.TryGetValue(p.Name!, out var v)) attrs.Add(p.Name!, Attribute(v, p.ParameterType, p.Name!, at));
            else if (p.HasDefaultValue && p.DefaultValue is not null) attrs.Add(p.Name!, Attribute(new StaticValue(p.DefaultValue), p.ParameterType, p.Name!, at));
            else if (p.ParameterType == typeof(bool)) attrs.Add(p.Name!, false);
            else throw State.Fail(DiagnosticIds.UnsupportedExpression, at, $"op '{op}' needs attribute '{p.Name}', which this call does not give");
        }
        IReadOnlyList<Value> results;
        try
        {
            results = Context.Block.Ops(op, [.. values.Select(Context.Use)], attrs);
        }
        catch (IRTypeException e)
        {
            throw State.Fail(DiagnosticIds.ShapeError, at, $"{e.Message}; check the shapes of the operands of '{at.Syntax}'");
        }
        if (results.Count == 1 && kernel.Method.ReturnType != typeof(Tensor[])) return new DynamicValue(results[0]);
        return new TupleValue([.. results.Select(r => (AbstractValue)new DynamicValue(r))]);
    }

    private AttrValue Attribute(AbstractValue value, Type type, string name, IOperation at)
    {
        if (value is DynamicValue d)
            throw Values.NeedStatic(d.Value, DiagnosticIds.NotCompileTimeConstant, at,
                $"'{name}' of '{at.Syntax}' must be known at compile time: a constant, a readonly field, or a loop counter bounded by a constant");
        var o = (value as StaticValue)?.Object;
        try
        {
            if (type == typeof(int)) return System.Convert.ToInt32(o, System.Globalization.CultureInfo.InvariantCulture);
            if (type == typeof(float)) return System.Convert.ToSingle(o, System.Globalization.CultureInfo.InvariantCulture);
            if (type == typeof(bool)) return (bool)o!;
            if (type == typeof(int[])) return (int[])o!;
            if (type == typeof(DType)) return (DType)o!;
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException or NullReferenceException)
        {
        }
        throw State.Fail(DiagnosticIds.NotCompileTimeConstant, at, $"'{name}' of '{at.Syntax}' must be a compile-time {type.Name}");
    }

    private int StaticInt(AbstractValue value, IOperation at) => value switch
    {
        StaticValue { Object: int i } => i,
        DynamicValue d => throw Values.NeedStatic(d.Value, DiagnosticIds.NotCompileTimeConstant, at, $"'{at.Syntax}' needs int arguments known at compile time"),
        _ => throw State.Fail(DiagnosticIds.NotCompileTimeConstant, at, $"'{at.Syntax}' needs int arguments known at compile time"),
    };

    /// <summary>A built-in module's Forward marked <c>[LowersTo(op)]</c>: its argument is the op's
    /// first operand; every other kernel parameter comes from the module by name.</summary>
    private AbstractValue ModuleOp(string op, Module module, List<(IParameterSymbol Parameter, AbstractValue Value)> args, IOperation at)
    {
        if (!KernelRegistry.TryGet(op, out var kernel))
            throw State.Fail(DiagnosticIds.UnknownMethod, at, $"{module.GetType().Name}.Forward lowers to op '{op}', which has no kernel in the runtime");
        var operands = new List<AbstractValue> { args[0].Value };
        foreach (var p in kernel.OperandParameters.Skip(1)) operands.Add(new StaticValue(ModuleArgument(module, p.Name!, at)));
        var attrs = kernel.AttributeParameters.ToDictionary(p => p.Name!, p => (AbstractValue)new StaticValue(ModuleArgument(module, p.Name!, at)));
        return EmitKernel(op, kernel, operands, attrs, at);
    }

    private object? ModuleArgument(Module module, string parameter, IOperation at)
    {
        var properties = module.GetType().GetProperties();
        var property = properties.FirstOrDefault(p => p.GetCustomAttributes(typeof(KernelArgumentAttribute), false).OfType<KernelArgumentAttribute>().Any(a => a.Parameter == parameter))
            ?? properties.FirstOrDefault(p => string.Equals(p.Name, parameter, StringComparison.OrdinalIgnoreCase))
            ?? throw State.Fail(DiagnosticIds.UnknownMethod, at, $"{module.GetType().Name} has no property for the kernel parameter '{parameter}' (see [KernelArgument])");
        var value = property.GetValue(module);
        if (value is Tensor t) State.WeightNames.Suggest(t, module, property.Name);
        return value;
    }
}
