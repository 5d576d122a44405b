using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using DyCompile.IR;
using DyCompile.Runtime;
using DyCompile.Runtime.Nn;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace DyCompile.Compiler.Lowering;

/// <summary>IR values from what the compiler knows: constants, weights and host scalars
/// materialized in the current block, tensor operands, ops emitted with their shape errors as
/// diagnostics, and the diagnostics (or restarts) of a value that is null or not known in time.</summary>
internal sealed class ValueEmitter(MethodLowerer lowerer)
{
    private LoweringState State => lowerer.State;
    private EmissionContext Context => lowerer.Context;

    internal Value Param(BlockBuilder block, Value from, string hint, IRType? type = null)
    {
        var p = block.Parameter(State.Unique(hint), type ?? from.Type);
        if (State.Origins.TryGetValue(from, out var o)) State.Origins[p] = [.. o];
        return p;
    }

    internal static IEnumerable<Value> Flatten(IEnumerable<AbstractValue> values)
    {
        foreach (var v in values)
        {
            if (v is DynamicValue d) yield return d.Value;
            else if (v is TupleValue t)
                foreach (var inner in Flatten(t.Items)) yield return inner;
        }
    }

    internal List<Value> MaterializeAll(AbstractValue value, IOperation at) => value switch
    {
        TupleValue t => t.Items.SelectMany(i => MaterializeAll(i, at)).ToList(),
        _ => [Materialize(value, at)],
    };

    internal Value Host(string op, params Value[] operands)
    {
        var used = operands.Select(Context.Use).ToArray();
        var result = Context.Block.Host(op, used);
        var origins = used.Where(State.Origins.ContainsKey).SelectMany(v => State.Origins[v]).ToHashSet();
        if (origins.Count > 0) State.Origins[result] = origins;
        return result;
    }

    /// <summary>A host scalar of the given kind from a compile-time or run-time value.</summary>
    internal Value HostScalar(AbstractValue value, ScalarKind kind, IOperation at)
    {
        switch (value)
        {
            case StaticValue { Object: not null } s when s.Object is int or float or double or bool or long:
                return MaterializeScalar(kind switch
                {
                    ScalarKind.Int => System.Convert.ToInt32(s.Object, System.Globalization.CultureInfo.InvariantCulture),
                    ScalarKind.Float => System.Convert.ToSingle(s.Object, System.Globalization.CultureInfo.InvariantCulture),
                    _ => System.Convert.ToBoolean(s.Object, System.Globalization.CultureInfo.InvariantCulture),
                }, at);
            case DynamicValue { Value.Type: ScalarType t } d:
                if (t.Kind == kind) return Context.Use(d.Value);
                if (kind == ScalarKind.Float) return Host("to_float", d.Value);
                if (kind == ScalarKind.Int) return Host("to_int", d.Value);
                break;
        }
        throw State.Fail(DiagnosticIds.UnsupportedExpression, at, $"'{at.Syntax}' must be a host {kind.ToString().ToLowerInvariant()} here");
    }

    internal Value MaterializeScalar(object value, IOperation? at) => value switch
    {
        int i => Context.Block.Const(i),
        float f => Context.Block.Const(f),
        double d => Context.Block.Const((float)d),
        bool b => Context.Block.Const(b),
        long l when l is >= int.MinValue and <= int.MaxValue => Context.Block.Const((int)l),
        _ => throw State.Fail(DiagnosticIds.UnsupportedType, at ?? Context.Frame.Graph.OriginalOperation, $"a {value.GetType().Name} cannot be a program value"),
    };

    /// <summary>Any value as one IR value: a run-time value, a folded scalar as a constant, a
    /// tensor of the model as a program weight.</summary>
    private Value Materialize(AbstractValue value, IOperation at) => value switch
    {
        DynamicValue d => Context.Use(d.Value),
        StaticValue { Object: Tensor t } => Weight(t, at),
        StaticValue { Object: CompileTimeTensor c } => ConstTensor(c.Value),
        StaticValue { Object: int or float or double or bool } s => MaterializeScalar(s.Object!, at),
        StaticValue { Object: null } nothing => throw NullUse(nothing, at),
        _ => throw State.Fail(DiagnosticIds.UnsupportedType, at, $"'{at.Syntax}' is not a tensor or host scalar; only tensors and int/float/bool values can flow through the program"),
    };

    /// <summary>A null used as a value. A local that starts null (<c>Tensor? best = null</c>) and is
    /// assigned in a loop is still null where the loop may have run zero times: with the loop's
    /// counters kept known (a compile-time bound), lowering starts again and unrolls it, so each
    /// step knows whether it was assigned; otherwise the diagnostic says how to give it a value.</summary>
    internal LoweringException NullUse(StaticValue nothing, IOperation at)
    {
        if (nothing.NullField is not null)
            return State.Fail(DiagnosticIds.UnsupportedType, at, NullMessage(nothing, at));
        var counters = State.CountersBesideNulls.Where(o => !State.Plan.KeepsKnown(o.Method, o.Slot)).ToHashSet();
        var name = at.Syntax.ToString().TrimEnd('!');
        var message = $"'{name}' is null on a path the program can take (a loop that may run zero times, or a branch that does not assign it), "
            + $"and a program value cannot be null; give it a value first ('var {name} = x;' before the loop), or write '{name} ?? fallback'";
        return counters.Count > 0
            ? new RestartException(MethodLowerer.MakeDiagnostic(DiagnosticIds.UnsupportedType, DiagnosticSeverity.Error, at.Syntax, message), RestartRequest.Keeping([.. counters]))
            : State.Fail(DiagnosticIds.UnsupportedType, at, message);
    }

    /// <summary>What to say when a null is used as a value: which field holds it, and the two fixes.</summary>
    internal static string NullMessage(StaticValue nothing, IOperation at)
    {
        var name = nothing.NullField ?? at.Syntax.ToString().TrimEnd('!');
        return $"'{name}' is null when the model is compiled (the model instance holds no module or tensor there), so it cannot be used as a value; "
            + $"assign it in the constructor, or test it first: 'if ({name} is not null)' folds at compile time and drops the branch that uses it";
    }

    private Value Weight(Tensor tensor, IOperation at)
    {
        var name = State.WeightNames.NameOf(tensor, at.Syntax.ToString());
        if (!State.WeightValues.TryGetValue(name, out var w))
        {
            w = State.Program.Weight(name, new TensorType(tensor.DType, tensor.Shape.ToArray()));
            State.WeightValues[name] = w;
        }
        return w;
    }

    /// <summary>A tensor operand: tensors as they are; a host float as a rank-0 tensor.</summary>
    internal Value TensorOperand(AbstractValue value, IOperation at)
    {
        switch (value)
        {
            case StaticValue { Object: int or float or double } s:
                return Context.Block.Const(IRType.F32(), [System.Convert.ToDouble((float)System.Convert.ToDouble(s.Object, System.Globalization.CultureInfo.InvariantCulture))]);
            case DynamicValue { Value.Type: ScalarType } d:
                return Context.Block.FromScalar(HostScalar(d, ScalarKind.Float, at));
            default:
                var v = Materialize(value, at);
                return v.Type is TensorType ? v : throw State.Fail(DiagnosticIds.UnsupportedType, at, $"'{at.Syntax}' must be a tensor here");
        }
    }

    /// <summary>A run-time value was used where the compiler needs a constant (an attribute, an
    /// index into a module list): lowering restarts with the locals it came from kept known
    /// (unrolling their loop); when there are none, or they were kept known before, the diagnostic stands.</summary>
    internal RestartException NeedStatic(Value value, string id, IOperation at, string message) =>
        new(MethodLowerer.MakeDiagnostic(id, DiagnosticSeverity.Error, at.Syntax, message), RestartRequest.Keeping([.. State.OriginsOf(Context.Use(value))]));

    internal Value ModuleTensor(Module module, string propertyName, Tensor? fallback, IOperation at)
    {
        var value = module.GetType().GetProperty(propertyName)?.GetValue(module) as Tensor;
        if (value is not null)
        {
            State.WeightNames.Suggest(value, module, propertyName);
            return Weight(value, at);
        }
        return fallback is null ? throw State.Fail(DiagnosticIds.UnknownMethod, at, $"{module.GetType().Name} has no tensor '{propertyName}'") : ConstTensor(fallback);
    }

    internal Value ConstTensor(Tensor t) => Context.Block.Const(new TensorType(t.DType, t.Shape.ToArray()), [.. Enumerable.Range(0, t.Length).Select(t.GetAsDouble)]);

    internal Value Emit(string op, IReadOnlyList<Value> operands, Attrs? attrs, IOperation at)
    {
        try
        {
            return Context.Block.Op(op, [.. operands.Select(Context.Use)], attrs);
        }
        catch (IRTypeException e)
        {
            throw State.Fail(DiagnosticIds.ShapeError, at, $"{e.Message}; check the shapes of the operands of '{at.Syntax}'");
        }
    }

    internal IReadOnlyList<Value> EmitMany(string op, IReadOnlyList<Value> operands, Attrs? attrs, IOperation at)
    {
        try
        {
            return Context.Block.Ops(op, [.. operands.Select(Context.Use)], attrs);
        }
        catch (IRTypeException e)
        {
            throw State.Fail(DiagnosticIds.ShapeError, at, $"{e.Message}; check the shapes of the operands of '{at.Syntax}'");
        }
    }

    internal Value Operand(AbstractValue value, IOperation at) => TensorOperand(value, at);

    internal LoweringException Failure(string id, IOperation at, string message) => State.Fail(id, at, message);

    internal static AbstractValue Rebuild(AbstractValue shape, Queue<Value> values) => shape switch
    {
        TupleValue t => new TupleValue([.. t.Items.Select(i => Rebuild(i, values))]),
        _ => new DynamicValue(values.Dequeue()),
    };
}
